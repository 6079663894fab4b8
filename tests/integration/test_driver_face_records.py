"""A driver's face over real HTTP against the local stack, after its first enrolment: removed by
an admin of the city's agency (and by a registry import that revokes the licence), a refused
re-enrolment that keeps the enrolled face searched, and the city's searches of a day as a
supervisor reads them. Real photographs (dlib's "johns"), a city of its own: two drivers
enrolled for the module (read only), each test its own drivers and searches."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from enforcement.auth import Role

from tests import photos
from tests.integration.client import Client, upload, wait_for
from tests.integration.people import crew_account
from tests.integration.test_driver_face_search import (
    SALLEY,
    SAVAGE,
    SIMM,
    City,
    johns,
    licence_number,
    make_city,
    register_driver,
)
from tests.integration.test_ticketing_roadside import send

pytestmark = pytest.mark.slow

SCHNEIDER = "John_Schneider/000288_00925786.jpg"
SHIMKUS = ("John_Shimkus/000373_03228153.jpg", "John_Shimkus/000375_03227651.jpg")
LATE = ("John_Schneider/000302_00925785.jpg", "John_Schneider/000307_00925823.jpg")


class Town(City):
    other_officer: Client  # a second officer of the city

    def face(self, licence: str) -> str:
        return self.path(f"/drivers/{licence}/face")

    def enrolment(self, licence: str) -> dict[str, Any]:
        found: dict[str, Any] = self.officer.get(self.path(f"/drivers/{licence}/face-enrolment"))
        return found

    def remove(self, licence: str, reason: str = "licence photo of another person") -> Any:
        return self.admin.call("DELETE", self.face(licence), {"reason": reason})

    def day(self, client: Client, **query: Any) -> dict[str, Any]:
        found: dict[str, Any] = client.get(self.path("/face-searches"), params=query)
        return found


@pytest.fixture(scope="module")
def town(stack: Any) -> Town:
    """A city of its own with two drivers enrolled (the tests only read them)."""
    drivers = (("simm", SIMM, "西姆"), ("salley", SALLEY, "萨利"))
    town, account = make_city(stack, "penglai", drivers, Town, "r")
    town.other_officer = account(f"roth{secrets.token_hex(3)}", Role.OFFICER, town.name)
    return town


def _in_index(town: Town, licence: str) -> bool:
    """Whether the city's index, as stored in S3 (base and every delta), holds the driver."""
    from enforcement.face.index import IndexStore
    from enforcement.ticketing.face_models import index_name

    return licence in IndexStore(index_name(town.name)).load()


def _entries(town: Town, licence: str) -> list[Any]:
    from enforcement import audit
    from enforcement.ticketing.models import audit_chain

    target = f"driver:{town.name}/{licence}"
    chain = audit_chain(town.name).chain(target)
    assert audit.verify_chain(chain).ok
    return [e for e in audit.entries(chain) if e.target == target]


# ------------------------------------------------------------------ removal


def test_an_admin_removes_a_drivers_face_and_no_search_offers_the_driver_again(
    town: Town,
) -> None:
    from enforcement import uploads
    from enforcement.config import settings
    from enforcement.ticketing.face_models import DriverFace, driver_key

    number = licence_number()
    register_driver(town.name, number, "萨维奇")
    assert town.enrol(number, johns(SAVAGE[0]))["face_status"] == "enrolled"
    before = town.search(johns(SAVAGE[1]))
    assert (before["candidates"][0]["licence_number"], before["candidates"][0]["match"]) == (
        number,
        True,
    )
    reference = DriverFace.get(driver_key(town.name, number))
    assert reference.reference_key
    assert _in_index(town, number)

    removed = town.remove(number, reason="the photo on record is of another person")
    assert removed.status_code == 200, removed.text
    face = removed.json()
    assert (face["face_status"], face["enrolled_at"]) == ("removed", None)
    assert face["removal"]["reason"] == "the photo on record is of another person"
    assert face["removal"]["reference_deleted"] is True
    assert town.enrolment(number) == face

    # out of the index in S3, the reference photo's version deleted from the bucket
    assert not _in_index(town, number)
    versions = uploads.s3_client().list_object_versions(
        Bucket=settings().upload_bucket, Prefix=reference.reference_key
    )
    assert [v["VersionId"] for v in versions.get("Versions", [])] == []

    # the earlier search no longer offers the driver, nor lets an officer confirm them
    earlier = town.path(f"/face-searches/{before['search_id']}")
    assert number not in {c["licence_number"] for c in town.officer.get(earlier)["candidates"]}
    refused = town.officer.post(f"{earlier}/confirm", {"licence_number": number}, expect=422)
    assert refused["code"] == "not_a_candidate"
    # and a new search of the same man does not offer him
    after = town.search(johns(SAVAGE[1]))
    assert after["status"] == "searched"
    assert number not in {c["licence_number"] for c in after["candidates"]}

    # idempotent: removing again answers the same, and writes nothing
    again = town.remove(number, reason="a second click")
    assert (again.status_code, again.json()) == (200, face)
    assert [e.action for e in _entries(town, number)] == [
        "driver_face.enrolment_requested",
        "driver_face.enrolled",
        "driver_face.removed",
    ]
    assert "another person" in _entries(town, number)[-1].details


def test_a_photo_of_a_grant_older_than_the_removal_does_not_bring_the_face_back(
    town: Town,
) -> None:
    """An enrolment upload asked for before the removal and posted after it is refused
    `granted_before_removal`: the driver stays removed and out of the index; a new grant after
    the removal enrols the driver again. (Photos of a man no other test searches for.)"""
    number = licence_number()
    register_driver(town.name, number, "施奈德")
    assert town.enrol(number, johns(LATE[0]))["face_status"] == "enrolled"
    path = town.path(f"/drivers/{number}/face-enrolment")
    old_grant = town.admin.post(path)["upload"]
    assert town.remove(number).status_code == 200
    upload(old_grant, johns(LATE[1]))
    late = wait_for(lambda: town.enrolment(number), lambda r: r["last_attempt_error"] is not None)
    assert (late["face_status"], late["last_attempt_error"]) == (
        "removed",
        "granted_before_removal",
    )
    assert "request a new upload" in late["last_attempt_message"]
    assert not _in_index(town, number)
    assert town.enrol(number, johns(LATE[1]))["face_status"] == "enrolled"
    assert _in_index(town, number)


def test_only_the_agencys_admins_remove_a_face_and_only_an_enrolled_one(
    town: Town, stack: Any, api: Client
) -> None:
    number = town.drivers["salley"]
    body = {"reason": "checking the rules"}
    crew = crew_account(stack, "driver-face-removal")
    for client, expected in (
        (crew, (403, "role_not_allowed")),
        (town.officer, (403, "role_not_allowed")),
        (town.outsider, (403, "role_not_allowed")),
        (api, (401, "token_missing")),
    ):
        answer = client.call("DELETE", town.face(number), body)
        assert (answer.status_code, answer.json()["code"]) == expected
    assert town.enrolment(number)["face_status"] == "enrolled"  # nothing changed

    unknown = town.remove(licence_number())
    assert (unknown.status_code, unknown.json()["code"]) == (404, "driver_not_found")
    never = licence_number()
    register_driver(town.name, never, "未录")
    not_enrolled = town.remove(never)
    assert (not_enrolled.status_code, not_enrolled.json()["code"]) == (404, "face_not_enrolled")
    no_reason = town.admin.call("DELETE", town.face(never), {})
    assert no_reason.status_code == 422


def test_a_registry_import_that_revokes_a_licence_removes_the_drivers_face(town: Town) -> None:
    number = licence_number()
    register_driver(town.name, number, "施耐德")
    assert town.enrol(number, johns(SCHNEIDER))["face_status"] == "enrolled"
    assert _in_index(town, number)

    header = "licence_number,name,classes,first_issued,valid_from,valid_to,status,points\n"
    revoked = f"{header}{number},施耐德,C1,2010-05-01,2020-05-01,2030-05-01,revoked,12\n"
    report = send(town.admin, town.name, "drivers", revoked.encode())
    assert (report["status"], report["details"]["written"]) == ("done", 1)

    face = town.enrolment(number)
    assert face["face_status"] == "removed"
    assert face["removal"]["removed_by"].startswith("admin:")
    assert "licence revoked" in face["removal"]["reason"]
    assert not _in_index(town, number)

    # the same file again changes nothing: one removal in the audit chain
    assert send(town.admin, town.name, "drivers", revoked.encode())["status"] == "done"
    actions = [e.action for e in _entries(town, number)]
    assert actions.count("driver_face.removed_by_import") == 1
    assert town.enrolment(number) == face
    # and a driver whose licence ended is not enrolled again
    ended = town.admin.call("POST", town.path(f"/drivers/{number}/face-enrolment"))
    assert (ended.status_code, ended.json()["code"]) == (409, "licence_ended")


# ------------------------------------------------------------------ a refused re-enrolment


def test_a_refused_new_photo_keeps_the_enrolled_face_searched_and_says_why(town: Town) -> None:
    number = licence_number()
    register_driver(town.name, number, "希姆库斯")
    first = town.enrol(number, johns(SHIMKUS[0]))
    assert first["face_status"] == "enrolled"
    assert first["enrolled_at"]
    assert first["last_attempt_error"] is None

    refused = town.enrol(number, photos.background())
    assert refused["face_status"] == "enrolled"
    assert refused["enrolled_at"] == first["enrolled_at"]
    assert (refused["face_error"], refused["last_attempt_error"]) == (None, "no_face")
    assert refused["last_attempt_message"].startswith("No face was found")
    assert refused["last_attempt_at"] >= refused["enrolled_at"]

    found = town.search(johns(SHIMKUS[1]), reason="driver without a licence, Penglai")
    assert (found["candidates"][0]["licence_number"], found["candidates"][0]["match"]) == (
        number,
        True,
    )
    assert _entries(town, number)[-1].action == "driver_face.enrolment_failed"


# ------------------------------------------------------------------ the city's searches


def test_the_citys_searches_of_a_day_for_a_supervisor_and_each_officer(town: Town) -> None:
    from enforcement import clock

    simm = town.search(johns(SIMM), reason="no licence, Penglai harbour road")
    town.officer.post(
        town.path(f"/face-searches/{simm['search_id']}/confirm"),
        {"licence_number": town.drivers["simm"]},
        expect=200,
    )
    waiting = town.officer.post(town.path("/face-searches"), {"reason": "photo to follow"})
    theirs = town.other_officer.post(town.path("/face-searches"), {"reason": "a second post"})
    mine = {simm["search_id"], waiting["search_id"]}

    today = clock.local_date().isoformat()
    every = town.day(town.admin)
    assert every["date"] == today
    listed = {s["search_id"]: s for s in every["searches"]}
    assert mine | {theirs["search_id"]} <= set(listed)
    times = [s["created_at"] for s in every["searches"]]
    assert times == sorted(times, reverse=True)  # newest first
    row = listed[simm["search_id"]]
    assert (row["officer"], row["reason"], row["status"]) == (
        simm["officer"],
        "no licence, Penglai harbour road",
        "searched",
    )
    assert row["top_candidate"]["licence_number"] == town.drivers["simm"]
    assert row["top_candidate"]["match"] is True
    assert row["top_candidate"]["distance"] == simm["candidates"][0]["distance"]
    assert row["confirmation"]["licence_number"] == town.drivers["simm"]
    assert listed[waiting["search_id"]]["top_candidate"] is None

    # an officer sees their own searches only
    own = town.day(town.other_officer, date=today)["searches"]
    assert [s["search_id"] for s in own] == [theirs["search_id"]]
    assert {s["officer"] for s in town.day(town.officer)["searches"]} == {simm["officer"]}

    # one at a time through the cursor: the same searches, in the same order
    walked, cursor = [], None
    while True:
        page = town.day(town.admin, limit=1, **({"cursor": cursor} if cursor else {}))
        walked += [s["search_id"] for s in page["searches"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["searches"]) == 1
    assert walked == [s["search_id"] for s in every["searches"]]

    yesterday = (clock.local_date() - timedelta(days=1)).isoformat()
    assert town.day(town.admin, date=yesterday)["searches"] == []
    first = town.day(town.admin, limit=1)["next_cursor"]
    for query, code in (
        ({"date": "2026-02-30"}, "date_invalid"),
        ({"date": "yesterday"}, "date_invalid"),
        ({"cursor": "not-a-cursor"}, "cursor_invalid"),
        ({"cursor": first, "date": yesterday}, "cursor_invalid"),
    ):
        answer = town.admin.call("GET", town.path("/face-searches"), params=query)
        assert (answer.status_code, answer.json()["code"]) == (400, code), query
    too_many = town.admin.call("GET", town.path("/face-searches"), params={"limit": 101})
    assert too_many.status_code == 422
    outside = town.outsider.call("GET", town.path("/face-searches"))
    assert (outside.status_code, outside.json()["code"]) == (403, "outside_jurisdiction")
