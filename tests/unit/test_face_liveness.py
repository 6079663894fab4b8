"""Replay detection on real photographs: every kind of copy of a photo is the same photograph,
new photos of the same person are not, and signatures keep their secret."""

from __future__ import annotations

import itertools
import pickle
import re
from functools import cache

import numpy as np
import pytest
from enforcement import config
from enforcement.face import engine, liveness
from enforcement.face.configured import replay_zones
from enforcement.face.engine import EngineConfig, FaceTemplate, compare
from enforcement.face.liveness import (
    PhotoHistory,
    PhotoSignature,
    signature_similarity,
    similarity,
)
from enforcement.face.zones import (
    REPLAY_REFUSE_MAX_DISTANCE,
    REPLAY_REFUSE_MIN_SIMILARITY,
    REPLAY_REVIEW_MAX_DISTANCE,
    REPLAY_REVIEW_MIN_SIMILARITY,
    ReplayZones,
    Zone,
)

from tests import photos

CONFIG = EngineConfig()
ZONES = ReplayZones()
ORIGINALS = ("obama.jpg", "obama2.jpg", "biden.jpg")
#: Crops and a format copy made by face_recognition's authors from the Obama photographs.
SHIPPED_COPIES = [
    ("obama.jpg", "obama_partial_face.jpg"),
    ("obama2.jpg", "32bit.png"),
]
#: A crop through the middle of the face (half of it gone): distance 0.26, similarity 0.62,
#: outside the fitted REVIEW lines (docs/benchmarks.md, "Face decisions": copies not caught).
HALF_FACE_CROP = ("obama.jpg", "obama_partial_face2.jpg")
#: Different photographs of one person (the partial faces are cut from obama.jpg).
NEW_PHOTOS = [
    *itertools.combinations(photos.OBAMA, 2),
    ("obama2.jpg", "obama_partial_face.jpg"),
    ("obama3.jpg", "obama_partial_face2.jpg"),
    ("obama3.jpg", "32bit.png"),
]


@cache
def template(name: str) -> FaceTemplate:
    return engine.encode(photos.photo_bytes(name), CONFIG)


@cache
def copy_templates(name: str) -> dict[str, FaceTemplate]:
    return {kind: engine.encode(data, CONFIG) for kind, data in photos.copies(name).items()}


def measure(a: FaceTemplate, b: FaceTemplate) -> tuple[float, float]:
    assert a.signature is not None
    assert b.signature is not None
    return compare(a, b, 1.0).distance, similarity(a.signature, b.signature)


def caught(original: FaceTemplate, copy: FaceTemplate, zones: ReplayZones = ZONES) -> Zone:
    """The zone `copy` is put in against a history holding `original` (ACCEPT: taken for new)."""
    found = PhotoHistory().with_photo("original", original).likeness(copy, zones)
    return found[0][1] if found else Zone.ACCEPT


# ------------------------------------------------------------------ copies are replays


@pytest.mark.parametrize("name", ORIGINALS)
def test_every_kind_of_copy_is_a_replay_by_both_measures(name: str) -> None:
    """Re-encoded, resized, cropped, rotated, mirrored, brighter, greyscale, printed, on a
    screen: each copy is within the REVIEW distance and at least the REVIEW similarity, so
    either measure alone catches it (the reference photo's check uses the distance alone when
    no signature of it is stored); the history puts it in the zone the two figures give."""
    original = template(name)
    for kind, copy in copy_templates(name).items():
        distance, score = measure(original, copy)
        assert distance <= REPLAY_REVIEW_MAX_DISTANCE, f"{name} {kind}: distance {distance:.3f}"
        assert score >= REPLAY_REVIEW_MIN_SIMILARITY, f"{name} {kind}: similarity {score:.3f}"
        assert caught(original, copy) is ZONES.zone(distance, score) is not Zone.ACCEPT


@pytest.mark.parametrize(("original", "copy"), SHIPPED_COPIES)
def test_crops_and_format_copies_are_replays(original: str, copy: str) -> None:
    distance, score = measure(template(original), template(copy))
    assert ZONES.zone(distance, score) != Zone.ACCEPT, f"{distance:.3f}, {score:.3f}"
    assert caught(template(original), template(copy)) != Zone.ACCEPT


def test_a_half_face_crop_is_a_copy_the_fitted_lines_let_through() -> None:
    """The price of lines that do not send most genuine new photos to review: a copy this
    altered is taken for a new photo (the match still has to accept the face)."""
    distance, score = measure(*(template(name) for name in HALF_FACE_CROP))
    assert ZONES.zone(distance, score) == Zone.ACCEPT
    assert caught(*(template(name) for name in HALF_FACE_CROP)) == Zone.ACCEPT
    assert 0.24 < distance < 0.3
    assert 0.5 < score < 0.9


def test_copies_are_far_more_alike_than_the_thresholds_need() -> None:
    """The margins the thresholds rest on: the printed and screen copies (the reference photo
    held up to the camera) keep a similarity near 0.9 and a distance under 0.2."""
    for name in ORIGINALS:
        for kind in ("printed", "on-a-screen"):
            distance, score = measure(template(name), copy_templates(name)[kind])
            assert distance < 0.2, f"{name} {kind}"
            assert score > 0.85, f"{name} {kind}"


# ------------------------------------------------------------------ new photos are not


@pytest.mark.parametrize(("a", "b"), NEW_PHOTOS)
def test_new_photos_of_the_same_person_are_not_replays(a: str, b: str) -> None:
    distance, score = measure(template(a), template(b))
    assert ZONES.zone(distance, score) == Zone.ACCEPT, f"{distance:.3f}, {score:.3f}"
    assert caught(template(a), template(b)) == Zone.ACCEPT
    assert distance > REPLAY_REVIEW_MAX_DISTANCE + 0.02
    assert score < REPLAY_REVIEW_MIN_SIMILARITY - 0.2
    assert compare(template(a), template(b), CONFIG.threshold).matched  # and they do verify


def test_other_people_have_dissimilar_signatures() -> None:
    names = ("obama.jpg", "biden.jpg", "astronaut.png", "Tom_Hanks_54745.png")
    for a, b in itertools.combinations(names, 2):
        assert measure(template(a), template(b))[1] < REPLAY_REVIEW_MIN_SIMILARITY, (a, b)


# ------------------------------------------------------------------ the signature itself


def test_signature_is_16_by_16_grey_with_zero_outside_the_photo() -> None:
    whole = template("obama.jpg").signature
    cut = template("obama_partial_face2.jpg").signature  # the face cut by the frame
    assert whole is not None
    assert cut is not None
    assert whole.pixels.shape == (16, 16)
    assert np.count_nonzero(whole.pixels == liveness.OUTSIDE) == 0
    assert 0 < np.count_nonzero(cut.pixels == liveness.OUTSIDE) < 256 * 0.75


def test_similarity_of_identical_and_mirrored_signatures_is_one() -> None:
    signature = template("obama3.jpg").signature
    assert signature is not None
    mirrored = PhotoSignature(signature.pixels[:, ::-1])
    assert similarity(signature, signature) == pytest.approx(1.0)
    assert similarity(signature, mirrored) == pytest.approx(1.0)


def test_similarity_needs_enough_common_pixels_and_some_detail() -> None:
    face = template("obama3.jpg").signature
    assert face is not None
    left = face.pixels.copy()
    left[:, 3:] = liveness.OUTSIDE  # 48 of 256 pixels left, mirrored or not
    right = face.pixels.copy()
    right[:, :13] = liveness.OUTSIDE
    assert similarity(PhotoSignature(left), PhotoSignature(right)) == 0.0
    flat = PhotoSignature(np.full((16, 16), 120, np.uint8))
    assert similarity(flat, flat) == 0.0
    assert similarity(face, flat) == 0.0


def test_signature_round_trip_validation_and_secrecy() -> None:
    signature = template("biden.jpg").signature
    assert signature is not None
    data = signature.to_bytes()
    assert len(data) == 256
    assert PhotoSignature.from_bytes(data) == signature
    for shown in (repr(signature), str(signature), f"{signature}", repr([signature])):
        assert not re.search(r"\d", shown), shown
    with pytest.raises(ValueError, match="256 bytes"):
        PhotoSignature.from_bytes(data[:-1])
    with pytest.raises(ValueError, match="16x16"):
        PhotoSignature(np.zeros((8, 8), np.uint8))


def test_a_template_carries_its_photo_signature_outside_its_value() -> None:
    encoded = template("obama2.jpg")
    assert encoded.signature is not None
    stored = FaceTemplate.from_bytes(encoded.to_bytes())
    assert stored.signature is None
    assert stored == encoded  # the signature is not part of the template's value
    assert len(encoded.to_bytes()) == 512
    restored = pickle.loads(pickle.dumps(encoded))  # noqa: S301 - our own object
    assert restored == encoded
    assert restored.signature == encoded.signature


# ------------------------------------------------------------------ the zones and the history


def test_either_measure_alone_sends_to_review_and_both_together_refuse() -> None:
    assert ZONES.zone(REPLAY_REVIEW_MAX_DISTANCE, None) == Zone.REVIEW
    assert ZONES.zone(REPLAY_REVIEW_MAX_DISTANCE + 0.01, None) == Zone.ACCEPT
    assert ZONES.zone(0.9, REPLAY_REVIEW_MIN_SIMILARITY) == Zone.REVIEW
    assert ZONES.zone(0.9, REPLAY_REVIEW_MIN_SIMILARITY - 0.01) == Zone.ACCEPT
    assert ZONES.zone(REPLAY_REFUSE_MAX_DISTANCE, REPLAY_REFUSE_MIN_SIMILARITY) == Zone.REFUSE
    assert ZONES.zone(REPLAY_REFUSE_MAX_DISTANCE, None) == Zone.REVIEW  # no signature: review


def test_a_signature_similarity_needs_both_signatures() -> None:
    signature = template("obama3.jpg").signature
    assert signature is not None
    assert signature_similarity(signature, signature) == pytest.approx(1.0)
    assert signature_similarity(None, signature) is None
    assert signature_similarity(signature, None) is None


def test_history_finds_the_photo_a_copy_was_made_from() -> None:
    history = PhotoHistory()
    for name in ("obama2.jpg", "obama3.jpg", "biden.jpg"):
        history = history.with_photo(f"sha-{name}", template(name))
    assert len(history) == 3
    copy = copy_templates("obama2.jpg")["rotated-8deg"]
    found = history.likeness(copy, ZONES)
    assert found
    replay, zone = found[0]
    assert history.digests[replay.index] == "sha-obama2.jpg"
    assert replay.similarity is not None
    assert replay.similarity > 0.9
    assert zone is ZONES.zone(replay.distance, replay.similarity) is not Zone.ACCEPT
    assert history.likeness(template("obama.jpg"), ZONES) == []  # a new photo
    skipped = frozenset({"sha-obama2.jpg"})
    assert history.likeness(copy, ZONES, skipped) == []


def test_history_gives_the_most_severe_zone_first_then_the_closest() -> None:
    """Three earlier photos a probe looks like: the closest one has no signature (REVIEW by
    its distance alone), the next is close by both measures (REFUSE), the farthest is REVIEW.
    The REFUSE one comes first, then the REVIEW ones by distance."""
    base = template("obama.jpg")
    history = PhotoHistory()
    for digest, shift, signature in (
        ("far", 0.45, base.signature),
        ("unsigned", 0.05, None),
        ("near", 0.1, base.signature),
    ):
        vector = base.vector.copy()
        vector[0] += np.float32(shift)
        history = history.with_photo(digest, FaceTemplate(vector, signature))

    def ranked(zones: ReplayZones) -> list[tuple[str, Zone]]:
        return [(history.digests[r.index], z) for r, z in history.likeness(base, zones)]

    assert ranked(ReplayZones(0.5, 0.9, 0.15, 0.9)) == [
        ("near", Zone.REFUSE),
        ("unsigned", Zone.REVIEW),
        ("far", Zone.REVIEW),
    ]
    # a similarity line above 1 switches that measure off: the distance alone, closest first
    assert ranked(ReplayZones(0.5, 1.5, 0.15, 1.5)) == [
        ("unsigned", Zone.REVIEW),
        ("near", Zone.REVIEW),
        ("far", Zone.REVIEW),
    ]
    assert ranked(ReplayZones(0.04, 1.5, 0.0, 1.5)) == []


def test_history_keeps_the_newest_photos_once_each() -> None:
    base = template("obama.jpg")
    history = PhotoHistory()
    for i in range(PhotoHistory.LIMIT + 5):
        vector = base.vector + np.float32(i) * 0.01
        history = history.with_photo(f"d{i}", FaceTemplate(vector, base.signature))
    assert len(history) == PhotoHistory.LIMIT
    assert history.digests[0] == "d5"
    assert history.digests[-1] == f"d{PhotoHistory.LIMIT + 4}"
    assert history.with_photo("d7", base) is history
    without_signature = history.with_photo("plain", FaceTemplate.from_bytes(base.to_bytes()))
    assert without_signature.signature(len(without_signature) - 1) is None
    assert without_signature.signature(0) == base.signature
    assert repr(without_signature) == "PhotoHistory(<200 photos>)"


def test_zones_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FACE_REPLAY_MAX_DISTANCE",
        "FACE_REPLAY_MIN_SIMILARITY",
        "FACE_REPLAY_REFUSE_MAX_DISTANCE",
        "FACE_REPLAY_REFUSE_MIN_SIMILARITY",
    ):
        monkeypatch.delenv(name, raising=False)
    config.settings.cache_clear()
    assert replay_zones() == ReplayZones()
    monkeypatch.setenv("FACE_REPLAY_MAX_DISTANCE", "0.25")
    monkeypatch.setenv("FACE_REPLAY_MIN_SIMILARITY", " 0.7 ")
    config.settings.cache_clear()
    assert replay_zones() == ReplayZones(
        0.25, 0.7, REPLAY_REFUSE_MAX_DISTANCE, REPLAY_REFUSE_MIN_SIMILARITY
    )
    monkeypatch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
    monkeypatch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
    config.settings.cache_clear()
    off = replay_zones()
    copy = copy_templates("obama.jpg")["rotated-8deg"]
    assert caught(template("obama.jpg"), copy) != Zone.ACCEPT  # with the deployed lines
    assert caught(template("obama.jpg"), copy, off) == Zone.ACCEPT  # switched off
    monkeypatch.setenv("FACE_REPLAY_MIN_SIMILARITY", "high")
    config.settings.cache_clear()
    with pytest.raises(config.SettingsError, match="FACE_REPLAY_MIN_SIMILARITY"):
        replay_zones()
