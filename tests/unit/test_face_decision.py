"""The face check's three outcomes, as a table: match distance and replay likenesses (to the
reference photo and to an earlier photo) → zone → the face outcome → the check's status.

The lines are set here, not taken from the defaults (which calibration refits): the table is
about how the zones combine, not about where the lines lie."""

from __future__ import annotations

import pytest
from enforcement.checkin import face_rules, rules
from enforcement.face.zones import MatchZones, ReplayZones

MATCH = MatchZones(accept_max=0.5, refuse_min=0.7)
REPLAY = ReplayZones(
    review_max_distance=0.3,
    review_min_similarity=0.6,
    refuse_max_distance=0.15,
    refuse_min_similarity=0.9,
)
LINES = face_rules.MatchLines(MATCH.accept_max, MATCH.refuse_min)
NO_COPY = (0.9, 0.1)  # (distance, similarity) of a new photograph


def outcome(
    distance: float,
    reference: tuple[float, float | None] | None = None,
    earlier: tuple[float, float | None] | None = None,
    *,
    exact_reference: bool = False,
    exact_earlier: bool = False,
) -> rules.Outcome:
    """The face outcome of a photo `distance` from the enrolled face, whose likeness to the
    reference photo (default: as far as the match distance, no signature) and to the closest
    earlier photo are (distance, similarity)."""
    ref_d, ref_s = reference if reference is not None else (distance, None)
    of_reference = face_rules.Likeness(
        str(REPLAY.zone(ref_d, ref_s, exact_reference)), ref_d, ref_s, exact_reference
    )
    of_earlier = None
    if earlier is not None or exact_earlier:
        d, s = earlier if earlier is not None else (0.0, None)
        of_earlier = face_rules.Likeness(str(REPLAY.zone(d, s, exact_earlier)), d, s, exact_earlier)
    return face_rules.face_outcome(
        str(MATCH.zone(distance)), distance, LINES, of_reference, of_earlier
    )


@pytest.mark.parametrize(
    ("distance", "reference", "earlier", "zone", "reason"),
    [
        # the match distance alone (the photo like no photo used before)
        (0.42, NO_COPY, None, "accept", "face_matches"),
        (0.50, NO_COPY, None, "accept", "face_matches"),  # the ACCEPT line is inclusive
        (0.51, NO_COPY, None, "review", "face_match_uncertain"),
        (0.69, NO_COPY, None, "review", "face_match_uncertain"),
        (0.70, NO_COPY, None, "refuse", "face_mismatch"),  # so is the REFUSE line
        (0.95, NO_COPY, None, "refuse", "face_mismatch"),
        # the reference photo: both replay measures must agree to refuse; one sends to review
        (0.10, (0.10, 0.95), None, "refuse", "replayed_reference_photo"),
        (0.10, (0.10, 0.70), None, "review", "possible_replay_of_reference"),
        (0.25, (0.25, 0.95), None, "review", "possible_replay_of_reference"),
        (0.40, (0.40, 0.65), None, "review", "possible_replay_of_reference"),
        (0.25, (0.25, None), None, "review", "possible_replay_of_reference"),  # no signature
        (0.10, (0.10, None), None, "review", "possible_replay_of_reference"),
        (0.35, (0.35, 0.59), None, "accept", "face_matches"),
        # an earlier photo
        (0.40, NO_COPY, (0.05, 0.99), "refuse", "replayed_photo"),
        (0.40, NO_COPY, (0.20, 0.30), "review", "possible_replayed_photo"),
        (0.40, NO_COPY, (0.45, 0.62), "review", "possible_replayed_photo"),
        (0.40, NO_COPY, (0.45, 0.30), "accept", "face_matches"),
        # the most severe zone decides; among equals: reference, earlier, match
        (0.60, NO_COPY, (0.05, 0.99), "refuse", "replayed_photo"),  # review match, refused copy
        (0.80, NO_COPY, (0.20, 0.30), "refuse", "face_mismatch"),  # refused match, review copy
        (0.60, NO_COPY, (0.20, 0.30), "review", "possible_replayed_photo"),
        (0.20, (0.20, 0.70), (0.20, 0.30), "review", "possible_replay_of_reference"),
        (0.10, (0.10, 0.95), (0.05, 0.99), "refuse", "replayed_reference_photo"),
    ],
)
def test_zones_combine_into_one_face_outcome(
    distance: float,
    reference: tuple[float, float | None],
    earlier: tuple[float, float | None] | None,
    zone: str,
    reason: str,
) -> None:
    result = outcome(distance, reference, earlier)
    assert (result.detail["zone"], result.reason) == (zone, reason)
    assert result.passed is (zone == "accept")
    assert result.review is (zone == "review")


def test_exact_copies_are_refused_whatever_the_measures() -> None:
    """Same bytes or same decoded pixels: refused even where both measures would accept."""
    far = outcome(0.45, (0.9, 0.1), exact_reference=True)
    assert (far.reason, far.detail["exact_copy"]) == ("replayed_reference_photo", True)
    again = outcome(0.45, NO_COPY, exact_earlier=True)
    assert (again.reason, again.passed, again.review) == ("replayed_photo", False, False)


def test_the_figures_name_the_likeness_that_decided() -> None:
    result = outcome(0.40, (0.40, 0.20), (0.20, 0.30))
    assert result.detail == {
        "zone": "review",
        "distance": 0.4,
        "threshold": 0.5,
        "refuse_min": 0.7,
        "replay_of": "earlier",
        "replay_distance": 0.2,
        "replay_similarity": 0.3,
    }
    plain = outcome(0.40, (0.40, 0.20))
    assert (plain.detail["replay_of"], plain.detail["replay_similarity"]) == ("reference", 0.2)


@pytest.mark.parametrize(
    ("face", "location", "status", "reasons"),
    [
        ("accept", True, "verified", []),
        ("review", True, "pending_review", ["face:face_match_uncertain"]),
        ("refuse", True, "failed", ["face:face_mismatch"]),
        # a failed check is not saved by a review: nothing is left for a person to decide
        ("review", False, "failed", ["location:outside_geofence"]),
        ("accept", False, "failed", ["location:outside_geofence"]),
    ],
)
def test_a_check_is_verified_pending_review_or_failed(
    face: str, location: bool, status: str, reasons: list[str]
) -> None:
    distance = {"accept": 0.4, "review": 0.6, "refuse": 0.8}[face]
    outcomes = {
        rules.FACE: outcome(distance, NO_COPY),
        rules.LOCATION: rules.Outcome(location, "on_board" if location else "outside_geofence"),
    }
    assert rules.verdict(outcomes) == (status, reasons)
