"""One upload, one object version, on the face function's path under moto (a versioned bucket
with Object Lock, as template.yaml makes it): a check keeps the version and SHA-256 of the photo
it was decided on, and another version posted under its key is refused and deleted."""

from __future__ import annotations

import hashlib
from typing import Any

from enforcement.checkin import decisions
from enforcement.checkin.models import Check
from enforcement.models import Upload

from scripts.check_face_image import FaceWorld
from tests import photos
from tests.unit.test_face_check import world  # noqa: F401 - the moto world fixture


def handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """The face function's work for one S3 event: the key and the version it names."""
    obj = event["Records"][0]["s3"]["object"]
    return {"records": [decisions.process_upload(obj["key"], obj.get("versionId"))]}


def versions(aws: FaceWorld, key: str) -> list[str]:
    listed = aws.s3.list_object_versions(Bucket=aws.bucket, Prefix=key).get("Versions", [])
    return [v["VersionId"] for v in listed if v["Key"] == key]


def test_a_check_keeps_its_photo_and_refuses_a_second_post(world: Any) -> None:  # noqa: F811
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    live = photos.photo_bytes("obama2.jpg")
    decided = aws.check("li", live, handle)
    assert decided["outcome"] == "verified", decided
    key = decided["key"]
    [first] = versions(aws, key)
    ticket = Upload.get(key, consistent_read=True)
    check = Check.get(ticket.subject_id, consistent_read=True)
    assert (check.photo_version, check.photo_sha256) == (first, hashlib.sha256(live).hexdigest())
    assert (ticket.version_id, ticket.sha256) == (first, check.photo_sha256)

    again = aws.deliver(key, photos.photo_bytes("biden.jpg"), handle)["records"][0]
    assert again["outcome"] == "replacement_refused"
    assert versions(aws, key) == [first]
    assert aws.s3.get_object(Bucket=aws.bucket, Key=key)["Body"].read() == live
    after = Check.get(check.check_id, consistent_read=True)
    assert (after.status, after.photo_version, after.photo_sha256, after.decided_at) == (
        "verified",
        first,
        check.photo_sha256,
        check.decided_at,
    )
    assert Upload.get(key, consistent_read=True).refused_versions == {again["version_id"]}


def test_an_event_for_a_version_that_never_existed_changes_nothing(world: Any) -> None:  # noqa: F811
    aws: FaceWorld = world.aws
    aws.enrol("wang", photos.photo_bytes("obama.jpg"), handle)
    decided = aws.check("wang", photos.photo_bytes("obama2.jpg"), handle)
    key = decided["key"]
    forged = {"Records": [{"s3": {"object": {"key": key, "versionId": "no-such-version"}}}]}
    assert handle(forged, None)["records"][0]["outcome"] == "object_missing"
    assert Upload.get(key, consistent_read=True).refused_versions is None
    assert len(versions(aws, key)) == 1


def test_a_photo_over_the_face_pixel_limit_is_refused_from_its_header(
    world: Any,  # noqa: F811
    monkeypatch: Any,
) -> None:
    from enforcement import config
    from enforcement.face.configured import engine_config
    from PIL import ImageFile

    monkeypatch.setenv("FACE_MAX_PIXELS", str(640 * 480))
    config.settings.cache_clear()
    assert engine_config().max_pixels == 640 * 480

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    aws: FaceWorld = world.aws
    enrolled = aws.enrol("zhao", photos.gradient_jpeg(641, 480), handle)
    assert enrolled == {**enrolled, "outcome": "rejected", "error": "image_too_many_pixels"}
    assert versions(aws, enrolled["key"]) == []  # the refused photo is deleted, version and all
