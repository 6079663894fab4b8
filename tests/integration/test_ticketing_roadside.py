"""Traffic e-tickets over HTTP on the local stack: a city's registries synced as CSV files (the
demo's own files, through presigned POSTs and the S3 event), each bad row reported with its line
and reason and the good rows kept, a file imported again writing nothing; then the roadside: a
plate looked up, its owner opened with a reason (audited), an OCR-misread plate answered with
the registered plates one confusion away, a licence with a class mismatch; and each refusal (bad
plate, bad check character, crew, the public, an officer of another city, another agency).

The city's registries are imported once for the module; the lookups only read them."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import requests
from enforcement.auth import Role

from infra.local.demo_ticketing import DATA
from tests.integration.client import Client, officer_session, wait_for
from tests.integration.people import crew_account

CAR_DRIVER = "37060219850315231X"  # 张伟, C1


@dataclass
class City:
    name: str
    other: str
    admin: Client
    officer: Client
    officer_other_city: Client
    other_agency: Client
    crew: Client
    public: Client
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    def plate(self, plate: str) -> str:
        return f"/ticketing/cities/{self.name}/plates/{quote(plate)}"


def send(admin: Client, city: str, registry: str, content: bytes) -> dict[str, Any]:
    """A registry file posted with the grant the admin gets; its report once imported."""
    grant = admin.post("/ticketing/registries/uploads", {"city": city, "registry": registry})
    assert grant["upload_id"].startswith(f"{city}.{registry}.")
    posted = requests.post(
        grant["url"],
        data=grant["fields"],
        files={grant["file_field"]: (f"{registry}.csv", content, "text/csv")},
        timeout=60,
    )
    assert posted.status_code in (200, 201, 204), posted.text
    path = f"/ticketing/registries/uploads/{grant['upload_id']}"
    return dict(wait_for(lambda: admin.get(path), lambda s: s["status"] != "pending"))


@pytest.fixture(scope="module")
def city(stack: Any) -> City:
    sfx = secrets.token_hex(3)
    agency, name, other = f"traffic-{sfx}", f"city-{sfx}", f"town-{sfx}"

    def staff(username: str, role: Role, of: str, jurisdiction: str) -> Client:
        return officer_session(
            stack.api_url,
            f"{username}{sfx}",
            role=role,
            agency=of,
            jurisdiction=jurisdiction,
            name=username,
        )

    found = City(
        name=name,
        other=other,
        admin=staff("adm", Role.ADMIN, agency, other),
        officer=staff("off", Role.OFFICER, agency, name),
        officer_other_city=staff("oth", Role.OFFICER, agency, other),
        other_agency=staff("stranger", Role.OFFICER, f"elsewhere-{sfx}", f"far-{sfx}"),
        crew=crew_account(stack, f"crew{sfx}"),
        public=Client(stack.api_url),
    )
    for registry in ("vehicles", "drivers", "violations"):
        content = (DATA / f"{registry}.csv").read_bytes()
        found.reports[registry] = send(found.admin, name, registry, content)
    return found


def test_the_registries_are_imported_each_bad_row_reported_the_good_ones_kept(city: City) -> None:
    vehicles, drivers, violations = (city.reports[r] for r in ("vehicles", "drivers", "violations"))
    assert (vehicles["status"], vehicles["result"]) == ("done", "imported")
    counts = ("rows", "accepted", "written", "unchanged", "stale", "bad_rows")
    assert [vehicles["details"][k] for k in counts] == [7, 6, 6, 0, 0, 1]
    [bad] = vehicles["details"]["bad"]
    assert (bad["line"], bad["problems"][0]["field"], bad["problems"][0]["code"]) == (
        8,
        "plate",
        "plate_letter_i_or_o",
    )
    assert [drivers["details"][k] for k in counts] == [5, 4, 4, 0, 0, 1]
    [bad] = drivers["details"]["bad"]
    assert (bad["line"], bad["problems"][0]["code"]) == (6, "resident_id_check_character")
    assert [violations["details"][k] for k in counts] == [4, 4, 4, 0, 0, 0]


def test_a_file_imported_again_changes_nothing_and_a_bad_header_refuses_the_file(
    city: City,
) -> None:
    again = send(city.admin, city.name, "vehicles", (DATA / "vehicles.csv").read_bytes())
    assert (again["status"], again["result"]) == ("done", "unchanged")
    assert (again["details"]["written"], again["details"]["unchanged"]) == (0, 6)
    refused = send(city.admin, city.name, "drivers", b"licence_number,name\n370602,x\n")
    assert (refused["status"], refused["result"]) == ("rejected", "registry_bad_header")
    assert "missing: classes" in refused["details"]["reason"]


def _in_force(document: dict[str, str], today: str) -> None:
    assert document["status"] == ("valid" if today <= document["last_day"] else "expired")


def test_a_plate_is_looked_up_and_its_owner_opened_with_a_reason(city: City) -> None:
    found = city.officer.get(city.plate("鲁f-12345"))  # as typed: any case, a hyphen
    assert found["plate"] == "鲁F12345"
    car, truck = sorted(found["vehicles"], key=lambda v: v["plate_kind"], reverse=True)
    assert (car["plate_kind"], car["vehicle_type"], car["owner"]) == (
        "ordinary_small",
        "small_car",
        "张*",
    )
    assert (truck["plate_kind"], truck["owner"]) == ("ordinary_large", "烟*********")
    for vehicle in (car, truck):
        _in_force(vehicle["inspection"], found["as_of"])
        _in_force(vehicle["insurance"], found["as_of"])
    assert {k: car["violations"][k] for k in ("count", "fines", "points")} == {
        "count": 2,
        "fines": 350,
        "points": 6,
    }
    assert [v["status"] for v in car["violations"]["items"]] == ["untreated", "unpaid"]
    assert truck["violations"]["count"] == 1
    seized = city.officer.get(city.plate("鲁F8B520"))["vehicles"][0]
    assert (seized["flags"], seized["violations"]["count"]) == (["seized"], 0)  # its one is paid

    owner = city.plate("鲁F12345") + "/owner"
    refused = city.officer.call("POST", owner, {"reason": "事故处理"}, expect=422)
    assert refused.json()["code"] == "plate_kind_required"
    city.officer.call("POST", owner, {"reason": " ", "plate_kind": "ordinary_large"}, expect=422)
    opened = city.officer.post(
        owner, {"reason": "事故处理: 车辆占道", "plate_kind": "ordinary_large"}, expect=200
    )
    assert opened["owner"] == "烟台港运物流有限公司"
    from enforcement import audit

    entries = [
        e
        for e in audit.entries()
        if e.action == "vehicle.owner_opened" and e.target.startswith(f"vehicle:{city.name}/")
    ]
    assert [json.loads(e.details)["reason"] for e in entries] == ["事故处理: 车辆占道"]
    assert entries[0].actor.startswith("officer:")


def test_a_misread_plate_is_answered_with_the_registered_plates_one_confusion_away(
    city: City,
) -> None:
    answer = city.officer.call("GET", city.plate("鲁FI2345"), expect=404).json()
    assert answer["code"] == "plate_unknown"
    assert answer["details"]["plate"] == "鲁FI2345"
    assert sorted((c["plate"], c["plate_kind"]) for c in answer["details"]["candidates"]) == [
        ("鲁F12345", "ordinary_large"),
        ("鲁F12345", "ordinary_small"),
    ]
    nothing = city.officer.call("GET", city.plate("鲁F99999"), expect=404).json()
    assert (nothing["code"], nothing["details"]["candidates"]) == ("plate_unknown", [])
    bad = city.officer.call("GET", city.plate("ABC123"), expect=422).json()
    assert bad["code"] == "plate_unknown_province"


def test_a_licence_with_a_class_mismatch_and_a_bad_check_character(city: City) -> None:
    path = f"/ticketing/cities/{city.name}/licences/{CAR_DRIVER}"
    truck = city.officer.get(path, params={"vehicle_type": "heavy_truck"})
    assert (truck["name"], truck["classes"], truck["status"]) == ("张伟", ["C1"], "valid")
    assert truck["allows"] is False
    assert truck["offence"]["code"] == "licence_class_mismatch"
    car = city.officer.get(path.lower(), params={"vehicle_type": "small_car"})
    assert (car["allows"], car["offence"], car["points"]) == (True, None, 3)
    city.officer.call("GET", path, params={"vehicle_type": "rocket"}, expect=422)
    wrong = city.officer.call("GET", path[:-1] + "3", expect=422).json()
    assert wrong["code"] == "resident_id_check_character"
    full = city.officer.get(f"/ticketing/cities/{city.name}/licences/370611199512093826")
    assert (full["status"], full["full_points"]) == ("full_points", True)
    city.officer.call(
        "GET", f"/ticketing/cities/{city.name}/licences/11010119900307002X", expect=404
    )


def test_crew_the_public_other_cities_and_other_agencies_are_refused(city: City) -> None:
    plate = city.plate("鲁F12345")
    licence = f"/ticketing/cities/{city.name}/licences/{CAR_DRIVER}"
    for path in (plate, licence):
        assert city.public.call("GET", path, expect=401).status_code == 401
        assert city.crew.call("GET", path, expect=403).json()["code"] == "role_not_allowed"
        outside = city.officer_other_city.call("GET", path, expect=403).json()
        assert outside["code"] == "outside_jurisdiction"
        assert city.other_agency.call("GET", path, expect=404).json()["code"] == "city_not_found"
    owner = city.officer_other_city.call(
        "POST", plate + "/owner", {"reason": "查看", "plate_kind": "ordinary_small"}, expect=403
    )
    assert owner.json()["code"] == "outside_jurisdiction"
    grant = city.officer.call(
        "POST",
        "/ticketing/registries/uploads",
        {"city": city.name, "registry": "vehicles"},
        expect=403,
    )
    assert grant.json()["code"] == "role_not_allowed"
    upload = city.reports["vehicles"]["upload_id"]
    status = city.officer.call("GET", f"/ticketing/registries/uploads/{upload}", expect=403)
    assert status.json()["code"] == "role_not_allowed"
