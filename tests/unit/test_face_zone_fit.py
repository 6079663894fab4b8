"""Fitting the face zones on measured pairs (`enforcement.face.zone_fit`), the split by
identity, and the defaults being the fitted numbers in both homes."""

from __future__ import annotations

from pathlib import Path

import pytest
from enforcement.config import Settings
from enforcement.face import zones
from enforcement.face.configured import match_zones, replay_zones
from enforcement.face.zone_calibration import split
from enforcement.face.zone_fit import Margins, Measured, assess, fit_match, fit_replay
from enforcement.face.zones import MatchZones, ReplayZones, Zone
from hypothesis import given, settings
from hypothesis import strategies as st


def test_zones_built_from_default_settings_are_the_library_defaults() -> None:
    cfg = Settings()
    assert match_zones(cfg) == MatchZones()
    assert replay_zones(cfg) == ReplayZones()
    assert (cfg.face_match_threshold, cfg.face_match_refuse_min) == (
        zones.MATCH_ACCEPT_MAX,
        zones.MATCH_REFUSE_MIN,
    )
    assert (cfg.face_replay_max_distance, cfg.face_replay_min_similarity) == (
        zones.REPLAY_REVIEW_MAX_DISTANCE,
        zones.REPLAY_REVIEW_MIN_SIMILARITY,
    )
    assert (cfg.face_replay_refuse_max_distance, cfg.face_replay_refuse_min_similarity) == (
        zones.REPLAY_REFUSE_MAX_DISTANCE,
        zones.REPLAY_REFUSE_MIN_SIMILARITY,
    )


@pytest.mark.parametrize(
    ("genuine_max", "impostor_min", "accept", "refuse"),
    [
        (0.55, 0.65, 0.50, 0.70),  # both lines from dlib's 0.6 and the margins
        (0.55, 0.58, 0.48, 0.70),  # an impostor closer than 0.6 pulls ACCEPT down
        (0.68, 0.80, 0.50, 0.78),  # a genuine pair past 0.6 pushes REFUSE out
        (0.612, 0.634, 0.50, 0.72),  # the test photographs' tuning set, rounded outwards
    ],
)
def test_match_lines_keep_their_margins(
    genuine_max: float, impostor_min: float, accept: float, refuse: float
) -> None:
    fitted = fit_match([0.2, genuine_max], [impostor_min, 1.1])
    assert (fitted.accept_max, fitted.refuse_min) == (accept, refuse)


def test_replay_refuse_lines_stay_clear_of_genuine_pairs() -> None:
    genuine = [Measured(0.25, 0.95), Measured(0.20, 0.50), Measured(0.40, 0.10)]
    copies = [Measured(0.05, 0.99), Measured(0.10, 0.97), Measured(0.30, 0.80)]
    fitted = fit_replay(genuine, copies)
    # 0.10 / 0.97 catch two copies; a larger distance line would come within 0.05 of the
    # (0.20, 0.50) and (0.25, 0.95) pairs and need a similarity line no copy reaches
    assert (fitted.refuse_max_distance, fitted.refuse_min_similarity) == (0.10, 0.97)
    assert (fitted.review_max_distance, fitted.review_min_similarity) == (0.15, 0.92)
    assert [fitted.zone(p.distance, p.similarity) for p in copies] == [
        Zone.REFUSE,
        Zone.REFUSE,
        Zone.ACCEPT,
    ]
    assert [fitted.zone(p.distance, p.similarity) for p in genuine] == [
        Zone.REVIEW,  # alike by the signature: an officer looks
        Zone.ACCEPT,
        Zone.ACCEPT,
    ]


def test_without_room_for_a_refusal_only_exact_copies_are_refused() -> None:
    fitted = fit_replay([Measured(0.02, 1.0)], [Measured(0.05, 0.99)])
    assert fitted.zone(0.0, 1.0) != Zone.REFUSE
    assert fitted.zone(0.3, 0.2, exact=True) == Zone.REFUSE


pairs_strategy = st.lists(
    st.tuples(st.floats(0.0, 0.8), st.floats(-0.5, 1.0)).map(lambda t: Measured(*t)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(genuine=pairs_strategy, copies=pairs_strategy)
def test_a_fitted_replay_zone_never_refuses_a_tuning_genuine_pair(
    genuine: list[Measured], copies: list[Measured]
) -> None:
    fitted = fit_replay(genuine, copies)
    margins = Margins()
    refusing = fitted.refuse_min_similarity <= 1.0
    for pair in genuine:
        assert fitted.zone(pair.distance, pair.similarity) != Zone.REFUSE
        # nor within the margins of the REFUSE rectangle
        near = pair.distance < fitted.refuse_max_distance + margins.replay_distance - 1e-6
        alike = pair.similarity is not None and (
            pair.similarity > fitted.refuse_min_similarity - margins.replay_similarity + 1e-6
        )
        assert not (refusing and near and alike)


@settings(max_examples=200, deadline=None)
@given(
    genuine=st.lists(st.floats(0.0, 1.2), min_size=1, max_size=20),
    impostor=st.lists(st.floats(0.3, 1.5), min_size=1, max_size=20),
)
def test_fitted_match_zones_decide_no_tuning_pair_wrongly(
    genuine: list[float], impostor: list[float]
) -> None:
    fitted = fit_match(genuine, impostor)
    assert all(fitted.zone(d) != Zone.REFUSE for d in genuine)
    assert all(fitted.zone(d) != Zone.ACCEPT for d in impostor)
    assert fitted.accept_max <= 0.5 + 1e-9
    assert fitted.refuse_min >= 0.7 - 1e-9


def test_assess_counts_each_outcome() -> None:
    match = MatchZones(0.5, 0.7)
    replay = ReplayZones(0.24, 0.90, 0.19, 0.95)
    genuine = [
        Measured(0.30, 0.20),  # accepted
        Measured(0.55, 0.10),  # review by the match
        Measured(0.22, 0.50),  # review by the replay distance
        Measured(0.75, 0.10),  # refused by the match
        Measured(0.10, 0.99),  # refused by the replay test
    ]
    impostor = [0.45, 0.6, 0.9]
    copies = [Measured(0.5, 0.1, exact=True), Measured(0.1, 0.99), Measured(0.3, 0.92)]
    copies.append(Measured(0.3, 0.5))
    result = assess(match, replay, genuine, impostor, copies)
    assert (result.genuine_refused, result.genuine_refused_match) == (2, 1)
    assert (result.genuine_refused_replay, result.genuine_review) == (1, 2)
    assert (result.impostor_accepted, result.impostor_review) == (1, 1)
    assert (result.copies_refused, result.copies_review, result.copies_accepted) == (2, 1, 1)


def test_split_is_by_identity_deterministic_and_keeps_both_kinds() -> None:
    people = {f"p{i}": [Path(f"p{i}/{j}.jpg") for j in range(3)] for i in range(6)}
    people |= {f"s{i}": [Path(f"s{i}/0.jpg")] for i in range(4)}
    first = split(people, 0.4, seed=0)
    assert first == split(people, 0.4, seed=0)
    assert set(first.tuning).isdisjoint(first.held_out)
    assert set(first.tuning) | set(first.held_out) == set(people)
    held = set(first.held_out)
    assert len([p for p in held if p.startswith("p")]) == 2
    assert len([p for p in held if p.startswith("s")]) == 2
    assert split(people, 0.4, seed=1) != first
