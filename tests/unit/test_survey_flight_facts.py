"""`flights.facts_for` under moto: the flight and the declared document's manifest entry in one
BatchGetItem (one call, one when no document is given), None for a flight not on record, and
the flight number in any spelling of the same flight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement.remote_survey import flights
from enforcement.remote_survey.models import Flight, ManifestPassenger, flight_key, port_day

from tests.unit import survey_moto

PORT, DAY = "port-pvg", "2026-12-01"


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    with survey_moto.tables(monkeypatch, Flight, ManifestPassenger) as calls:
        Flight(
            port_day(PORT, DAY),
            "NH921",
            port=PORT,
            agency="customs",
            arrival_date=DAY,
            origin="JPN",
            scheduled_on_block="2026-12-01T04:35:00Z",
            passengers=1,
        ).save()
        ManifestPassenger(
            flight_key(PORT, DAY, "NH921"), "E12345678", name="YAMADA/HANAKO", seat="32A"
        ).save()
        calls.clear()
        yield calls


def test_one_call_for_the_flight_and_the_entry(tables: list[str]) -> None:
    facts = flights.facts_for(PORT, DAY, "nh0921", "e1234 5678")
    assert tables == ["BatchGetItem"]
    assert facts is not None
    assert facts.flight_number == "NH921"
    assert facts.passenger == flights.PassengerFacts("E12345678", "YAMADA/HANAKO", "32A")


def test_a_document_not_on_the_manifest_and_no_document(tables: list[str]) -> None:
    not_listed = flights.facts_for(PORT, DAY, "NH921", "X0000000")
    assert not_listed is not None
    assert not_listed.passenger is None
    assert flights.facts_for(PORT, DAY, "NH921", None) == not_listed
    assert tables == ["BatchGetItem", "BatchGetItem"]


def test_a_flight_not_on_record(tables: list[str]) -> None:
    assert flights.facts_for(PORT, "2026-12-02", "NH921", "E12345678") is None
    assert flights.get_flight(PORT, DAY, "NH0921") is not None
    assert flights.get_flight(PORT, DAY, "NH922") is None
