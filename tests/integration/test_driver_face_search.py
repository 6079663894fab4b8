"""A driver identified by face over real HTTP against the local stack, with real photographs
(dlib's "johns": two photos of one man from different occasions, and other men): an admin of
the city's agency enrols drivers' licence photos, an officer of the city searches with a
reason and a second photo, the enrolled driver comes first marked `match`, the officer
confirms, and every step is in the audit log. Refusals: a photo with no face or with two, a
crew member, the public, an officer enrolling, an officer of another city of the agency."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from enforcement.auth import Role

from tests import photos
from tests.integration.client import Client, officer_session, upload, wait_for
from tests.integration.people import crew_account

pytestmark = pytest.mark.slow

JOHNS = photos.PHOTOS_DIR / "johns"
SAVAGE = ("John_Savage/000274_01099061.jpg", "John_Savage/000290_01099090.jpg")
SIMM = "John_Simm/000300_00470148.jpg"
SALLEY = "John_Salley/000179_02159509.jpg"


def johns(name: str) -> bytes:
    path = JOHNS / name
    if not path.is_file():
        raise photos.MissingPhotoError(f"{path} is missing: run scripts/fetch_photos.py")
    return path.read_bytes()


def licence_number() -> str:
    """A resident ID number with its check character (GB 11643-1999)."""
    born = f"{1960 + secrets.randbelow(40)}0{1 + secrets.randbelow(9)}1{secrets.randbelow(10)}"
    body = f"370602{born}{secrets.randbelow(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


@dataclass
class City:
    name: str
    admin: Client
    officer: Client
    outsider: Client  # an officer of another city of the same agency
    drivers: dict[str, str]  # who → licence number, enrolled

    def path(self, rest: str) -> str:
        return f"/ticketing/cities/{self.name}{rest}"

    def enrol(self, licence: str, photo: bytes) -> dict[str, Any]:
        path = self.path(f"/drivers/{licence}/face-enrolment")
        grant = self.admin.post(path)
        assert grant["face_status"] == "pending"
        upload(grant["upload"], photo)
        status: dict[str, Any] = wait_for(
            lambda: self.officer.get(path), lambda r: r["face_status"] != "pending"
        )
        return status

    def search(self, photo: bytes, reason: str = "driver without a licence") -> dict[str, Any]:
        started = self.officer.post(self.path("/face-searches"), {"reason": reason})
        assert started["status"] == "awaiting_photo"
        upload(started["upload"], photo)
        found: dict[str, Any] = wait_for(
            lambda: self.officer.get(self.path(f"/face-searches/{started['search_id']}")),
            lambda r: r["status"] != "awaiting_photo",
        )
        return found


def register_driver(city: str, licence: str, name: str) -> None:
    """A driver on the city's registry (written as the registry import writes it)."""
    from enforcement.ticketing.models import Driver, driver_key

    Driver(
        driver_key(city, licence),
        city=city,
        licence_number=licence,
        name=name,
        classes=["C1"],
        first_issued="2010-05-01",
        valid_from="2020-05-01",
        valid_to="2030-05-01",
        status="valid",
        points=0,
        date_of_birth=f"{licence[6:10]}-{licence[10:12]}-{licence[12:14]}",
    ).save()


AccountMaker = Callable[[str, Role, str], Client]
CityT = TypeVar("CityT", bound=City)


def make_city(
    stack: Any,
    place: str,
    drivers: tuple[tuple[str, str, str], ...],
    kind: type[CityT],
    prefix: str,
) -> tuple[CityT, AccountMaker]:
    """A city of its own (an agency, an admin, an officer, an officer of another city) with
    `drivers` (key, photo, name) on its registry and enrolled; and the account maker, for
    more of the agency's people."""
    suffix = secrets.token_hex(3)
    agency, name = f"traffic-{suffix}", f"{place}-{suffix}"

    def account(username: str, role: Role, where: str) -> Client:
        return officer_session(
            stack.api_url, username, role=role, agency=agency, jurisdiction=where, name="刘"
        )

    city = kind(
        name,
        account(f"{prefix}adm{suffix}", Role.ADMIN, name),
        account(f"{prefix}off{suffix}", Role.OFFICER, name),
        account(f"{prefix}out{suffix}", Role.OFFICER, f"{place}-outside-{suffix}"),
        {},
    )
    for who, photo, driver_name in drivers:
        number = licence_number()
        register_driver(name, number, driver_name)
        assert city.enrol(number, johns(photo))["face_status"] == "enrolled"
        city.drivers[who] = number
    return city, account


@pytest.fixture(scope="module")
def city(stack: Any) -> City:
    """A city of its own with three drivers enrolled (the tests only read them)."""
    drivers = (("savage", SAVAGE[0], "萨维奇"), ("simm", SIMM, "西姆"), ("salley", SALLEY, "萨利"))
    made, _ = make_city(stack, "yantai", drivers, City, "f")
    return made


def test_a_driver_is_identified_from_a_second_photo_and_confirmed(city: City) -> None:
    from enforcement import audit
    from enforcement.ticketing.models import audit_chain

    found = city.search(johns(SAVAGE[1]), reason="no licence at the Zhifu checkpoint")
    assert found["status"] == "searched"
    assert found["threshold"] == 0.5
    first, *rest = found["candidates"]
    assert (first["licence_number"], first["match"]) == (city.drivers["savage"], True)
    assert first["name"] == "萨**"  # masked
    assert first["distance"] <= found["threshold"]
    assert {c["licence_number"] for c in rest} == {city.drivers["simm"], city.drivers["salley"]}
    assert not any(c["match"] for c in rest)

    search_path = city.path(f"/face-searches/{found['search_id']}")
    refused = city.officer.post(
        f"{search_path}/confirm", {"licence_number": licence_number()}, expect=422
    )
    assert refused["code"] == "not_a_candidate"
    confirmed = city.officer.post(
        f"{search_path}/confirm", {"licence_number": city.drivers["savage"]}, expect=200
    )
    assert confirmed["confirmation"]["licence_number"] == city.drivers["savage"]
    again = city.officer.post(f"{search_path}/confirm", {"licence_number": None}, expect=409)
    assert again["code"] == "search_confirmed"
    assert city.admin.get(search_path)["confirmation"] == confirmed["confirmation"]

    # the search in the audit log: who asked, why, what the engine answered, what was confirmed
    target = f"face_search:{found['search_id']}"
    chain = audit_chain(city.name).chain(target)
    entries = [e for e in audit.entries(chain) if e.target == target]
    assert [e.action for e in entries] == [
        "face_search.requested",
        "face_search.searched",
        "face_search.confirmed",
    ]
    assert {e.actor for e in entries} == {found["officer"]}
    assert all("no licence at the Zhifu checkpoint" in e.details for e in entries)
    assert city.drivers["savage"] in entries[1].details
    assert audit.verify_chain(chain).ok


def test_photos_without_one_face_are_refused_with_the_engines_reason(city: City) -> None:
    number = licence_number()
    register_driver(city.name, number, "无脸")
    failed = city.enrol(number, photos.background())
    assert (failed["face_status"], failed["face_error"]) == ("failed", "no_face")
    assert failed["face_message"].startswith("No face was found")

    two = city.search(photos.side_by_side())
    assert (two["status"], two["error"], two["candidates"]) == ("failed", "multiple_faces", [])
    none = city.search(photos.background())
    assert (none["status"], none["error"]) == ("failed", "no_face")
    refused = city.officer.post(
        city.path(f"/face-searches/{none['search_id']}/confirm"),
        {"licence_number": None},
        expect=409,
    )
    assert refused["code"] == "search_not_ready"


def test_only_the_citys_officers_search_and_only_its_admins_enrol(
    city: City, stack: Any, api: Client
) -> None:
    number = city.drivers["simm"]
    enrolment = city.path(f"/drivers/{number}/face-enrolment")
    searches = city.path("/face-searches")
    body = {"reason": "checking a driver"}
    mine = city.officer.post(searches, body)
    one = city.path(f"/face-searches/{mine['search_id']}")

    crew = crew_account(stack, "driver-face")
    for client, expected in ((crew, (403, "role_not_allowed")), (api, (401, None))):
        for method, path, payload in (
            ("POST", searches, body),
            ("GET", one, None),
            ("POST", f"{one}/confirm", {"licence_number": None}),
            ("POST", enrolment, None),
            ("GET", enrolment, None),
        ):
            answer = client.call(method, path, payload)
            assert answer.status_code == expected[0], (method, path, answer.text)
            if expected[1]:
                assert answer.json()["code"] == expected[1]

    for method, path, payload in (
        ("POST", searches, body),
        ("GET", one, None),
        ("POST", f"{one}/confirm", {"licence_number": None}),
        ("GET", enrolment, None),
    ):
        answer = city.outsider.call(method, path, payload)
        assert (answer.status_code, answer.json()["code"]) == (403, "outside_jurisdiction"), path
    officer_enrols = city.officer.call("POST", enrolment)
    assert (officer_enrols.status_code, officer_enrols.json()["code"]) == (403, "role_not_allowed")
    unknown = city.admin.call("POST", city.path(f"/drivers/{licence_number()}/face-enrolment"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "driver_not_found")
    short = city.officer.call("POST", searches, {"reason": ""})
    assert short.status_code == 422
