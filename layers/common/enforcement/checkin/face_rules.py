"""The face check's rule as a plain function: its measures' zones → one outcome. No I/O.

The face check measures a check photo three ways (`enforcement.checkin.face_checks`), each
measure judged in its zones (`enforcement.face.zones`: ACCEPT, REVIEW, REFUSE):

- its **replay likeness to the reference photo** (the enrolled one): a copy of it is refused
  (`replayed_reference_photo`), a photo that looks like one goes to an officer
  (`possible_replay_of_reference`);
- its **replay likeness to the closest earlier check photo**: `replayed_photo`, or
  `possible_replayed_photo` for a review;
- its **match distance** from the enrolled face: `face_matches`, `face_match_uncertain` for a
  review, `face_mismatch`.

The rule (`face_outcome`): the most severe zone of the three decides. Any REFUSE fails the
check; else any REVIEW sends it to a person (the outcome's `review`; `rules.verdict` makes the
check `pending_review`); else it passes. Among measures in the same zone the reason names a copy
of the reference first, then a copy of an earlier photo, then the match. An exact copy (same
bytes or decoded pixels) is put in the REFUSE zone by whoever measures it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enforcement.checkin.rules import Outcome

#: The zones of an automatic face measure (`enforcement.face.zones.Zone` has these values):
#: accept, review (a person decides), refuse; later ones are more severe.
ACCEPT, REVIEW, REFUSE = "accept", "review", "refuse"
ZONES: tuple[str, ...] = (ACCEPT, REVIEW, REFUSE)

#: Per photo a check photo may be a copy of: the reason when refused, and when in review.
REPLAY_REASONS = {
    "reference": ("replayed_reference_photo", "possible_replay_of_reference"),
    "earlier": ("replayed_photo", "possible_replayed_photo"),
}
MATCH_REASONS = {ACCEPT: "face_matches", REVIEW: "face_match_uncertain", REFUSE: "face_mismatch"}


@dataclass(frozen=True)
class Likeness:
    """How much a check photo looks like one photo already used (the reference photo, or an
    earlier check photo): its replay zone, template distance and signature similarity (None
    without signatures); `exact` when it is the same bytes or the same decoded pixels."""

    zone: str
    distance: float
    similarity: float | None = None
    exact: bool = False
    sha256: str | None = None  # of the photo it looks like (an earlier one; for its review)
    pixels: str | None = None  # of that photo's decoded pixels: the key its decision stored


@dataclass(frozen=True)
class MatchLines:
    """The match distance's two lines: the same person at most `accept_max`, another person
    from `refuse_min` on (`enforcement.face.zones.MatchZones`)."""

    accept_max: float
    refuse_min: float


def face_outcome(
    match_zone: str,
    distance: float,
    lines: MatchLines,
    reference: Likeness | None,
    earlier: Likeness | None = None,
) -> Outcome:
    """The face check from its measures: the match distance's zone, and the replay zones of the
    photo against the reference photo and against the closest earlier photo. The most severe
    zone decides: any REFUSE fails the check, else any REVIEW sends it to a person, else it
    passes. Among measures in the same zone the reason names, in this order, a copy of the
    reference, a copy of an earlier photo, the match. The figures: the match distance and its
    lines, and the replay figures of the likeness that decided (the reference's otherwise)."""
    measures: list[tuple[str, str]] = []  # (zone, reason when it decides)
    for name, likeness in (("reference", reference), ("earlier", earlier)):
        if likeness is not None and likeness.zone != ACCEPT:
            refused, review = REPLAY_REASONS[name]
            measures.append((likeness.zone, refused if likeness.zone == REFUSE else review))
    measures.append((match_zone, MATCH_REASONS[match_zone]))
    zone, reason = max(measures, key=lambda m: ZONES.index(m[0]))  # first of the most severe
    detail: dict[str, Any] = {
        "zone": zone,
        "distance": round(distance, 4),
        "threshold": lines.accept_max,
        "refuse_min": lines.refuse_min,
    }
    chosen, source = reference, "reference"
    if earlier is not None and reason in REPLAY_REASONS["earlier"]:
        chosen, source = earlier, "earlier"
    if chosen is not None:
        detail["replay_of"] = source
        detail["replay_distance"] = round(chosen.distance, 4)
        if chosen.similarity is not None:
            detail["replay_similarity"] = round(chosen.similarity, 4)
        if chosen.exact:
            detail["exact_copy"] = True
        if chosen.sha256:
            detail["replay_sha256"] = chosen.sha256
        if chosen.pixels:
            detail["replay_pixels"] = chosen.pixels
    return Outcome(zone == ACCEPT, reason, detail, review=zone == REVIEW)
