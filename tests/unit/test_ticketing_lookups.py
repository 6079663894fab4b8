"""Roadside lookups under moto, in process: a plate on record is one BatchGetItem (the plate and
its OCR neighbours, each of the kinds its shape allows) and one Query (its outstanding
violations); a misread plate gets the registered plates one confusion away from the same single
BatchGetItem; a plate no reading makes valid reads nothing; the owner is masked until opened
with a reason, and the opening is audited; a licence says whether it allows the vehicle at hand."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from enforcement import audit, db, jurisdictions, models
from enforcement.auth import Principal, Role
from enforcement.errors import Forbidden, NotFound
from enforcement.identity import DocumentRefused
from enforcement.ticketing import lookups, plates
from enforcement.ticketing.models import (
    Driver,
    Vehicle,
    Violation,
    driver_key,
    plate_key,
    violation_key,
)

from tests.unit import survey_moto

CITY = AGENCY = ""
OFFICER = Principal("officer-q", Role.OFFICER)
#: a licence number whose check character is right (GB 11643)
NUMBER = "370602198001011234"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    global CITY, AGENCY, OFFICER
    tables = (models.Jurisdiction, audit.AuditEntry, Vehicle, Driver, Violation)
    with survey_moto.tables(monkeypatch, *tables) as found:
        suffix = secrets.token_hex(4)
        CITY, AGENCY = f"city-{suffix}", f"traffic-{suffix}"
        OFFICER = Principal("officer-q", Role.OFFICER, agency=AGENCY, jurisdiction=CITY)
        jurisdictions.register("admin:seed", AGENCY, CITY)
        jurisdictions.register("admin:seed", AGENCY, f"{CITY}-other")
        jurisdictions.owner(CITY)  # a warm function knows its cities' owners (5 minutes)
        found.clear()
        yield found


@pytest.fixture
def batch_keys(calls: list[str]) -> list[int]:
    """The number of keys of each BatchGetItem asked."""
    sizes: list[int] = []

    def note(params: dict[str, Any], **_: Any) -> None:
        sizes.append(sum(len(table["Keys"]) for table in params["RequestItems"].values()))

    db.connection().client.meta.events.register("provide-client-params.dynamodb.BatchGetItem", note)
    return sizes


def vehicle(plate: str, kind: str, owner: str = "张伟", **extra: Any) -> None:
    Vehicle(
        plate_key(CITY, plate),
        kind,
        city=CITY,
        plate=plate,
        vehicle_type=extra.pop("vehicle_type", "small_car"),
        owner=owner,
        registration_status="registered",
        inspection_due=extra.pop("inspection_due", "2099-03-31"),
        insurance_expiry=extra.pop("insurance_expiry", "2000-01-31"),
        flags=extra.pop("flags", []),
    ).save()


def violation(plate: str, kind: str, vid: str, status: str, fine: int, points: int) -> None:
    Violation(
        plate_key(CITY, plate),
        violation_key(kind, vid),
        city=CITY,
        plate=plate,
        plate_kind=kind,
        violation_id=vid,
        code="1625",
        occurred_at=f"2026-11-{10 + len(vid):02d}T00:15:00.000Z",
        place="南大街",
        fine=fine,
        points=points,
        status=status,
    ).save()


def test_a_registered_plate_is_one_batch_read_and_one_query(
    calls: list[str], batch_keys: list[int]
) -> None:
    vehicle("鲁F12345", "ordinary_small", flags=["seized"])
    vehicle("鲁F12345", "ordinary_large", owner="烟台运输有限公司", vehicle_type="heavy_truck")
    violation("鲁F12345", "ordinary_small", "v-1", "untreated", 200, 6)
    violation("鲁F12345", "ordinary_small", "v-22", "unpaid", 50, 1)
    violation("鲁F12345", "ordinary_small", "v-333", "paid", 100, 3)
    violation("鲁F12345", "ordinary_large", "v-4444", "unpaid", 150, 3)
    calls.clear()
    found = lookups.plate(OFFICER, CITY, " 鲁f·12345 ")
    assert calls == ["BatchGetItem", "Query"]
    # 鲁F12345, 鲁F1Z345, 鲁F1234S (1 -> I is no plate), each blue or yellow
    assert batch_keys == [6]
    assert found["plate"] == "鲁F12345"
    small, large = sorted(found["vehicles"], key=lambda v: v["plate_kind"], reverse=True)
    assert (small["plate_kind"], small["flags"], small["owner"]) == (
        "ordinary_small",
        ["seized"],
        "张*",
    )
    assert small["inspection"] == {"last_day": "2099-03-31", "status": "valid"}
    assert small["insurance"] == {"last_day": "2000-01-31", "status": "expired"}
    assert {k: small["violations"][k] for k in ("count", "fines", "points")} == {
        "count": 2,
        "fines": 250,
        "points": 7,
    }
    assert [v["violation_id"] for v in small["violations"]["items"]] == ["v-22", "v-1"]
    assert (large["owner"], large["violations"]["count"]) == ("烟*******", 1)


def test_a_misread_plate_gets_the_registered_plates_one_confusion_away(
    calls: list[str], batch_keys: list[int]
) -> None:
    vehicle("鲁F12345", "ordinary_small")
    vehicle("鲁F1Z34S", "ordinary_large", vehicle_type="heavy_truck")
    calls.clear()
    with pytest.raises(NotFound) as unknown:
        lookups.plate(OFFICER, CITY, "鲁FI2345")  # I read for 1: no plate has an I
    assert unknown.value.code == "plate_unknown"
    assert unknown.value.details == {
        "plate": "鲁FI2345",
        "candidates": [
            {"plate": "鲁F12345", "plate_kind": "ordinary_small", "vehicle_type": "small_car"}
        ],
    }
    assert calls == ["BatchGetItem"]
    calls.clear()
    with pytest.raises(NotFound) as unknown:
        lookups.plate(OFFICER, CITY, "鲁F1Z345")  # valid, not on record: Z read for 2, or 5 for S
    candidates = [(c["plate"], c["plate_kind"]) for c in unknown.value.details["candidates"]]
    assert candidates == [("鲁F12345", "ordinary_small"), ("鲁F1Z34S", "ordinary_large")]
    assert calls == ["BatchGetItem"]
    # the most keys a lookup can ask: 8 plates, each blue or yellow
    assert max(batch_keys) <= 2 * (1 + plates.MAX_NEIGHBOURS)


def test_a_plate_no_reading_makes_valid_is_refused_unread(calls: list[str]) -> None:
    with pytest.raises(plates.PlateRefused) as refused:
        lookups.plate(OFFICER, CITY, "XYZ")
    assert refused.value.code == "plate_unknown_province"
    assert calls == []


def test_the_owner_is_opened_with_a_reason_and_the_opening_audited(calls: list[str]) -> None:
    vehicle("鲁F12345", "ordinary_small", owner="张伟")
    opened = lookups.open_owner(OFFICER, CITY, "鲁F12345", "事故处理", None)
    assert opened["owner"] == "张伟"
    [entry] = [e for e in audit.entries() if e.action == "vehicle.owner_opened"]
    assert (entry.actor, entry.target) == (OFFICER.actor, f"vehicle:{CITY}/鲁F12345/ordinary_small")
    assert json.loads(entry.details)["reason"] == "事故处理"


def test_a_licence_says_whether_it_allows_the_vehicle_at_hand(calls: list[str]) -> None:
    Driver(
        driver_key(CITY, NUMBER),
        city=CITY,
        licence_number=NUMBER,
        name="王芳",
        classes=["C1"],
        first_issued="2005-03-01",
        valid_from="2021-03-01",
        valid_to=None,
        status="valid",
        points=3,
        date_of_birth="1980-01-01",
    ).save()
    car = lookups.licence(OFFICER, CITY, NUMBER, "small_car")
    assert (car["allows"], car["offence"], car["validity"]) == (True, None, "valid")
    assert car["drivable"] == ["C1", "C2", "C3", "C4"]
    truck = lookups.licence(OFFICER, CITY, NUMBER.lower(), "heavy_truck")
    assert truck["allows"] is False
    assert truck["offence"]["code"] == "licence_class_mismatch"
    assert "B2" in truck["offence"]["detail"]
    assert lookups.licence(OFFICER, CITY, NUMBER, None)["allows"] is None
    assert (car["points"], car["points_current"], car["full_points"]) == (3, True, False)
    # the registry's 12 points were given in a cycle that has ended: not this cycle's
    Driver.get(driver_key(CITY, NUMBER)).update(
        actions=[Driver.points.set(12), Driver.points_cycle_start.set("2020-03-01")]
    )
    stale = lookups.licence(OFFICER, CITY, NUMBER, None)
    assert (stale["points"], stale["points_current"], stale["full_points"]) == (12, False, False)
    with pytest.raises(DocumentRefused) as refused:
        lookups.licence(OFFICER, CITY, NUMBER[:-1] + "5", None)
    assert refused.value.code == "resident_id_check_character"
    with pytest.raises(NotFound) as unknown:
        lookups.licence(OFFICER, CITY, "11010119900307002X", None)
    assert unknown.value.code == "licence_unknown"


def test_officers_of_another_city_crew_and_other_agencies_are_refused(calls: list[str]) -> None:
    other = Principal("officer-o", Role.OFFICER, agency=AGENCY, jurisdiction=f"{CITY}-other")
    with pytest.raises(Forbidden) as refused:
        lookups.plate(other, CITY, "鲁F12345")
    assert refused.value.code == "outside_jurisdiction"
    crew = Principal("crew-1", Role.CREW)
    with pytest.raises(Forbidden) as refused:
        lookups.licence(crew, CITY, NUMBER, None)
    assert refused.value.code == "role_not_allowed"
    stranger = Principal("officer-x", Role.OFFICER, agency="another", jurisdiction=CITY)
    with pytest.raises(NotFound) as hidden:
        lookups.plate(stranger, CITY, "鲁F12345")
    assert hidden.value.code == "city_not_found"
