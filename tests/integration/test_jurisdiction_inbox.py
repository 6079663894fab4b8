"""A jurisdiction's inbox over real HTTP (`GET /notifications/jurisdiction`) and the late-flight
schedule that fills a port's: a flight whose travellers wait past the clearance target with
nobody released is alerted when the schedule fires (once, however often it fires); the port's
officers read it, the agency's admin reads it by naming the port, officers of another port,
other agencies, travellers and callers without a token are refused."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from enforcement import clock
from enforcement.auth import Role
from enforcement.remote_survey.models import Flight

from tests.integration.client import Client, officer_session
from tests.integration.people import crew_account

LATE = "clearance.p90_exceeded"
INBOX = "/notifications/jurisdiction"


def test_a_late_flight_nobody_releases_reaches_the_ports_inbox(stack: Any) -> None:
    sfx = secrets.token_hex(3)
    agency, port, other = f"customs-{sfx}", f"pvg-{sfx}", f"sha-{sfx}"

    def staff(name: str, role: Role, agency: str, jurisdiction: str) -> Client:
        return officer_session(
            stack.api_url, f"{name}{sfx}", role=role, agency=agency,
            jurisdiction=jurisdiction, name=name,
        )  # fmt: skip

    officer = staff("ibo", Role.OFFICER, agency, port)
    neighbour = staff("ibn", Role.OFFICER, agency, other)
    admin = staff("iba", Role.ADMIN, agency, other)
    foreign = staff("ibx", Role.ADMIN, f"traffic-{sfx}", f"ytai-{sfx}")
    traveller = crew_account(stack, f"ibt{sfx}")

    day = clock.local_date().isoformat()
    number = f"MU{secrets.randbelow(10**4):04d}"
    Flight(
        f"{port}#{day}",
        number,
        port=port,
        agency=agency,
        arrival_date=day,
        origin="JPN",
        departure_airport="KIX",
        scheduled_on_block=clock.iso(clock.now() - timedelta(minutes=50)),
        actual_on_block=clock.iso(clock.now() - timedelta(minutes=45)),
        passengers=120,
    ).save()
    assert [n for n in officer.get(INBOX) if n["kind"] == LATE] == []

    [result] = stack.fire_schedule("LateFlightsFunction")
    assert result.error is None, result.payload
    assert f"{port}#{day}#{number}" in result.payload["alerted"]
    [again] = stack.fire_schedule("LateFlightsFunction")
    assert f"{port}#{day}#{number}" not in again.payload["alerted"]

    [note] = [n for n in officer.get(INBOX) if n["kind"] == LATE]
    assert note["data"]["flight_number"] == number
    assert note["data"]["waiting"] == 120
    assert note["data"]["p90_seconds"] >= 45 * 60
    assert officer.get(INBOX, params={"jurisdiction": port}) == officer.get(INBOX)
    assert admin.get(INBOX, params={"jurisdiction": port}) == officer.get(INBOX)
    assert [n for n in neighbour.get(INBOX) if n["kind"] == LATE] == []
    board = officer.get(f"/remote-survey/boards/{day}")
    [row] = [f for f in board["flights"] if f["flight_number"] == number]
    assert (row["late"], row["alerted_at"]) == (True, note["created_at"])

    outside = neighbour.call("GET", INBOX, params={"jurisdiction": port}, expect=403)
    assert outside.json()["code"] == "outside_jurisdiction"
    hidden = foreign.call("GET", INBOX, params={"jurisdiction": port}, expect=404)
    assert hidden.json()["code"] == "jurisdiction_not_found"
    nobody = admin.call("GET", INBOX, params={"jurisdiction": f"none-{sfx}"}, expect=404)
    assert nobody.json()["code"] == "jurisdiction_not_found"
    assert traveller.call("GET", INBOX, expect=403).json()["code"] == "role_not_allowed"
    Client(stack.api_url).call("GET", INBOX, expect=401)
    admin.call("GET", INBOX, params={"jurisdiction": "Not A Port!"}, expect=422)
