"""Identifying a driver by face: the pure rules (which candidates, which are a match, what an
officer may confirm), and the driver handler's S3 path under moto with real photographs
(dlib's "johns": two photos of one man from different occasions, and other men): a driver
enrolled from one photo is found first, marked a match, from the other; a stranger is not
marked; a photo without a face or with two fails with the engine's code; a re-delivered
event changes nothing."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from enforcement import audit, clients, config, jurisdictions
from enforcement.face.configured import match_zones
from enforcement.models import Upload
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import DriverFace, FaceSearch, driver_key
from enforcement.ticketing.face_uploads import process
from enforcement.ticketing.models import audit_chain
from moto import mock_aws

from scripts.check_face_image import ENVIRONMENT, FaceWorld
from tests import photos

JOHNS = photos.PHOTOS_DIR / "johns"
SAVAGE = ("John_Savage/000274_01099061.jpg", "John_Savage/000290_01099090.jpg")
OTHERS = ("John_Simm/000300_00470148.jpg", "John_Salley/000179_02159509.jpg")


def johns(name: str) -> bytes:
    path = JOHNS / name
    if not path.is_file():
        raise photos.MissingPhotoError(f"{path} is missing: run scripts/fetch_photos.py")
    return path.read_bytes()


# ------------------------------------------------------------------ the rules


def test_candidates_are_the_nearest_first_marked_within_the_line() -> None:
    hits = [("b", 0.62), ("a", 0.41), ("c", 0.50), ("d", 0.50000001), ("e", 0.9), ("f", 0.3)]
    found = face_rules.candidates(hits, 0.5, k=5)
    assert [c.licence_number for c in found] == ["f", "a", "c", "d", "b"]
    assert [c.match for c in found] == [True, True, True, False, False]  # the line itself: match
    assert face_rules.candidates([], 0.5) == []
    # ties in distance: by licence number, whatever order the index answered
    assert [c.licence_number for c in face_rules.candidates([("z", 0.4), ("y", 0.4)], 0.5)] == [
        "y",
        "z",
    ]


def test_an_officer_confirms_once_one_candidate_or_none() -> None:
    refusal = face_rules.confirmation_refusal
    assert refusal("searched", None, ["a", "b"], "b") is None
    assert refusal("searched", None, ["a", "b"], None) is None  # none of them
    assert refusal("searched", None, [], None) is None
    assert refusal("awaiting_photo", None, [], None)[0] == "search_not_ready"  # type: ignore[index]
    assert refusal("failed", None, [], None)[0] == "search_not_ready"  # type: ignore[index]
    assert refusal("searched", "a", ["a"], "a")[0] == "search_confirmed"  # type: ignore[index]
    assert refusal("searched", None, ["a"], "c")[0] == "not_a_candidate"  # type: ignore[index]


# ------------------------------------------------------------------ the handler's path


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FaceWorld, str]]:
    for name in list(os.environ):
        if (
            name.startswith("AWS_ENDPOINT_URL")
            or name.endswith("_TABLE")
            or name
            in (
                "UPLOAD_BUCKET",
                "NOTIFICATIONS_TOPIC_ARN",
            )
        ):
            monkeypatch.delenv(name)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TMPDIR", str(os.environ.get("TMPDIR", "/tmp")))
    clients.reset()
    city = f"yantai-{secrets.token_hex(3)}"
    with mock_aws():
        aws = FaceWorld()
        jurisdictions.register("admin:seed", "traffic-police", city)
        yield aws, city
    clients.reset()
    config.settings.cache_clear()


def handle(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    from urllib.parse import unquote_plus

    record = event["Records"][0]["s3"]["object"]
    return {"records": [process(unquote_plus(record["key"]), record["versionId"])]}


def licence() -> str:
    return f"370602199{secrets.randbelow(10**9):09d}"


def test_a_driver_enrolled_from_one_photo_is_found_from_another(
    world: tuple[FaceWorld, str],
) -> None:
    aws, city = world
    savage, simm, salley = licence(), licence(), licence()
    for number, photo in ((savage, SAVAGE[0]), (simm, OTHERS[0]), (salley, OTHERS[1])):
        assert aws.enrol_driver(city, number, johns(photo), handle)["outcome"] == "enrolled"
    face = DriverFace.get(driver_key(city, savage), consistent_read=True)
    assert (face.face_status, face.face_error) == ("enrolled", None)
    assert face.reference_version
    assert face.reference_digest
    assert face.engine == "face_recognition-1.3.0/hog-upsample-0"  # one index, one setting

    search_id, result = aws.search_driver(city, johns(SAVAGE[1]), handle, reason="no licence")
    assert result["outcome"] == "searched"
    search = FaceSearch.get(search_id, consistent_read=True)
    assert search.status == "searched"
    assert search.threshold == match_zones().accept_max
    found = [(c.licence_number, c.match) for c in search.candidates or []]
    assert found[0] == (savage, "match")  # the same man, another photo: first, and a match
    assert {number for number, _ in found} == {savage, simm, salley}  # fewer than 5 enrolled
    assert all(match == "no_match" for _, match in found[1:])  # strangers are not marked
    distances = [float(c.distance) for c in search.candidates or []]
    assert distances == sorted(distances)

    # the search is in the city's audit log with the officer, the reason and the result
    chain = audit_chain(city).chain(f"face_search:{search_id}")
    [entry] = [e for e in audit.entries(chain) if e.target == f"face_search:{search_id}"]
    assert entry.action == "face_search.searched"
    assert entry.actor == "officer:image-check"
    assert '"reason":"no licence"' in entry.details
    assert savage in entry.details

    # the same event again changes nothing
    again = aws.deliver(search.photo_key, johns(SAVAGE[1]), handle)["records"][0]
    assert again["outcome"] == "replacement_refused"  # a second post of the grant
    record = {"Records": [_event(search.photo_key, search.photo_version)]}
    assert handle(record, None)["records"][0]["outcome"] == "duplicate"
    after = FaceSearch.get(search_id, consistent_read=True)
    assert after.searched_at == search.searched_at
    assert [c.as_dict() for c in after.candidates or []] == [
        c.as_dict() for c in search.candidates or []
    ]


def _event(key: str, version: str | None) -> dict[str, Any]:
    return {"s3": {"object": {"key": key, "versionId": version}}}


def test_a_photo_without_one_face_fails_with_the_engines_reason(
    world: tuple[FaceWorld, str],
) -> None:
    aws, city = world
    number = licence()
    failed = aws.enrol_driver(city, number, photos.background(), handle)
    assert failed == {"key": failed["key"], "outcome": "rejected", "error": "no_face"}
    face = DriverFace.get(driver_key(city, number), consistent_read=True)
    assert (face.face_status, face.face_error) == ("failed", "no_face")
    assert Upload.get(failed["key"]).status == "rejected"

    search_id, result = aws.search_driver(city, photos.side_by_side(), handle)
    assert (result["outcome"], result["error"]) == ("failed", "multiple_faces")
    search = FaceSearch.get(search_id, consistent_read=True)
    assert (search.status, search.error, search.candidates) == ("failed", "multiple_faces", None)

    # drivers' photos are detected without upsampling: a distant face (~43 px at the engine's
    # 800 px, which a crew check would accept) is too small, not absent
    _, result = aws.search_driver(city, photos.distant(), handle)
    assert (result["outcome"], result["error"]) == ("failed", "face_too_small")


def test_a_search_reads_once_and_writes_once(world: tuple[FaceWorld, str]) -> None:
    """Photo landed -> candidates stored: one BatchGetItem (ticket, search, the audit chain's
    head), the photo's GET, one transaction; the city's index already loaded by the process,
    its new entries listed beside the encoding (the manifest's GET and one listing)."""
    from benchmarks.metering import AwsMeter

    aws, city = world
    aws.enrol_driver(city, licence(), johns(SAVAGE[0]), handle)
    aws.search_driver(city, johns(SAVAGE[1]), handle)  # loads the city's index
    meter = AwsMeter()
    usages = []

    def metered(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with meter.measure() as usage:
            answer = handle(event, context)
        usages.append(usage)
        return answer

    _, result = aws.search_driver(city, johns(SAVAGE[1]), metered)
    assert result["outcome"] == "searched"
    assert dict(usages[0].calls) == {
        "dynamodb:BatchGetItem": 1,
        "s3:GetObject": 2,  # the photo; the index's manifest
        "s3:ListObjectsV2": 1,  # the index's new entries
        "dynamodb:TransactWriteItems": 1,
    }


def test_a_search_sees_what_another_process_enrolled_just_before(
    world: tuple[FaceWorld, str],
) -> None:
    """The process holds the city's index from its last search; another process enrols a
    driver; the next search, seconds later, offers that driver first."""
    from enforcement.face import engine
    from enforcement.face.configured import driver_engine_config
    from enforcement.face.index import IndexStore
    from enforcement.ticketing.face_models import index_name

    aws, city = world
    aws.enrol_driver(city, licence(), johns(OTHERS[0]), handle)
    aws.search_driver(city, johns(OTHERS[1]), handle)  # this process holds the index now
    number = licence()
    elsewhere = engine.encode(johns(SAVAGE[0]), driver_engine_config())
    IndexStore(index_name(city)).add(number, elsewhere)  # not through this process's index
    search_id, result = aws.search_driver(city, johns(SAVAGE[1]), handle)
    assert result["outcome"] == "searched"
    candidates = FaceSearch.get(search_id, consistent_read=True).candidates or []
    assert candidates[0].licence_number == number


def test_the_driver_function_loads_the_configured_cities_indexes_at_init(
    world: tuple[FaceWorld, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    from pathlib import Path

    from enforcement.face import index as face_index

    _, city = world
    loaded: list[str] = []
    monkeypatch.setattr(face_index, "preload", lambda names: loaded.extend(names))
    monkeypatch.setenv("DRIVER_INDEX_PRELOAD_CITIES", f"{city},weihai")
    config.settings.cache_clear()
    path = Path(__file__).parents[2] / "functions" / "face" / "drivers.py"
    spec = importlib.util.spec_from_file_location("driver_face_handler", path)
    assert spec
    assert spec.loader
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert loaded == [f"drivers-{city}", "drivers-weihai"]
