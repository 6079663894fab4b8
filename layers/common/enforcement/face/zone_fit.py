"""Fit the face zones (`enforcement.face.zones`) on measured pairs, and count what they decide.

Pure arithmetic on distances and similarities; `enforcement.face.zone_calibration` measures the
pairs on photos. Three kinds of pair:

- **genuine**: two different photographs of one person (what a real check sends: a new photo);
- **impostor**: photographs of two different people;
- **copy**: a photograph and a copy of it (re-encoded, printed, ...: what a replay sends),
  `exact` when both carry the same pixels.

The lines, each with a stated margin (`Margins`):

- match ACCEPT: `min(closest impostor, DLIB_THRESHOLD) - accept margin`, rounded down. Below
  the closest impostor seen, and never above dlib's own line: with the few hundred identities a
  deployment can show, the closest impostor measured is an optimistic estimate of the
  population's, and 0.6 is where the model's own errors begin on LFW.
- match REFUSE: `max(largest genuine, DLIB_THRESHOLD) + refuse margin`, rounded up. Beyond every
  genuine pair seen, and beyond 0.6: face_recognition's published 99.38 % on LFW is measured at
  0.6, so 0.6 is where same-person pairs *are* found (about one LFW pair in 160 is on the wrong
  side of it, either way); an automatic "another person" has to lie clearly past that.
- replay REFUSE: a copy by both measures, distance ≤ d and similarity ≥ s, with the rectangle
  [0, d + distance margin] x [s - similarity margin, 1] free of every genuine pair: the (d, s)
  catching the most copies under that rule, the smaller d on ties, s as high as it can be
  without losing one of them.
- replay REVIEW: just outside the REFUSE lines, by the same margins (distance ≤ d + margin or
  similarity ≥ s - margin).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from enforcement.face.zones import MatchZones, ReplayZones, Zone, combine

__all__ = [
    "DLIB_THRESHOLD",
    "Assessment",
    "Margins",
    "Measured",
    "assess",
    "fit_match",
    "fit_replay",
]

#: face_recognition's own threshold, where its published 99.38 % on LFW is measured.
DLIB_THRESHOLD: Final = 0.6
#: The grid the lines are placed on.
STEP: Final = 0.01


@dataclass(frozen=True)
class Margins:
    """How far each fitted line stays from the pairs it must not decide wrongly."""

    match_accept: float = 0.10
    match_refuse: float = 0.10
    replay_distance: float = 0.05
    replay_similarity: float = 0.05


@dataclass(frozen=True)
class Measured:
    """One pair: the template distance, the signature similarity (None when a photo has
    none) and whether the two carry the same pixels."""

    distance: float
    similarity: float | None = None
    exact: bool = False


def _down(value: float) -> float:
    return math.floor(value / STEP + 1e-9) * STEP


def _up(value: float) -> float:
    return math.ceil(value / STEP - 1e-9) * STEP


def fit_match(
    genuine: Iterable[float], impostor: Iterable[float], margins: Margins = Margins()
) -> MatchZones:
    """The match zones from genuine and impostor distances (see the module's rules)."""
    genuine, impostor = list(genuine), list(impostor)
    if not genuine or not impostor:
        raise ValueError("fitting the match zones needs genuine and impostor pairs")
    accept = _down(min(min(impostor), DLIB_THRESHOLD) - margins.match_accept)
    refuse = _up(max(max(genuine), DLIB_THRESHOLD) + margins.match_refuse)
    return MatchZones(round(accept, 2), round(refuse, 2))


def fit_replay(
    genuine: Sequence[Measured], copies: Sequence[Measured], margins: Margins = Margins()
) -> ReplayZones:
    """The replay zones from genuine (new photo) pairs and copies (see the module's rules)."""
    if not copies:
        raise ValueError("fitting the replay zones needs copies")
    g_dist = np.array([p.distance for p in genuine], dtype=np.float64)
    g_sim = np.array([_sim(p) for p in genuine], dtype=np.float64)
    c_dist = np.array([p.distance for p in copies], dtype=np.float64)
    c_sim = np.array([_sim(p) for p in copies], dtype=np.float64)
    best: tuple[int, float, float] | None = None
    for step in range(round(1.0 / STEP) + 1):
        line = round(step * STEP, 2)
        near = g_sim[g_dist <= line + margins.replay_distance + 1e-9]
        least = _up(float(near.max()) + margins.replay_similarity) if len(near) else -1.0
        if least > 1.0:
            continue  # a genuine pair this close is alike at any similarity: no refusal here
        caught = (c_dist <= line) & (c_sim >= least)
        count = int(caught.sum())
        if count == 0:
            continue
        similarity = max(least, _down(float(c_sim[caught].min())))
        if best is None or count > best[0]:
            best = (count, line, similarity)
    if best is None:
        # no copy can be refused on these pairs: only exact copies are (review lines at the
        # margins from nothing)
        return ReplayZones(margins.replay_distance, 1.0, 0.0, 1.0 + margins.replay_similarity)
    _, distance, similarity = best
    return ReplayZones(
        review_max_distance=round(distance + margins.replay_distance, 2),
        review_min_similarity=round(similarity - margins.replay_similarity, 2),
        refuse_max_distance=round(distance, 2),
        refuse_min_similarity=round(similarity, 2),
    )


def _sim(pair: Measured) -> float:
    return -1.0 if pair.similarity is None else pair.similarity


@dataclass(frozen=True)
class Assessment:
    """What the zones decide on a set of pairs (the calibration's table)."""

    genuine: int
    genuine_refused_match: int
    genuine_refused_replay: int
    genuine_refused: int
    genuine_review: int
    impostor: int
    impostor_accepted: int
    impostor_review: int
    copies: int
    copies_refused: int
    copies_review: int
    copies_accepted: int

    @property
    def genuine_review_share(self) -> float:
        return self.genuine_review / self.genuine if self.genuine else math.nan


def assess(
    match: MatchZones,
    replay: ReplayZones,
    genuine: Sequence[Measured],
    impostor: Sequence[float],
    copies: Sequence[Measured],
) -> Assessment:
    """Count the zones' outcomes. A genuine pair is a check with a new photo of the enrolled
    person (match and replay both apply); an impostor pair a check by someone else (the match);
    a copy a replay of a used photo (the replay: a copy is the same person, so the match
    accepts it)."""
    by_match = [match.zone(p.distance) for p in genuine]
    by_replay = [replay.zone(p.distance, p.similarity, p.exact) for p in genuine]
    outcome = [combine(m, r) for m, r in zip(by_match, by_replay, strict=True)]
    impostor_zones = [match.zone(d) for d in impostor]
    copy_zones = [replay.zone(p.distance, p.similarity, p.exact) for p in copies]
    return Assessment(
        genuine=len(genuine),
        genuine_refused_match=by_match.count(Zone.REFUSE),
        genuine_refused_replay=by_replay.count(Zone.REFUSE),
        genuine_refused=outcome.count(Zone.REFUSE),
        genuine_review=outcome.count(Zone.REVIEW),
        impostor=len(impostor),
        impostor_accepted=impostor_zones.count(Zone.ACCEPT),
        impostor_review=impostor_zones.count(Zone.REVIEW),
        copies=len(copies),
        copies_refused=copy_zones.count(Zone.REFUSE),
        copies_review=copy_zones.count(Zone.REVIEW),
        copies_accepted=copy_zones.count(Zone.ACCEPT),
    )
