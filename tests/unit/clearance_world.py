"""The remote survey's tables under moto, in process, for the clearance tests: two ports of one
customs agency, a port of another agency, their officers, and helpers that put a flight and a
submitted (and scanned) declaration as the declaration flow leaves them. Made with pynamodb's
`create_table` from the models, as tests/unit/checkin_world.py does for check-in."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3
import pytest
from enforcement import audit, clock, config, db, jurisdictions, models, notify
from enforcement.auth import Principal, Role
from enforcement.remote_survey import models as survey_models
from enforcement.remote_survey.models import Declaration, Flight
from moto import mock_aws
from pynamodb.models import Model

from tests.survey_records import write_declaration

REGION = "cn-north-1"


def tables() -> list[type[Model]]:
    found: dict[str, type[Model]] = {}
    for value in [*vars(models).values(), *vars(survey_models).values(), audit.AuditEntry]:
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            found.setdefault(value.Meta.table_name, value)
    return list(found.values())


@dataclass
class Ports:
    agency: str
    port: str
    officer: Principal
    neighbour: Principal  # an officer of another port of the same agency
    foreigner: Principal  # an officer of another agency
    sqs: Any
    queue_url: str
    flights: list[str] = field(default_factory=list)

    def flight(
        self,
        *,
        on_block_minutes_ago: float = 40,
        actual: bool = True,
        passengers: int = 120,
        number: str | None = None,
        arrival_date: str = "2026-12-01",
    ) -> Flight:
        """A flight of the port whose on-block was `on_block_minutes_ago` minutes ago (the
        actual time, or only the scheduled one)."""
        number = number or f"MU{secrets.randbelow(10**4):04d}"
        at = clock.iso(clock.now() - timedelta(minutes=on_block_minutes_ago))
        flight = Flight(
            f"{self.port}#{arrival_date}",
            number,
            port=self.port,
            agency=self.agency,
            arrival_date=arrival_date,
            origin="JPN",
            departure_airport="NRT",
            scheduled_on_block=at if not actual else clock.iso(clock.now() - timedelta(hours=1)),
            actual_on_block=at if actual else None,
            passengers=passengers,
        )
        flight.save()
        return flight

    def declaration(
        self,
        flight: Flight,
        *,
        outcome: str | None = "release",
        scanned: bool = True,
        versions: int = 1,
        status: str = "submitted",
    ) -> Declaration:
        """A declaration of `flight` as submit leaves it (its versions, its TTL, the flight's
        `declared` counter), scanned by the port's officer unless told otherwise."""
        declaration = write_declaration(
            self.port,
            self.agency,
            flight.flight_number,
            flight.arrival_date,
            owner=f"acc-{secrets.token_hex(6)}",
            answers={"surname": "YAMADA", "symptoms": ["none"]},
            status=status,
            versions=versions,
            outcome=outcome,
            scanned_by=self.officer.account_id if scanned else None,
            rule_version="test-1",
        )
        if status == "submitted":
            flight.update(actions=[Flight.declared.add(1)])
        return declaration

    def sns(self) -> list[dict[str, Any]]:
        """The notifications published on the topic since the last call."""
        found: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            messages = got.get("Messages", [])
            if not messages:
                return found
            found += [json.loads(m["Body"]) for m in messages]
            for m in messages:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def ports(monkeypatch: pytest.MonkeyPatch) -> Iterator[Ports]:
    for name in list(os.environ):
        if (
            name.startswith("AWS_ENDPOINT_URL")
            or name.endswith("_TABLE")
            or name == "NOTIFICATIONS_TOPIC_ARN"
        ):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    suffix = secrets.token_hex(4)
    agency, port, neighbour = f"customs-{suffix}", f"pvg-{suffix}", f"sha-{suffix}"
    with mock_aws():
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="notifications")["TopicArn"]
        url = sqs.create_queue(QueueName="copies")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
        )
        monkeypatch.setenv("NOTIFICATIONS_TOPIC_ARN", topic)
        config.settings.cache_clear()
        notify._sns.cache_clear()
        db._connection.cache_clear()
        for model in tables():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        jurisdictions.register("admin:seed", agency, port)
        jurisdictions.register("admin:seed", agency, neighbour)
        jurisdictions.register("admin:seed", f"other-{suffix}", f"far-{suffix}")
        yield Ports(
            agency,
            port,
            Principal("officer-pvg", Role.OFFICER, agency=agency, jurisdiction=port),
            Principal("officer-sha", Role.OFFICER, agency=agency, jurisdiction=neighbour),
            Principal(
                "officer-far", Role.OFFICER, agency=f"other-{suffix}", jurisdiction=f"far-{suffix}"
            ),
            sqs,
            url,
        )
    config.settings.cache_clear()
    notify._sns.cache_clear()
    db._connection.cache_clear()
