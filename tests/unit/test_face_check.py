"""The face check of uploaded photos (face_checks.face_check), on real photographs under moto:
new photos of the enrolled person verify; the reference photo, a photo already used, and any
copy of either (re-encoded, resized, rotated, mirrored, printed, on a screen) are replays."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

import numpy as np
import pytest
from enforcement import config, notify, uploads
from enforcement.checkin import decisions, face_checks
from enforcement.checkin.models import FaceRecord
from enforcement.face import engine
from enforcement.face.engine import EngineConfig, FaceTemplate, image_digest
from enforcement.face.replays import UsedPhotoLog
from enforcement.face.zones import ReplayZones, Zone
from enforcement.models import UsedPhoto
from moto import mock_aws
from PIL import Image

from scripts.check_face_image import ENVIRONMENT, FaceWorld
from tests import photos

CONFIG = EngineConfig()


def _forget_clients() -> None:
    """Cached settings and clients may point at another stack (the integration tests')."""
    config.settings.cache_clear()
    uploads.s3_client.cache_clear()
    notify._sns.cache_clear()


@dataclass
class World:
    aws: FaceWorld

    def handle(self, event: dict[str, Any], _context: Any) -> dict[str, Any]:
        key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
        return {"records": [decisions.process_upload(key)]}

    def enrol(self, crew_id: str, photo: bytes) -> dict[str, Any]:
        return self.aws.enrol(crew_id, photo, self.handle)

    def check(self, crew_id: str, photo: bytes) -> list[str]:
        """The reasons a link check with this photo failed or waits for review ([] when it
        verified)."""
        record = self.aws.check(crew_id, photo, self.handle)
        assert record["outcome"] in ("verified", "failed", "pending_review"), record
        reasons: list[str] = record.get("reasons", [])
        return reasons


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in list(__import__("os").environ):
        if (
            name.startswith("AWS_ENDPOINT_URL")
            or name.endswith("_TABLE")
            or name
            in (
                "UPLOAD_BUCKET",
                "NOTIFICATIONS_TOPIC_ARN",
                "FACE_MATCH_THRESHOLD",
            )
        ):
            monkeypatch.delenv(name)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    _forget_clients()
    with mock_aws():
        yield World(FaceWorld())
    _forget_clients()


@cache
def jpeg(name: str, turn: float = 0.0, scale: float = 1.0) -> bytes:
    image = photos.open_rgb(name)
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    if turn:
        image = image.rotate(turn, Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


# ------------------------------------------------------------------ through the S3 event path


def test_new_photos_verify_and_copies_of_used_ones_are_replays(world: World) -> None:
    assert world.enrol("li", photos.photo_bytes("obama.jpg"))["outcome"] == "enrolled"
    assert world.check("li", photos.photo_bytes("obama2.jpg")) == []
    assert world.check("li", photos.photo_bytes("obama3.jpg")) == []  # another new photo
    # the photos already used, sent again: the same bytes, or copies of them
    assert world.check("li", photos.photo_bytes("obama2.jpg")) == ["face:replayed_photo"]
    assert world.check("li", jpeg("obama2.jpg", turn=4)) == ["face:replayed_photo"]
    assert world.check("li", jpeg("obama3.jpg", scale=0.5)) == ["face:replayed_photo"]
    assert world.check("li", photos.copies("obama3.jpg")["mirrored"]) == ["face:replayed_photo"]
    assert world.check("li", photos.photo_bytes("32bit.png")) == ["face:replayed_photo"]
    used = list(UsedPhoto.query("used#crew#li"))
    assert len(used) == 2  # the two verified photos only, one item each
    assert [len(bytes(item.template)) for item in used] == [512, 512]
    assert [len(bytes(item.signature)) for item in used] == [256, 256]


@pytest.mark.parametrize(
    "copy",
    [
        lambda: photos.photo_bytes("obama.jpg"),
        lambda: jpeg("obama.jpg", turn=-6),
        lambda: photos.photo_bytes("obama_partial_face.jpg"),
        lambda: photos.copies("obama.jpg")["printed"],
        lambda: photos.copies("obama.jpg")["on-a-screen"],
    ],
    ids=["same-file", "rotated", "cropped", "printed", "on-a-screen"],
)
def test_the_reference_photo_held_up_to_the_camera_is_never_verified(
    world: World, copy: Callable[[], bytes]
) -> None:
    """The same file is refused outright; a copy is refused or, where only one replay measure
    is sure, sent to an officer: never verified."""
    world.enrol("wang", photos.photo_bytes("obama.jpg"))
    reasons = world.check("wang", copy())
    if copy() == photos.photo_bytes("obama.jpg"):
        assert reasons == ["face:replayed_reference_photo"]
    assert reasons in (["face:replayed_reference_photo"], ["face:possible_replay_of_reference"])


def test_someone_elses_photo_is_a_mismatch_and_not_remembered(world: World) -> None:
    world.enrol("li", photos.photo_bytes("obama.jpg"))
    assert world.check("li", photos.photo_bytes("biden.jpg")) == ["face:face_mismatch"]
    assert list(UsedPhoto.query("used#crew#li")) == []


def test_used_photos_are_per_crew_member(world: World) -> None:
    world.enrol("li", photos.photo_bytes("obama.jpg"))
    world.enrol("li-again", photos.photo_bytes("obama3.jpg"))  # the same face, another record
    assert world.check("li", photos.photo_bytes("obama2.jpg")) == []
    # another record: not a replay of its own photos (the exact bytes still are, by digest)
    assert world.check("li-again", jpeg("obama2.jpg", turn=2)) == []
    assert world.check("li-again", photos.photo_bytes("obama2.jpg")) == ["face:replayed_photo"]


# ------------------------------------------------------------------ face_check itself


@cache
def template(name: str) -> FaceTemplate:
    return engine.encode(photos.photo_bytes(name), CONFIG)


def enrolled(crew_id: str, name: str, with_signature: bool) -> FaceTemplate:
    reference = template(name)
    signature = reference.signature.to_bytes() if reference.signature else None
    FaceRecord(
        f"crew#{crew_id}",
        template=reference.to_bytes(),
        reference_digest=image_digest(photos.photo_bytes(name)),
        enrolled_at="2026-11-23T00:00:00.000Z",
        engine="face_recognition-1.3.0",
        reference_signature=signature if with_signature else None,
    ).save()
    return reference


def shifted(base: FaceTemplate, distance: float) -> FaceTemplate:
    """The same photo's signature on a template `distance` away: a copy the template distance
    alone would not recognise (as a heavily degraded copy can be)."""
    direction = np.random.default_rng(3).normal(size=128).astype(np.float32)
    direction /= np.linalg.norm(direction)
    return FaceTemplate(base.vector + direction * np.float32(distance), base.signature)


def test_a_stored_reference_signature_catches_what_the_distance_misses(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy 0.4 from the reference (past the replay distance's lines) whose signature is the
    reference's: the similarity alone sends it to review; without a stored signature it
    passes."""
    for name, value in {
        "FACE_MATCH_THRESHOLD": "0.5",
        "FACE_MATCH_REFUSE_MIN": "0.7",
        "FACE_REPLAY_MAX_DISTANCE": "0.3",
        "FACE_REPLAY_MIN_SIMILARITY": "0.6",
        "FACE_REPLAY_REFUSE_MAX_DISTANCE": "0.15",
        "FACE_REPLAY_REFUSE_MIN_SIMILARITY": "0.9",
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    reference = enrolled("li", "obama.jpg", with_signature=True)
    far_copy = face_checks.Photo(shifted(reference, 0.4), None, "digest-far-copy")
    outcome = face_checks.face_check("li", far_copy)
    assert (outcome.passed, outcome.review) == (False, True)
    assert outcome.reason == "possible_replay_of_reference"

    enrolled("wang", "obama.jpg", with_signature=False)  # enrolled before signatures existed
    outcome = face_checks.face_check("wang", far_copy)
    assert (outcome.passed, outcome.reason) == (True, "face_matches")


def test_an_attempt_that_was_not_committed_is_not_a_replay_of_itself(world: World) -> None:
    """face_check records the photo before the decision's transaction, which may fail; the S3
    event is then delivered again and the same photo must still verify."""
    enrolled("li", "obama.jpg", with_signature=True)
    digest = image_digest(photos.photo_bytes("obama2.jpg"))
    photo = face_checks.Photo(template("obama2.jpg"), None, digest)
    assert face_checks.face_check("li", photo).passed
    assert face_checks.face_check("li", photo).passed  # processed again: still fine
    copy = face_checks.Photo(engine.encode(jpeg("obama2.jpg", turn=3), CONFIG), None, "digest-copy")
    assert face_checks.face_check("li", copy).passed  # its original was never decided
    for seen in face_checks.seen_records(photo, "uploads/check/x", "now"):  # as decided
        seen.save()
    assert face_checks.face_check("li", copy).reason == "replayed_photo"
    assert face_checks.face_check("li", photo).reason == "replayed_photo"
    assert UsedPhoto.count("used#crew#li") == 2  # obama2 once, its copy once


def test_concurrent_writers_do_not_lose_photos(world: World) -> None:
    first = UsedPhotoLog.load("crew#li")
    second = UsedPhotoLog.load("crew#li")  # read before the first one writes
    first.remember("a", template("obama2.jpg"))
    second.remember("b", template("obama3.jpg"))  # its version is stale: re-read and retried
    stored = UsedPhotoLog.load("crew#li")
    assert stored.history.digests == ("a", "b")
    probe = engine.encode(jpeg("obama3.jpg", turn=5), CONFIG)
    found = stored.likeness(probe, None, committed=lambda digest: True, zones=ReplayZones())
    assert found is not None
    assert (found[0], found[2]) == ("b", ReplayZones().zone(found[1].distance, found[1].similarity))
    assert found[2] is not Zone.ACCEPT
    uncommitted = stored.likeness(probe, None, lambda digest: digest != "b", ReplayZones())
    assert uncommitted is None
    assert stored.likeness(probe, "b", lambda digest: True, ReplayZones()) is None  # its own


def test_near_duplicate_test_can_be_switched_off_leaving_exact_replays(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
    monkeypatch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
    config.settings.cache_clear()  # read once per process: the deployment changes here
    world.enrol("li", photos.photo_bytes("obama.jpg"))
    assert world.check("li", jpeg("obama.jpg", turn=-6)) == []
    assert world.check("li", photos.photo_bytes("obama.jpg")) == ["face:replayed_reference_photo"]
    assert world.check("li", jpeg("obama.jpg", turn=-6)) == ["face:replayed_photo"]
