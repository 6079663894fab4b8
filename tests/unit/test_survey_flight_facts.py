"""`flights.facts_for` under moto: the flight and the declared document's manifest entry in one
BatchGetItem (one call, one when no document is given), None for a flight not on record, and
the flight number in any spelling of the same flight."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from enforcement import config, db
from enforcement.remote_survey import flights
from enforcement.remote_survey.models import Flight, ManifestPassenger, flight_key, port_day
from moto import mock_aws

PORT, DAY = "port-pvg", "2026-12-01"


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name.endswith("_TABLE"):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    db._connection.cache_clear()
    with mock_aws():
        for model in (Flight, ManifestPassenger):
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
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
        calls: list[str] = []

        def count(event_name: str, **_: Any) -> None:
            calls.append(event_name.rsplit(".", 1)[-1])

        db.connection().client.meta.events.register("before-call.dynamodb", count)
        yield calls
    config.settings.cache_clear()
    db._connection.cache_clear()


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
