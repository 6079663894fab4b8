"""The pure rules of identifying a driver by face (no AWS, no clock, no settings read here).

- Which drivers an officer is shown, and which are marked "match": `candidates`. The index
  answers the `SEARCH_K` nearest enrolled drivers of the city; each is shown with its distance,
  and marked `match` only when the distance is within the match line the caller passes: the
  ACCEPT line of the match zones (`face/configured.match_zones().accept_max`, Settings
  `face_match_threshold`, 0.50 fitted by `python -m enforcement.face.calibrate`). Not the REVIEW
  line: a search compares one face with every driver of the city, so a line where different
  people are expected now and then would mark a growing share of strangers as the city grows
  (the reasoning of `checkin/enrolment`). A match is evidence for the officer, never an
  identification: nothing is decided until the officer confirms.
- What an officer may confirm: `confirmation_refusal`. Only a search whose candidates are
  stored, only once, and only one of its candidates or none (`NONE`): a driver the engine did
  not propose is identified by other means (the licence lookup), not recorded as a face result.
- Whether the city's index holds a face of a driver: `face_in_index` (an enrolment done and not
  removed since). A refused photo never takes an enrolled face away: after it the driver stays
  `enrolled`, with the attempt's error beside it (`status_after_refusal`); only a driver with
  no face enrolled is `failed`.
- A licence that left the registry takes the driver's face out of the city's index: the
  statuses `ENDED_LICENCE` (revoked, cancelled), as a registry import writes them
  (`licence_ended`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

#: Licence statuses (registry_rows.LICENCE_STATUSES) with which a driver's face leaves the index.
ENDED_LICENCE: Final = frozenset({"revoked", "cancelled"})
#: The face record's status after a removal.
REMOVED: Final = "removed"
#: How many candidates a search answers.
SEARCH_K: Final = 5
#: The officer's confirmation that none of the candidates is the driver.
NONE: Final = "none"
MATCH: Final = "match"
NO_MATCH: Final = "no_match"


@dataclass(frozen=True)
class Candidate:
    licence_number: str
    distance: float
    match: bool


def candidates(
    hits: Iterable[tuple[str, float]], match_line: float, k: int = SEARCH_K
) -> list[Candidate]:
    """The `k` nearest of `hits` (licence number, distance), nearest first (ties by licence
    number, so the same search always answers the same order), each marked `match` when its
    distance is at or below `match_line`; distances rounded to 4 places as stored."""
    ranked = sorted(hits, key=lambda hit: (hit[1], hit[0]))[:k]
    return [
        Candidate(licence, round(float(distance), 4), float(distance) <= match_line)
        for licence, distance in ranked
    ]


def confirmation_refusal(
    status: str, confirmed: str | None, offered: Sequence[str], chosen: str | None
) -> tuple[str, str] | None:
    """None when the officer may confirm `chosen` (a licence number, or None: none of them) on a
    search of `status` with `offered` candidates; otherwise (code, message)."""
    if status != "searched":
        return "search_not_ready", f"the search is {status}: there are no candidates to confirm"
    if confirmed is not None:
        return "search_confirmed", "the search was confirmed already"
    if chosen is not None and chosen not in offered:
        return "not_a_candidate", "confirm one of the search's candidates, or none of them"
    return None


def face_in_index(status: str | None, enrolled_at: str | None) -> bool:
    """True when the city's index holds a face of the driver: one was enrolled (`enrolled_at`)
    and not removed since (a pending or refused later photo does not take it away)."""
    return enrolled_at is not None and status != REMOVED


def status_after_refusal(status: str | None, enrolled_at: str | None) -> str:
    """The face record's status once a photo is refused: `enrolled` while the index still
    holds an earlier face (that face is what a search compares with), `removed` stays removed,
    otherwise `failed`."""
    if status == REMOVED:
        return REMOVED
    return "enrolled" if face_in_index(status, enrolled_at) else "failed"


def granted_before_removal(granted_at: str, removed_at: str | None) -> bool:
    """True when an enrolment photo's upload was granted at or before the driver's face was
    removed (ISO times of `clock.iso`): a late photo of an old grant never brings the face back;
    only a grant asked for after the removal enrols the driver again."""
    return removed_at is not None and granted_at <= removed_at


def licence_ended(status: str | None) -> bool:
    """True for a licence status with which the driver's face leaves the city's index."""
    return status in ENDED_LICENCE
