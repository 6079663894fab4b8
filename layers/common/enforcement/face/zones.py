"""Three outcomes, not two: where an automatic face measure accepts, refuses, or asks a person.

Two measures decide a check photo automatically, and neither is trusted across its whole range:

- the **match distance** between the check photo's template and the enrolled one
  (`engine.compare`): same person when small, another person when large;
- the **replay likeness** of the check photo to a photo already used (the enrolled reference or
  an earlier check photo): its template distance and its signature similarity
  (`liveness.similarity`); a copy of a photograph is close by both.

Each measure has an ACCEPT zone, a REFUSE zone and between them a REVIEW zone, where the photo
goes to an officer of the vessel's jurisdiction instead of being decided by a number fitted on a
few photos. Automatic refusal is kept for overwhelming evidence only:

- a copy: the same bytes or the same pixels after decoding (`exact`), or a copy that *both*
  replay measures agree on by a wide margin (distance ≤ refuse_max_distance **and** similarity ≥
  refuse_min_similarity); either measure alone past its review line sends the photo to review;
- another person: a match distance of at least `MatchZones.refuse_min`, well past the largest
  distance any genuine pair reached in calibration.

The deployment's values are `Settings` fields (FACE_MATCH_*, FACE_REPLAY_*), made into zones in
one place, `enforcement.face.configured`; `python -m enforcement.face.calibrate` fits them on a
tuning set of identities and reports them on held-out ones (docs/benchmarks.md, "Face
decisions"). The defaults here serve library use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from enforcement.config import Settings

__all__ = [
    "MATCH_ACCEPT_MAX",
    "MATCH_REFUSE_MIN",
    "REPLAY_REFUSE_MAX_DISTANCE",
    "REPLAY_REFUSE_MIN_SIMILARITY",
    "REPLAY_REVIEW_MAX_DISTANCE",
    "REPLAY_REVIEW_MIN_SIMILARITY",
    "MatchZones",
    "ReplayZones",
    "Zone",
    "combine",
]

#: Defaults: the `Settings` defaults (their one home), fitted by `python -m
#: enforcement.face.calibrate .cache/photos/identities --zones` (seed 0) on 8 tuning identities
#: and checked on 6 held-out ones: docs/benchmarks.md, "Face decisions", gives the split, the
#: margins and the held-out figures.
_DEFAULTS: Final = Settings.model_fields


def _default(name: str) -> float:
    value = _DEFAULTS[name].default
    assert isinstance(value, float)
    return value


MATCH_ACCEPT_MAX: Final = _default("face_match_threshold")
MATCH_REFUSE_MIN: Final = _default("face_match_refuse_min")
REPLAY_REVIEW_MAX_DISTANCE: Final = _default("face_replay_max_distance")
REPLAY_REVIEW_MIN_SIMILARITY: Final = _default("face_replay_min_similarity")
REPLAY_REFUSE_MAX_DISTANCE: Final = _default("face_replay_refuse_max_distance")
REPLAY_REFUSE_MIN_SIMILARITY: Final = _default("face_replay_refuse_min_similarity")


class Zone(StrEnum):
    """What a measure says: ACCEPT (go on), REVIEW (a person decides), REFUSE (automatic no).

    Ordered by severity: `combine` of several zones is the most severe of them.
    """

    ACCEPT = "accept"
    REVIEW = "review"
    REFUSE = "refuse"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY: Final = {Zone.ACCEPT: 0, Zone.REVIEW: 1, Zone.REFUSE: 2}


def combine(*zones: Zone) -> Zone:
    """The most severe of the zones (ACCEPT when none)."""
    return max(zones, key=lambda z: z.severity, default=Zone.ACCEPT)


@dataclass(frozen=True)
class MatchZones:
    """The match distance: ACCEPT at or below `accept_max` (the same person), REFUSE at or
    above `refuse_min` (another person beyond doubt), REVIEW between."""

    accept_max: float = MATCH_ACCEPT_MAX
    refuse_min: float = MATCH_REFUSE_MIN

    def __post_init__(self) -> None:
        if not 0.0 < self.accept_max < self.refuse_min < 2.0:
            raise ValueError("match zones need 0 < accept_max < refuse_min < 2")

    def zone(self, distance: float) -> Zone:
        if distance <= self.accept_max:
            return Zone.ACCEPT
        if distance >= self.refuse_min:
            return Zone.REFUSE
        return Zone.REVIEW


@dataclass(frozen=True)
class ReplayZones:
    """The replay likeness of a check photo to one photo already used.

    REFUSE (a copy, automatically): `exact` (same bytes or same decoded pixels), or both
    distance ≤ refuse_max_distance and similarity ≥ refuse_min_similarity. REVIEW (looks like a
    copy by one measure): distance ≤ review_max_distance or similarity ≥ review_min_similarity.
    ACCEPT otherwise: a new photograph. A photo without a signature (similarity None) can only
    be refused on its bytes or pixels; its distance alone sends it to review.
    """

    review_max_distance: float = REPLAY_REVIEW_MAX_DISTANCE
    review_min_similarity: float = REPLAY_REVIEW_MIN_SIMILARITY
    refuse_max_distance: float = REPLAY_REFUSE_MAX_DISTANCE
    refuse_min_similarity: float = REPLAY_REFUSE_MIN_SIMILARITY

    def __post_init__(self) -> None:
        if not 0.0 <= self.refuse_max_distance <= self.review_max_distance < 2.0:
            raise ValueError("replay zones need 0 <= refuse_max_distance <= review_max_distance")
        # a similarity is at most 1: a line above 1 switches that test off
        if not -1.0 < self.review_min_similarity <= self.refuse_min_similarity <= 2.0:
            raise ValueError(
                "replay zones need -1 < review_min_similarity <= refuse_min_similarity <= 2"
            )

    def zone(self, distance: float, similarity: float | None, exact: bool = False) -> Zone:
        if exact:
            return Zone.REFUSE
        close = distance <= self.refuse_max_distance
        alike = similarity is not None and similarity >= self.refuse_min_similarity
        if close and alike:
            return Zone.REFUSE
        if distance <= self.review_max_distance:
            return Zone.REVIEW
        if similarity is not None and similarity >= self.review_min_similarity:
            return Zone.REVIEW
        return Zone.ACCEPT
