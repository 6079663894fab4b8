"""Health declarations over real HTTP on the local stack: a form published, a traveller's
declaration in Japanese from start to submit, an officer's scan in Chinese, and each refusal.

Each test makes its own agency, ports, form id, flight and travellers (tests/integration/survey.py).
"""

from __future__ import annotations

import base64
import io
import secrets
import zipfile
from typing import Any

import pytest

from tests.integration.client import Client
from tests.integration.survey import (
    HEALTHY,
    SPECIMEN_DOCUMENT,
    SPECIMEN_TD3,
    Port,
    add_flight,
    arrival_sheets,
    submitted_declaration,
)


@pytest.fixture(scope="module")
def world(stack: Any) -> Port:
    return Port(stack)


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.json().get("code")


def choice_label(list_name: str, name: str, lang: str) -> str:
    sheets = arrival_sheets("x")
    row = next(r for r in sheets["choices"] if r["list_name"] == list_name and r["name"] == name)
    column = next(c for c in row if c.startswith("label::") and c.endswith(f"({lang})"))
    return str(row[column])


def consistency_message(rule: str, lang: str) -> str:
    from enforcement.remote_survey import consistency

    found = next(r for r in consistency.arrival_rules().rules if r.id == rule)
    return str(found.messages[lang])


def question_text(name: str, column: str, lang: str) -> str:
    row = next(r for r in arrival_sheets("x")["survey"] if r.get("name") == name)
    found = next(c for c in row if c.startswith(f"{column}::") and c.endswith(f"({lang})"))
    return str(row[found])


# ------------------------------------------------------------------ forms


def test_publish_is_versioned_and_idempotent_and_renders_per_language(world: Port) -> None:
    first = world.publish_arrival_form()
    assert first["version"] >= 1
    assert first["form_id"] == world.form_id
    again = world.admin.call(
        "POST", "/remote-survey/forms", {"sheets": arrival_sheets(world.form_id)}, expect=201
    ).json()
    assert (again["version"], again["created"]) == (first["version"], False)
    assert again["content_hash"] == first["content_hash"]

    changed = arrival_sheets(world.form_id)
    changed["settings"][0]["version"] = "2099010101"
    second = world.admin.post("/remote-survey/forms", {"sheets": changed})
    assert second["version"] == first["version"] + 1
    assert second["created"] is True
    versions = world.admin.get(f"/remote-survey/forms/{world.form_id}/versions")
    assert [v["version"] for v in versions] == [first["version"], second["version"]]

    traveller = world.traveller()
    ja = traveller.get(f"/remote-survey/forms/{world.form_id}", params={"lang": "ja"})
    assert (ja["language"], ja["direction"], ja["published_version"]) == ("ja", "ltr", 2)
    old = traveller.get(
        f"/remote-survey/forms/{world.form_id}", params={"lang": "ar", "version": 1}
    )
    assert (old["direction"], old["published_version"]) == ("rtl", 1)
    assert old["content_hash"] == first["content_hash"]
    assert refusal(
        traveller.call("GET", f"/remote-survey/forms/{world.form_id}", params={"lang": "sw"})
    ) == (422, "language_not_in_form")
    assert refusal(
        traveller.call("GET", "/remote-survey/forms/no_such_form", params={"lang": "ja"})
    ) == (404, "form_not_found")


def test_publish_refuses_a_missing_translation_naming_it(world: Port) -> None:
    sheets = arrival_sheets(f"gap_{secrets.token_hex(3)}")
    row = next(r for r in sheets["survey"] if r.get("name") == "temperature")
    del row["label::Japanese (ja)"]
    answer = world.admin.call("POST", "/remote-survey/forms", {"sheets": sheets}, expect=422)
    body = answer.json()
    assert body["code"] == "form_rejected"
    assert any(
        p["code"] == "missing_translation"
        and p.get("field") == "temperature"
        and p.get("language") == "Japanese (ja)"
        for p in body["details"]
    ), body["details"]


def test_publish_refuses_a_function_outside_the_whitelist(world: Port) -> None:
    sheets = arrival_sheets(f"fn_{secrets.token_hex(3)}")
    row = next(r for r in sheets["survey"] if r.get("name") == "temperature")
    row["constraint"] = ". >= 34 and . <= random() * 43"
    body = world.admin.call("POST", "/remote-survey/forms", {"sheets": sheets}, expect=422).json()
    assert body["code"] == "form_rejected"
    assert any(
        p["code"] == "function_not_allowed" and p.get("function") == "random"
        for p in body["details"]
    ), body["details"]


def test_publish_only_by_admins_and_xlsx_zip_bomb_never_opened(world: Port) -> None:
    sheets = {"sheets": arrival_sheets(world.form_id)}
    assert refusal(world.officer.call("POST", "/remote-survey/forms", sheets)) == (
        403,
        "role_not_allowed",
    )
    assert refusal(world.traveller().call("POST", "/remote-survey/forms", sheets)) == (
        403,
        "role_not_allowed",
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    encoded = base64.b64encode(bomb.getvalue()).decode()
    assert len(encoded) < 1024 * 1024  # a small body
    answer = world.admin.call("POST", "/remote-survey/forms", {"xlsx_base64": encoded})
    assert refusal(answer) == (422, "form_rejected")
    assert answer.json()["details"][0]["code"] == "too_large"


# ------------------------------------------------------------------ a declaration, end to end


def test_traveller_declares_in_japanese_and_an_officer_reads_it_in_chinese(world: Port) -> None:
    world.publish_arrival_form()
    number, day = add_flight(world)
    traveller = world.traveller("anna")
    started = traveller.post(
        "/remote-survey/declarations",
        {
            "port": world.port,
            "arrival_date": day,
            "flight_number": number.lower(),
            "form_id": world.form_id,
            "lang": "ja",
        },
    )
    assert started["status"] == "draft"
    assert started["lang"] == "ja"
    assert started["answers"] == {"flight_number": number}
    path = f"/remote-survey/declarations/{started['declaration_id']}"

    filled = traveller.post(f"{path}/autofill", {"mrz": SPECIMEN_TD3}, expect=200)
    assert filled["document"]["expired"] is True  # the specimen expired in 2012: flagged
    answers = filled["declaration"]["answers"]
    assert (answers["surname"], answers["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert (answers["document_number"], answers["sex"]) == (SPECIMEN_DOCUMENT, "F")
    assert answers["date_of_birth"] == "1974-08-12"

    patched = traveller.call(
        "PATCH",
        path,
        {"answers": {**HEALTHY, "temperature": 45.2, "seat_number": "14C"}},
        expect=200,
    ).json()
    assert patched["answers"]["temperature"] == "45.2"

    checked = traveller.post(f"{path}/check", {}, expect=200)
    assert checked["ok"] is False
    problem = next(p for p in checked["problems"] if p["field"] == "temperature")
    assert problem["code"] == "constraint"
    assert problem["message"] == question_text("temperature", "constraint_message", "ja")
    seat = next(p for p in checked["problems"] if p["field"] == "seat_number")
    assert seat["code"] == "seat_mismatch"  # the manifest has her in 12A
    assert seat["message"] == consistency_message("seat_mismatch", "ja")
    refused = traveller.call("POST", f"{path}/submit", expect=422).json()
    assert refused["code"] == "declaration_has_problems"
    assert any(
        d["field"] == "temperature" and d["code"] == "constraint" for d in refused["details"]
    )

    traveller.call(
        "PATCH", path, {"answers": {"temperature": "36.6", "seat_number": "12A"}}, expect=200
    )
    assert traveller.post(f"{path}/check", {}, expect=200) == {"ok": True, "problems": []}
    submitted = traveller.post(f"{path}/submit", expect=200)
    assert (submitted["status"], submitted["version"], submitted["review"]) == (
        "submitted",
        1,
        "received",
    )
    assert submitted["outcome"] == "release"
    assert submitted["rule_version"]
    code = submitted["code"]
    assert code
    assert len(code) <= 60
    assert traveller.post(f"{path}/submit", expect=200)["submitted_at"] == submitted["submitted_at"]
    assert refusal(traveller.call("PATCH", path, {"answers": {"phone": "+861234567"}})) == (
        409,
        "declaration_submitted",
    )

    scan = world.officer.post("/remote-survey/scans", {"code": code, "lang": "zh"}, expect=200)
    assert scan["declaration_id"] == started["declaration_id"]
    assert scan["first_scan"] is True
    assert scan["lang"] == "zh"
    assert scan["scanned_at"]
    shown = {a["name"]: a for a in scan["answers"]}
    assert shown["sex"]["value"] == "F"
    assert shown["sex"]["value_label"] == choice_label("sex", "F", "zh")
    assert shown["contact_confirmed"]["value_label"] == choice_label("yes_no", "no", "zh")
    assert shown["temperature"]["label"] == question_text("temperature", "label", "zh")
    assert shown["countries_visited"]["value_label"] == [choice_label("countries", "JPN", "zh")]
    assert scan["summary"]["temperature"] == "36.6"
    assert scan["summary"]["symptoms"] == []
    assert scan["summary"]["has_fever"] == "no"
    again = world.officer.post("/remote-survey/scans", {"code": code, "lang": "en"}, expect=200)
    assert again["first_scan"] is False
    assert again["scanned_at"] == scan["scanned_at"]

    read = world.officer.get(path)
    assert read["scanned_at"] == scan["scanned_at"]
    assert read["code"] is None
    mine = traveller.get("/remote-survey/declarations")
    assert [d["declaration_id"] for d in mine] == [started["declaration_id"]]
    assert "answers" not in mine[0]


# ------------------------------------------------------------------ refusals


def test_a_bad_check_digit_names_its_field(world: Port) -> None:
    world.publish_arrival_form()
    number, day = add_flight(world)
    traveller = world.traveller()
    started = traveller.post(
        "/remote-survey/declarations",
        {
            "port": world.port,
            "arrival_date": day,
            "flight_number": number,
            "form_id": world.form_id,
            "lang": "ja",
        },
    )
    path = f"/remote-survey/declarations/{started['declaration_id']}"
    altered = [SPECIMEN_TD3[0], SPECIMEN_TD3[1][:13] + "5" + SPECIMEN_TD3[1][14:]]  # birth 5…
    answer = traveller.call("POST", f"{path}/autofill", {"mrz": altered})
    assert refusal(answer) == (422, "mrz_check_digit")
    assert "date_of_birth" in answer.json()["details"]["fields"]
    assert traveller.get(path)["answers"] == {"flight_number": number}  # nothing written
    wrong = traveller.call("PATCH", path, {"answers": {"temperature": "hot", "no_such": 1}})
    assert refusal(wrong) == (422, "answers_invalid")
    assert {(d["field"], d["code"]) for d in wrong.json()["details"]} == {
        ("temperature", "not_decimal"),
        ("no_such", "unknown_field"),
    }
    mistyped = traveller.call("POST", f"{path}/autofill", {"resident_id": "110105194912310021"})
    assert refusal(mistyped) == (422, "resident_id_check_character")
    filled = traveller.post(f"{path}/autofill", {"resident_id": "11010519491231002X"}, expect=200)
    answers = filled["declaration"]["answers"]
    assert (answers["date_of_birth"], answers["sex"]) == ("1949-12-31", "F")
    assert answers["document_number"] == "11010519491231002X"


def test_unknown_flight_is_refused(world: Port) -> None:
    world.publish_arrival_form()
    answer = world.traveller().call(
        "POST",
        "/remote-survey/declarations",
        {
            "port": world.port,
            "arrival_date": "2026-12-01",
            "flight_number": "ZZ9999",
            "form_id": world.form_id,
            "lang": "ja",
        },
    )
    assert refusal(answer) == (404, "flight_unknown")


def test_forged_altered_and_expired_codes(world: Port) -> None:
    from enforcement import auth
    from enforcement.remote_survey import declaration_codes

    number, day = add_flight(world)
    submitted = submitted_declaration(world, world.traveller(), number, day)
    code = submitted["code"]
    position = 5
    altered = code[:position] + ("A" if code[position] != "A" else "B") + code[position + 1 :]
    for forged in (altered, "D" + "A" * 40, "not a code"):
        answer = world.officer.call("POST", "/remote-survey/scans", {"code": forged, "lang": "zh"})
        assert refusal(answer) == (403, "code_invalid"), forged
    key = declaration_codes.code_key(auth.signing_key())
    expired = declaration_codes.issue(submitted["declaration_id"], 1_000_000_000, key)
    answer = world.officer.call("POST", "/remote-survey/scans", {"code": expired, "lang": "zh"})
    assert refusal(answer) == (410, "code_expired")
    other_key = declaration_codes.code_key("another deployment's key")
    foreign = declaration_codes.issue(submitted["declaration_id"], 4_000_000_000, other_key)
    answer = world.officer.call("POST", "/remote-survey/scans", {"code": foreign, "lang": "zh"})
    assert refusal(answer) == (403, "code_invalid")


def test_only_the_owner_and_the_ports_officers_see_a_declaration(world: Port) -> None:
    number, day = add_flight(world)
    owner = world.traveller("owner")
    submitted = submitted_declaration(world, owner, number, day)
    path = f"/remote-survey/declarations/{submitted['declaration_id']}"
    assert owner.get(path)["code"]  # a fresh code for the owner
    assert world.officer.get(path)["declaration_id"] == submitted["declaration_id"]

    stranger = world.traveller("stranger")
    assert refusal(stranger.call("GET", path)) == (403, "not_your_declaration")
    assert refusal(stranger.call("POST", f"{path}/check", {})) == (403, "not_your_declaration")
    assert refusal(world.neighbour.call("GET", path)) == (403, "outside_jurisdiction")
    answer = world.neighbour.call(
        "POST", "/remote-survey/scans", {"code": submitted["code"], "lang": "zh"}
    )
    assert refusal(answer) == (403, "outside_jurisdiction")
    other_agency = Port(world.stack)
    assert refusal(other_agency.officer.call("GET", path)) == (404, "declaration_not_found")
    assert refusal(
        owner.call("POST", "/remote-survey/scans", {"code": submitted["code"], "lang": "zh"})
    ) == (
        403,
        "role_not_allowed",
    )


def test_kiosk_sessions_declare_at_their_own_port_only(world: Port) -> None:
    world.publish_arrival_form()
    number, day = add_flight(world)
    add_flight(world, port=world.other_port, officer=world.neighbour, number=number, day=day)
    session = world.officer.post("/remote-survey/kiosk-sessions")
    assert session["role"] == "traveller"
    assert session["port"] == world.port
    assert session["account_id"].startswith("kiosk-")
    kiosk = Client(world.stack.api_url, session["token"])
    body = {"arrival_date": day, "flight_number": number, "form_id": world.form_id, "lang": "zh"}
    started = kiosk.post("/remote-survey/declarations", {**body, "port": world.port})
    assert kiosk.get(f"/remote-survey/declarations/{started['declaration_id']}")["status"] == (
        "draft"
    )
    assert refusal(
        kiosk.call("POST", "/remote-survey/declarations", {**body, "port": world.other_port})
    ) == (403, "outside_jurisdiction")
    assert refusal(world.traveller().call("POST", "/remote-survey/kiosk-sessions")) == (
        403,
        "role_not_allowed",
    )
    assert refusal(world.admin.call("POST", "/remote-survey/kiosk-sessions")) == (
        403,
        "role_not_allowed",
    )
    form = f"/remote-survey/forms/{world.form_id}"
    assert kiosk.get(form, params={"lang": "zh"})["form_id"] == world.form_id
    # a form is its agency's: another agency's kiosk and officers find nothing
    other = Port(world.stack)
    token = other.officer.post("/remote-survey/kiosk-sessions")["token"]
    elsewhere = Client(world.stack.api_url, token)
    for stranger in (elsewhere, other.officer, other.admin):
        for path in (form, f"{form}/versions"):
            answer = stranger.call("GET", path, params={"lang": "zh"})
            assert refusal(answer) == (404, "form_not_found")


def test_a_draft_expires_a_week_after_its_last_change(world: Port) -> None:
    """A draft carries a TTL from its last change (`DRAFT_RETENTION_DAYS`, 7); the submit
    replaces it with the retention period; a draft past it is gone before DynamoDB deletes it."""
    from datetime import timedelta

    from enforcement import clock
    from enforcement.remote_survey.models import Declaration

    world.publish_arrival_form()
    number, day = add_flight(world)
    traveller = world.traveller("drafts")
    body = {"port": world.port, "arrival_date": day, "flight_number": number}
    body |= {"form_id": world.form_id, "lang": "en"}
    started = traveller.post("/remote-survey/declarations", body)
    path = f"/remote-survey/declarations/{started['declaration_id']}"
    week = timedelta(days=7)
    first = Declaration.get(started["declaration_id"]).expires_at
    assert first is not None
    assert abs(first - (clock.parse(started["started_at"]) + week)) < timedelta(seconds=2)
    patched = traveller.call("PATCH", path, {"answers": {"seat_number": "12A"}}, expect=200)
    changed = Declaration.get(started["declaration_id"]).expires_at
    assert changed is not None
    assert changed >= first
    assert abs(changed - (clock.parse(patched.json()["updated_at"]) + week)) < timedelta(seconds=2)
    traveller.post(f"{path}/autofill", {"mrz": SPECIMEN_TD3}, expect=200)
    traveller.call("PATCH", path, {"answers": HEALTHY}, expect=200)
    submitted = traveller.post(f"{path}/submit", expect=200)
    kept = Declaration.get(started["declaration_id"]).expires_at
    assert kept is not None
    month = timedelta(days=30)
    assert abs(kept - (clock.parse(submitted["submitted_at"]) + month)) < timedelta(seconds=2)

    abandoned = traveller.post("/remote-survey/declarations", body)
    gone = f"/remote-survey/declarations/{abandoned['declaration_id']}"
    Declaration(abandoned["declaration_id"]).update(
        actions=[Declaration.expires_at.set(clock.now() - timedelta(minutes=1))]
    )
    assert refusal(traveller.call("GET", gone)) == (404, "declaration_not_found")
    answer = traveller.call("PATCH", gone, {"answers": {"seat_number": "12A"}})
    assert refusal(answer) == (404, "declaration_not_found")
    assert refusal(traveller.call("POST", f"{gone}/submit")) == (404, "declaration_not_found")
    mine = [d["declaration_id"] for d in traveller.get("/remote-survey/declarations")]
    assert mine == [started["declaration_id"]]
