"""The used-photo history (`enforcement.face.replays`) under moto: one small item per photo,
read by one Query of the newest few, written once, deleted by TTL; its cost does not depend on
how many checks came before."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from enforcement import clock, config
from enforcement.checkin.models import FaceRecord
from enforcement.face import engine, replays
from enforcement.face.engine import EngineConfig, FaceTemplate
from enforcement.face.replays import UsedPhotoLog
from enforcement.face.zones import ReplayZones, Zone
from enforcement.models import UsedPhoto, UsedPhotos
from moto import mock_aws
from PIL import Image
from pynamodb.connection.base import Connection
from samtranslator.yaml_helper import yaml_parse

from scripts.check_face_image import ENVIRONMENT
from tests import photos

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(__import__("os").environ):
        if name.startswith("AWS_ENDPOINT_URL") or name.endswith("_TABLE"):
            monkeypatch.delenv(name)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    with mock_aws():
        for model in (UsedPhoto, UsedPhotos):
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield
    config.settings.cache_clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every DynamoDB call pynamodb makes: (operation, request, response)."""
    made: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    original = Connection._make_api_call

    def recording(self: Connection, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            response: dict[str, Any] = original(self, operation, kwargs)
        except Exception:
            made.append((operation, kwargs, {"error": True}))
            raise
        made.append((operation, kwargs, response))
        return response

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return made


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def settings(monkeypatch: pytest.MonkeyPatch, **values: int) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name.upper(), str(value))
    config.settings.cache_clear()


def other(seed: int) -> FaceTemplate:
    """A template far from every photo's (another face), without a signature."""
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return FaceTemplate(vector / np.linalg.norm(vector))


@cache
def template(name: str, turn: float = 0.0) -> FaceTemplate:
    if not turn:
        return engine.encode(photos.photo_bytes(name), EngineConfig())
    out = io.BytesIO()
    photos.open_rgb(name).rotate(turn, Image.Resampling.BICUBIC).save(out, "JPEG", quality=88)
    return engine.encode(out.getvalue(), EngineConfig())


def remember_many(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    for i in range(count):
        at(monkeypatch, NOW + timedelta(minutes=i))
        UsedPhotoLog("crew#li", UsedPhotoLog.load("crew#li").history).remember(f"d{i}", other(i))


def test_a_check_reads_the_newest_photos_in_one_query_however_many_came_before(
    aws: None, monkeypatch: pytest.MonkeyPatch, calls: list[Any]
) -> None:
    settings(monkeypatch, face_history_photos=5)
    remember_many(monkeypatch, 30)
    calls.clear()
    log = UsedPhotoLog.load("crew#li")
    assert [(operation, request["Limit"]) for operation, request, _ in calls] == [("Query", 5)]
    assert calls[0][2]["Count"] == 5  # items read: the window, not the 30 stored
    assert not calls[0][1].get("ConsistentRead")  # a second's staleness is harmless here
    # the table itself, backwards: its sort key orders by time (d3 sorts after d29 by name)
    assert "IndexName" not in calls[0][1]
    assert calls[0][1]["ScanIndexForward"] is False
    assert log.history.digests == ("d25", "d26", "d27", "d28", "d29")  # oldest first
    assert UsedPhoto.count("used#crew#li") == 30  # each photo its own item, none rewritten


def test_remember_writes_one_small_item_once(
    aws: None, monkeypatch: pytest.MonkeyPatch, calls: list[Any]
) -> None:
    settings(monkeypatch, face_history_days=7)
    at(monkeypatch, NOW)
    photo = template("obama2.jpg")
    first = UsedPhotoLog.load("crew#li")
    stale = UsedPhotoLog.load("crew#li")  # read before the first write (a re-delivery racing)
    calls.clear()
    checked = clock.iso(NOW - timedelta(seconds=5))  # the check's created time
    first.remember("digest-a", photo, checked)
    assert [operation for operation, _, _ in calls] == ["PutItem"]
    item = UsedPhoto.get("used#crew#li", f"{checked}#digest-a")
    assert item.expires_at == int(NOW.timestamp()) + 7 * 86_400  # the TTL attribute
    assert (len(bytes(item.template)), len(bytes(item.signature))) == (512, 256)
    assert item.used_at == checked
    assert item.pixels == photo.pixel_digest  # the key of its decision's PhotoDigest
    assert item.digest == "digest-a"

    calls.clear()
    at(monkeypatch, NOW + timedelta(minutes=3))
    # the same check delivered again: the same key, the put is conditional: nothing written
    stale.remember("digest-a", photo, checked)
    assert [operation for operation, _, response in calls] == ["PutItem"]
    assert calls[0][2] == {"error": True}  # ConditionalCheckFailed, swallowed
    assert UsedPhoto.get("used#crew#li", f"{checked}#digest-a").used_at == checked
    assert UsedPhoto.count("used#crew#li") == 1
    assert stale.history.digests == ("digest-a",)

    calls.clear()
    UsedPhotoLog.load("crew#li").remember("digest-a", photo)  # read first: not even a put
    assert [operation for operation, _, _ in calls] == ["Query"]


def test_the_old_single_item_is_neither_written_nor_read(aws: None) -> None:
    UsedPhotos(
        "used#crew#li", templates=b"\0" * 512, signatures=b"\0" * 256, digests=["old"],
        updated_at="2026-01-01T00:00:00.000Z",
    ).save()  # fmt: skip
    log = UsedPhotoLog.load("crew#li")
    assert log.history.digests == ()  # ignored: a history starts empty in the new table
    log.remember("new", template("obama2.jpg"))
    assert UsedPhotos.get("used#crew#li").digests == ["old"]  # not rewritten
    with pytest.raises(UsedPhotos.DoesNotExist):
        UsedPhotos.get("used#crew#wang")
    UsedPhotoLog.load("crew#wang").remember("w", template("obama3.jpg"))
    with pytest.raises(UsedPhotos.DoesNotExist):
        UsedPhotos.get("used#crew#wang")  # a new history writes no old-format item


def test_the_old_items_are_dropped_and_face_records_kept(aws: None) -> None:
    FaceRecord(
        "crew#li", template=b"\0" * 512, reference_digest="r", enrolled_at="t", engine="e"
    ).save()
    for crew in ("li", "wang"):
        UsedPhotos(
            f"used#crew#{crew}", templates=b"", signatures=b"", digests=[], updated_at="t"
        ).save()
    assert replays.drop_legacy_histories() == 2
    assert UsedPhotos.count() == 1  # the face record (same table) only
    assert FaceRecord.get("crew#li").reference_digest == "r"


def test_a_copy_of_a_recent_photo_is_found_and_an_older_one_only_by_its_bytes(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trade-off: near copies are caught within the window only (exact copies are caught
    for ever by the global photo digests, not here)."""
    settings(monkeypatch, face_history_photos=3)
    at(monkeypatch, NOW)
    UsedPhotoLog.load("crew#li").remember("obama2", template("obama2.jpg"))
    copy = template("obama2.jpg", turn=4)
    found = UsedPhotoLog.load("crew#li").likeness(copy, None, lambda d: True, ReplayZones())
    assert found is not None
    assert found[0] == "obama2"
    assert found[2] is not Zone.ACCEPT
    for i in range(3):  # three newer photos push it out of the window
        at(monkeypatch, NOW + timedelta(minutes=i + 1))
        UsedPhotoLog.load("crew#li").remember(f"later{i}", other(i))
    assert UsedPhotoLog.load("crew#li").likeness(copy, None, lambda d: True, ReplayZones()) is None


def test_expired_photos_are_ignored_until_dynamodb_deletes_them(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings(monkeypatch, face_history_days=1)
    at(monkeypatch, NOW)
    UsedPhotoLog.load("crew#li").remember("old", other(1))
    at(monkeypatch, NOW + timedelta(hours=23))
    assert UsedPhotoLog.load("crew#li").history.digests == ("old",)
    at(monkeypatch, NOW + timedelta(days=1, seconds=1))
    assert UsedPhotoLog.load("crew#li").history.digests == ()


def test_the_table_in_the_template_is_the_models() -> None:
    """Keys (time-ordered sort key, no index) and the TTL attribute as the code uses them."""
    table = yaml_parse(TEMPLATE.read_text())["Resources"]["UsedPhotosTable"]["Properties"]
    keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
    assert keys == {
        UsedPhoto.history.attr_name: "HASH",
        UsedPhoto.used.attr_name: "RANGE",
    }
    assert "LocalSecondaryIndexes" not in table
    assert "GlobalSecondaryIndexes" not in table
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert UsedPhoto.expires_at.attr_name == "expires_at"
