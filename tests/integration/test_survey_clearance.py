"""Clearance over real HTTP: an officer of the port releases, refers or samples the traveller of a
scanned declaration; the flight's counters and clearance time follow; a late flight alerts the
port once (inbox and SNS); the port's day board shows every flight's figures; officers of
another port, travellers and overrides without a reason are refused.

The first test walks the whole way over HTTP: a manifest imported, a traveller's declaration
submitted, its code scanned by the port, the traveller released, the board. The others start
from flights and declarations written with the models into the stack's tables, as the manifest
import and the declaration flow leave them (submitted, version 1, the flight's `declared`
counted, scanned by the port), so that one test can hold many travellers and set the on-block
time."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from enforcement import clock, notify
from enforcement.auth import Role
from enforcement.remote_survey.models import Declaration, DeclarationVersion, Flight

from tests.integration import survey
from tests.integration.client import Client, officer_session
from tests.integration.manifests import manifest, send, unique_flight
from tests.integration.people import crew_account
from tests.survey_records import write_declaration

DAY = "2026-12-01"


@dataclass
class Port:
    stack: Any
    agency: str
    port: str
    officer: Client
    neighbour: Client  # an officer of another port of the same agency
    traveller: Client

    def flight(self, *, on_block_minutes_ago: float, number: str, passengers: int = 150) -> Flight:
        on_block = clock.iso(clock.now() - timedelta(minutes=on_block_minutes_ago))
        flight = Flight(
            f"{self.port}#{DAY}",
            number,
            port=self.port,
            agency=self.agency,
            arrival_date=DAY,
            origin="JPN",
            departure_airport="KIX",
            scheduled_on_block=clock.iso(clock.now() - timedelta(hours=2)),
            actual_on_block=on_block,
            passengers=passengers,
        )
        flight.save()
        return flight

    def declaration(self, flight: Flight, outcome: str = "release") -> str:
        declaration = write_declaration(
            self.port,
            self.agency,
            flight.flight_number,
            DAY,
            owner=self.traveller.get("/auth/me")["account_id"],
            answers={"symptoms": ["none"]},
            outcome=outcome,
            scanned_by="officer",
        )
        flight.update(actions=[Flight.declared.add(1)])
        return str(declaration.declaration_id)


@pytest.fixture
def port(stack: Any) -> Port:
    sfx = secrets.token_hex(3)
    agency, home, other = f"customs-{sfx}", f"pvg-{sfx}", f"sha-{sfx}"

    def officer(name: str, jurisdiction: str) -> Client:
        return officer_session(
            stack.api_url, f"{name}{sfx}", role=Role.OFFICER, agency=agency,
            jurisdiction=jurisdiction, name=name,
        )  # fmt: skip

    return Port(
        stack,
        agency,
        home,
        officer("clo", home),
        officer("cln", other),
        crew_account(stack, f"trv{sfx}"),
    )


def clear(client: Client, declaration_id: str, body: dict[str, Any], expect: int = 200) -> Any:
    response = client.call(
        "POST", f"/remote-survey/declarations/{declaration_id}/clearance", body, expect=expect
    )
    return response.json()


def test_a_traveller_declares_is_scanned_released_and_counted_on_the_board(stack: Any) -> None:
    world = survey.Port(stack)
    on_block = clock.now() - timedelta(minutes=40)
    day, number = on_block.date().isoformat(), unique_flight()
    people = (survey.SPECIMEN_PASSENGER, ("TANAKA/HANAKO", "TK1234567", "12B"))
    status = send(
        world.officer,
        world.port,
        manifest(number, day, people, actual=on_block.strftime("%H:%M:%SZ")),
    )
    assert status["result"] == "imported", status
    traveller = world.traveller("clearance")
    submitted = survey.submitted_declaration(world, traveller, number, day)
    assert submitted["outcome"] == "release"
    declaration_id = submitted["declaration_id"]
    path = f"/remote-survey/declarations/{declaration_id}/clearance"
    early = world.officer.call("POST", path, {"disposition": "released"}, expect=409)
    assert early.json()["code"] == "not_scanned"

    world.officer.post(
        "/remote-survey/scans", {"code": submitted["code"], "lang": "zh"}, expect=200
    )
    refused = world.neighbour.call("POST", path, {"disposition": "released"}, expect=403)
    assert refused.json()["code"] == "outside_jurisdiction"
    traveller.call("POST", path, {"disposition": "released"}, expect=403)
    released = world.officer.post(path, {"disposition": "released"}, expect=200)
    assert released["disposition"] == "released"
    assert released["override"] is False
    assert released["on_block"].startswith(on_block.strftime("%Y-%m-%dT%H:%M:%S"))
    seconds = released["seconds_from_on_block"]
    assert seconds["released"] >= 2399  # on-block 40 minutes before (its seconds cut)
    assert seconds["released"] == round(
        (clock.parse(released["released_at"]) - clock.parse(released["on_block"])).total_seconds()
    )
    assert seconds["scanned"] <= seconds["released"]
    assert world.officer.get(path) == released

    board = world.officer.get(f"/remote-survey/boards/{day}")
    [row] = [f for f in board["flights"] if f["flight_number"] == number]
    assert {k: row[k] for k in ("arrivals", "declared", "released", "held", "in_process")} == {
        "arrivals": 2,
        "declared": 1,
        "released": 1,
        "held": 0,
        "in_process": 0,
    }
    assert row["p90_seconds"] == seconds["released"]
    assert row["late"] is True  # 40 minutes after on-block, past the 30 minutes' target
    assert row["alerted_at"] is not None
    world.neighbour.call(
        "GET", f"/remote-survey/boards/{day}", params={"port": world.port}, expect=403
    )


def test_release_refer_and_the_days_board(port: Port) -> None:
    flight = port.flight(on_block_minutes_ago=12, number="JL0873")
    early = port.flight(on_block_minutes_ago=60, number="NH0919", passengers=90)
    released = port.declaration(flight)
    held = port.declaration(flight, outcome="onsite_referral")
    waiting = port.declaration(flight)
    first = clear(port.officer, released, {"disposition": "released"})
    assert first["disposition"] == "released"
    assert first["override"] is False
    assert first["seconds_from_on_block"]["released"] >= 12 * 60
    assert first["seconds_from_on_block"]["released"] == round(
        (clock.parse(first["released_at"]) - clock.parse(first["on_block"])).total_seconds()
    )
    assert clear(port.officer, released, {"disposition": "released"}) == first  # a retry
    refused = clear(port.officer, released, {"disposition": "referred", "reason": "x"}, 409)
    assert refused["code"] == "already_cleared"
    referred = clear(port.officer, held, {"disposition": "referred"})
    assert (referred["disposition"], referred["referred_at"] is not None) == ("referred", True)
    assert Declaration.get(held).expires_at is None
    assert DeclarationVersion.get(held, 1).expires_at is None
    assert Declaration.get(released).expires_at is not None
    assert port.officer.get(f"/remote-survey/declarations/{released}/clearance") == first

    board = port.officer.get(f"/remote-survey/boards/{DAY}")
    assert (board["port"], board["target_minutes"]) == (port.port, 30)
    assert [f["flight_number"] for f in board["flights"]] == ["NH0919", "JL0873"]
    row = board["flights"][1]
    assert {k: row[k] for k in ("arrivals", "declared", "released", "held", "in_process")} == {
        "arrivals": 150,
        "declared": 3,
        "released": 1,
        "held": 1,
        "in_process": 1,
    }
    seconds = first["seconds_from_on_block"]["released"]
    assert (row["p50_seconds"], row["p90_seconds"], row["max_seconds"]) == (seconds,) * 3
    assert row["late"] is False
    assert board["flights"][0]["p90_seconds"] is None
    assert early.flight_number == board["flights"][0]["flight_number"]
    one = port.officer.get(f"/remote-survey/flights/{DAY}/jl0873/clearance")
    assert {k: one[k] for k in row} == row
    assert waiting not in json.dumps(board)


def test_a_late_flight_alerts_the_port_once(port: Port) -> None:
    sqs = port.stack.boto3_client("sqs")
    sns = port.stack.boto3_client("sns")
    queue = sqs.create_queue(QueueName=f"late-{secrets.token_hex(4)}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=port.stack.resources["NotificationsTopic"],
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    flight = port.flight(on_block_minutes_ago=41, number="MU0522")
    for declaration_id in (port.declaration(flight), port.declaration(flight)):
        clear(port.officer, declaration_id, {"disposition": "released"})
    notes = [
        n for n in notify.inbox(f"jurisdiction:{port.port}") if n.kind == "clearance.p90_exceeded"
    ]
    assert len(notes) == 1
    assert notes[0].data["flight_number"] == "MU0522"
    assert notes[0].data["p90_seconds"] > 1800
    copies = []
    for _ in range(5):
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        copies += [json.loads(m["Body"]) for m in got]
        if not got:
            break
    late = [c for c in copies if c["recipient"] == f"jurisdiction:{port.port}"]
    assert [c["kind"] for c in late] == ["clearance.p90_exceeded"]
    board = port.officer.get(f"/remote-survey/boards/{DAY}")
    [row] = board["flights"]
    assert row["late"] is True
    assert row["alerted_at"] == notes[0].created_at


def test_refusals(port: Port) -> None:
    flight = port.flight(on_block_minutes_ago=5, number="CA0919")
    declaration_id = port.declaration(flight, outcome="onsite_referral")
    path = f"/remote-survey/declarations/{declaration_id}/clearance"
    override = clear(port.officer, declaration_id, {"disposition": "released"}, 422)
    assert override["code"] == "reason_required"
    outside = clear(port.neighbour, declaration_id, {"disposition": "referred"}, 403)
    assert outside["code"] == "outside_jurisdiction"
    traveller = clear(port.traveller, declaration_id, {"disposition": "released"}, 403)
    assert traveller["code"] == "role_not_allowed"
    port.traveller.call("GET", path, expect=403)
    port.neighbour.call(
        "GET", f"/remote-survey/boards/{DAY}", params={"port": port.port}, expect=403
    )
    port.traveller.call("GET", f"/remote-survey/boards/{DAY}", expect=403)
    Client(port.stack.api_url).call("POST", path, {"disposition": "released"}, expect=401)
    clear(port.officer, declaration_id, {"disposition": "waved_through"}, 422)
    clear(port.officer, declaration_id, {"disposition": "released", "extra": 1}, 422)
    clear(port.officer, "dc-0000000000000000", {"disposition": "released"}, 404)
    port.officer.call("GET", "/remote-survey/boards/2026-02-30", expect=422)
    port.officer.call("GET", f"/remote-survey/flights/{DAY}/XX0001/clearance", expect=404)
    stored = Declaration.get(declaration_id)
    assert (stored.disposition, stored.override) == (None, None)
    assert Flight.get(flight.port_day, flight.flight_number).held == 0
    overridden = clear(
        port.officer, declaration_id, {"disposition": "released", "reason": "fever gone at desk"}
    )
    assert (overridden["override"], overridden["reason"]) == (True, "fever gone at desk")
