"""Flights and their manifests over real HTTP on the local stack: an officer of the port gets a
presigned POST, posts the CSV, the S3 event imports it, and the flight is there with its
passengers masked; a bad CSV is refused line by line and writes no flight; the same S3 event
delivered twice changes nothing; a newer manifest replaces the passenger list and keeps the
flight's counters; an officer of another port is refused."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from enforcement.auth import Role

from tests.integration.client import Client, officer_session
from tests.integration.manifests import manifest, send, unique_flight

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def port() -> str:
    return f"port-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def agency() -> str:
    return f"customs-mf-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def officer(stack: Any, port: str, agency: str) -> Client:
    return officer_session(
        stack.api_url,
        f"mf{secrets.token_hex(3)}",
        role=Role.OFFICER,
        agency=agency,
        jurisdiction=port,
        name="钱检疫",
    )


def test_a_manifest_is_imported_and_the_officer_sees_the_flight(officer: Client, port: str) -> None:
    number = unique_flight()
    people = [("YAMADA/HANAKO", "E12345678", "32A"), ("SATO/KEN", "TR0001234", "2C")]
    status = send(officer, port, manifest(number, "2026-12-01", people))
    assert status["key"] == f"survey/manifests/{port}/{status['upload_id']}"
    assert status["grant"]["fields"]["Content-Type"] == "text/csv"
    assert (status["status"], status["result"]) == ("done", "imported")
    assert status["details"]["passengers"] == 2

    flight = officer.get(f"/remote-survey/flights/2026-12-01/{number.lower()}?port={port}")
    assert flight["flight_number"] == number
    assert flight["origin"] == "JPN"
    assert flight["scheduled_on_block"] == "2026-12-01T04:35:00Z"
    assert (flight["passengers"], flight["declared"], flight["released"]) == (2, 0, 0)
    assert [(p["name"], p["seat"]) for p in flight["manifest"]] == [
        ("SATO/KEN", "2C"),
        ("YAMADA/HANAKO", "32A"),
    ]
    assert [p["document_number"] for p in flight["manifest"]] == ["******234", "******678"]

    from enforcement.remote_survey import flights

    facts = flights.facts_for(port, "2026-12-01", number, "e1234 5678")
    assert facts is not None
    assert facts.passenger is not None
    assert (facts.origin, facts.passenger.seat) == ("JPN", "32A")
    absent = flights.facts_for(port, "2026-12-01", number, "X9999999")
    assert absent is not None
    assert absent.passenger is None
    assert flights.facts_for(port, "2026-12-02", number, "E12345678") is None


def test_a_bad_manifest_is_refused_line_by_line_and_writes_no_flight(
    officer: Client, port: str
) -> None:
    number = unique_flight()
    people = [("YAMADA/HANAKO", "E12345678", "32A"), ("SATO/KEN", "E1", "2C")]
    content = manifest(number, "2026-12-01", people) + b"ONLY/TWO,FIELDS\r\n"
    status = send(officer, port, content)
    assert (status["status"], status["result"]) == ("rejected", "manifest_refused")
    problems = {(p["line"], p["field"], p["code"]) for p in status["details"]["problems"]}
    assert problems == {
        (5, "document_number", "bad_document_number"),
        (6, None, "wrong_field_count"),
    }
    found = officer.get(f"/remote-survey/flights/2026-12-01/{number}?port={port}", expect=404)
    assert found["code"] == "flight_not_found"


def test_the_same_event_twice_changes_nothing(stack: Any, officer: Client, port: str) -> None:
    number = unique_flight()
    status = send(officer, port, manifest(number, "2026-12-01", [("LI/LEI", "E7654321", "1A")]))
    assert status["result"] == "imported"
    delivered = [
        i
        for i in stack.invocations
        if i.function.endswith("ManifestImportFunction") and status["key"] in str(i.event)
    ]
    assert len(delivered) == 1
    path = f"/remote-survey/flights/2026-12-01/{number}?port={port}"
    before = officer.get(path)
    again = stack.invoke("ManifestImportFunction", delivered[0].event)
    assert again.error is None
    assert again.payload["records"][0]["outcome"] == "already_processed"
    assert officer.get(path) == before


def test_a_newer_manifest_replaces_the_passengers_and_keeps_the_counters(
    officer: Client, port: str
) -> None:
    from enforcement.remote_survey import flights
    from enforcement.remote_survey.models import Flight

    number = unique_flight()
    first = [("YAMADA/HANAKO", "E12345678", "32A"), ("SATO/KEN", "E22222222", "2C")]
    assert send(officer, port, manifest(number, "2026-12-01", first))["result"] == "imported"
    flight = flights.get_flight(port, "2026-12-01", number)
    assert flight is not None
    flight.update(actions=[Flight.declared.add(1)])  # a declaration submitted meanwhile

    second = [("YAMADA/HANAKO", "E12345678", "33A"), ("TANAKA/YU", "E33333333", "5K")]
    status = send(officer, port, manifest(number, "2026-12-01", second))
    assert status["details"]["replaced"] is True
    assert status["details"]["removed"] == 1
    seen = officer.get(f"/remote-survey/flights/2026-12-01/{number}?port={port}")
    assert [(p["name"], p["seat"]) for p in seen["manifest"]] == [
        ("TANAKA/YU", "5K"),
        ("YAMADA/HANAKO", "33A"),
    ]
    assert (seen["passengers"], seen["declared"]) == (2, 1)
    assert flights.facts_for(port, "2026-12-01", number, "E22222222").passenger is None  # type: ignore[union-attr]

    # the same content again, by a new upload: nothing changes
    again = send(officer, port, manifest(number, "2026-12-01", second))
    assert (again["result"], again["details"]["changed"]) == ("unchanged", False)


def test_an_officer_of_another_port_is_refused(
    stack: Any, officer: Client, port: str, agency: str
) -> None:
    number = unique_flight()
    send(officer, port, manifest(number, "2026-12-01", [("LI/LEI", "E7654321", "1A")]))
    path = f"/remote-survey/flights/2026-12-01/{number}?port={port}"
    suffix = secrets.token_hex(3)
    colleague = officer_session(  # the same customs agency, another port
        stack.api_url,
        f"mc{suffix}",
        role=Role.OFFICER,
        agency=agency,
        jurisdiction=f"port-{suffix}",
        name="孙检疫",
    )
    assert colleague.get(path, expect=403)["code"] == "outside_jurisdiction"
    colleague.post("/remote-survey/manifests", {"port": port}, expect=403)
    stranger = officer_session(  # another agency's officer: the port is not theirs to know
        stack.api_url,
        f"ms{suffix}",
        role=Role.OFFICER,
        agency=f"customs-ms-{suffix}",
        jurisdiction=f"port-s{suffix}",
        name="周检疫",
    )
    assert stranger.get(path, expect=404)["code"] == "flight_not_found"
    assert stranger.post("/remote-survey/manifests", {"port": port}, expect=404)["code"] == (
        "port_not_found"
    )
