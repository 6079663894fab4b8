"""After the submit, over real HTTP on the local stack: a traveller's correction (a new version,
its diff in the officer's language), officers' reviews with a referral that keeps the
declaration, a flight's declarations with masked numbers, and exports as CSV and XLSX.

Each test makes its own agency, ports, form id, flight and travellers (tests/integration/survey.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from tests.integration.survey import (
    SPECIMEN_DOCUMENT,
    Port,
    add_flight,
    submitted_declaration,
)


@pytest.fixture(scope="module")
def world(stack: Any) -> Port:
    return Port(stack)


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.json().get("code")


def flight(world: Port) -> tuple[str, str]:
    """A flight of the world's port with the specimen passport's holder on its manifest."""
    return add_flight(world)


def test_a_correction_is_a_new_version_with_its_diff(world: Port) -> None:
    number, day = flight(world)
    traveller = world.traveller()
    declaration = submitted_declaration(world, traveller, number, day)
    path = f"/remote-survey/declarations/{declaration['declaration_id']}"
    assert declaration["version"] == 1

    # a correction that breaks a constraint is refused with its problem, nothing written
    bad = traveller.call(
        "POST", f"{path}/corrections",
        {"answers": {"symptoms": ["none", "fever"]}, "reason": "felt unwell"},
    )  # fmt: skip
    assert refusal(bad) == (422, "declaration_has_problems")
    assert any(p["field"] == "symptoms" for p in bad.json()["details"])

    changes = {
        "symptoms": ["fever", "dry_cough"],
        "temperature": 38.4,
        "address": "北京市朝阳区建国路1号",
    }
    corrected = traveller.post(
        f"{path}/corrections", {"answers": changes, "reason": "fever since landing"}
    )
    assert corrected["version"] == 2
    assert corrected["answers"]["symptoms"] == ["fever", "dry_cough"]
    assert corrected["answers"]["address"] == "北京市朝阳区建国路1号"

    versions = traveller.get(f"{path}/versions")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["reason"] == "fever since landing"
    assert versions[0]["answers"]["symptoms"] == ["none"]  # version 1 as it was

    diff = world.officer.get(f"{path}/versions/1/diff/2", params={"lang": "zh"})
    changes = {c["field"]: c for c in diff["changes"]}
    assert diff["lang"] == "zh"
    assert changes["symptoms"]["kind"] == "changed"
    assert changes["symptoms"]["label"] == "您目前是否有以下症状？"  # noqa: RUF001
    assert changes["symptoms"]["after_text"] == "发热; 干咳"
    assert changes["address"]["before_text"] == "上海市浦东新区世纪大道100号"
    assert changes["temperature"]["after"] in ("38.4", 38.4)
    assert "surname" not in changes
    # the traveller reads it in their own language by default
    own = traveller.get(f"{path}/versions/1/diff/2")
    assert own["lang"] == "en"

    # the same correction again changes nothing: no version 3
    again = traveller.post(
        f"{path}/corrections",
        {"answers": {"symptoms": ["fever", "dry_cough"]}, "reason": "retry"},
    )
    assert again["version"] == 2

    other = world.traveller("someone else")
    stranger = other.call("POST", f"{path}/corrections", {"answers": {"phone": "1"}, "reason": "x"})
    assert refusal(stranger) == (403, "not_your_declaration")
    assert refusal(other.call("GET", f"{path}/versions")) == (403, "not_your_declaration")
    assert refusal(world.neighbour.call("GET", f"{path}/versions/1/diff/2")) == (
        403,
        "outside_jurisdiction",
    )
    missing = world.officer.call("GET", f"{path}/versions/1/diff/7")
    assert refusal(missing) == (404, "version_not_found")


def test_reviews_by_officers_of_the_port_and_a_referral_keeps_it(world: Port) -> None:
    number, day = flight(world)
    traveller = world.traveller()
    declaration = submitted_declaration(world, traveller, number, day)
    path = f"/remote-survey/declarations/{declaration['declaration_id']}"

    no_comment = world.officer.call("POST", f"{path}/review", {"state": "has_issues"})
    assert refusal(no_comment) == (422, "comment_required")
    neighbour = world.neighbour.call("POST", f"{path}/review", {"state": "approved"})
    assert refusal(neighbour) == (403, "outside_jurisdiction")
    own = traveller.call("POST", f"{path}/review", {"state": "approved"})
    assert refusal(own) == (403, "role_not_allowed")

    issues = world.officer.call(
        "POST", f"{path}/review", {"state": "has_issues", "comment": "phone number?"}, expect=200
    ).json()
    assert (issues["review"], issues["review_comment"], issues["kept"]) == (
        "has_issues",
        "phone number?",
        False,
    )
    # the traveller corrects: the review starts again
    corrected = traveller.post(
        f"{path}/corrections", {"answers": {"phone": "+8613900139000"}, "reason": "typo"}
    )
    assert (corrected["version"], corrected["review"]) == (2, "received")

    referred = world.officer.call(
        "POST", f"{path}/review", {"state": "referred", "comment": "contact of a case"}, expect=200
    ).json()
    assert (referred["review"], referred["kept"]) == ("referred", True)
    final = world.officer.call("POST", f"{path}/review", {"state": "approved"})
    assert refusal(final) == (409, "review_move_not_allowed")
    late = traveller.call(
        "POST", f"{path}/corrections", {"answers": {"phone": "+8613700137000"}, "reason": "x"}
    )
    assert refusal(late) == (409, "review_final")
    retry = world.officer.call(
        "POST", f"{path}/review", {"state": "referred", "comment": "contact of a case"}
    )
    assert retry.status_code == 200


def test_a_flights_declarations_and_its_exports(world: Port) -> None:
    number, day = flight(world)
    traveller = world.traveller()
    declaration = submitted_declaration(
        world, traveller, number, day, address='=HYPERLINK("http://evil","x")'
    )
    listed = world.officer.get(
        f"/remote-survey/flights/{day}/{number}/declarations", params={"port": world.port}
    )
    assert [d["declaration_id"] for d in listed] == [declaration["declaration_id"]]
    assert listed[0]["document_number_masked"] == "******2C3"
    elsewhere = world.neighbour.call(
        "GET", f"/remote-survey/flights/{day}/{number}/declarations", params={"port": world.port}
    )
    assert refusal(elsewhere) == (403, "outside_jurisdiction")

    done = world.officer.post(
        "/remote-survey/exports",
        {"port": world.port, "arrival_date": day, "flight_number": number, "lang": "ja"},
    )
    assert (done["rows"], done["flights"]) == (1, 1)
    body = requests.get(done["url"], timeout=30)
    assert body.status_code == 200
    header, row = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["declaration_id"] == declaration["declaration_id"]
    assert SPECIMEN_DOCUMENT not in row
    assert "******2C3" in row
    assert any(cell.startswith("'=HYPERLINK") for cell in row)
    assert not any(cell.startswith("=") for cell in row)

    whole = world.officer.post(
        "/remote-survey/exports",
        {"port": world.port, "arrival_date": day, "lang": "zh", "format": "xlsx",
         "document_numbers": "full"},
    )  # fmt: skip
    assert whole["rows"] >= 1
    sheet = load_workbook(io.BytesIO(requests.get(whole["url"], timeout=30).content)).active
    assert sheet is not None
    values = [[c.value or "" for c in r] for r in sheet.iter_rows()]
    assert "证件号码" in values[0]
    assert any(SPECIMEN_DOCUMENT in r for r in values[1:])

    refused = world.neighbour.call(
        "POST", "/remote-survey/exports",
        {"port": world.port, "arrival_date": day, "lang": "en"},
    )  # fmt: skip
    assert refusal(refused) == (403, "outside_jurisdiction")
    unknown = world.officer.call(
        "POST", "/remote-survey/exports",
        {"port": world.port, "arrival_date": day, "flight_number": number, "lang": "tlh"},
    )  # fmt: skip
    assert refusal(unknown) == (422, "language_not_in_form")
