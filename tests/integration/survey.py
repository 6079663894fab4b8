"""Set-up helpers of the remote-survey tests, over the local stack: a customs agency with two
ports, the arrival form published under a form id of the test's own, a flight on record, a
traveller with a declaration filled in.

The flight and its manifest are written with the models straight into the stack's DynamoDB:
what a port system's manifest import makes of a CSV, without the upload.
"""

from __future__ import annotations

import copy
import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from enforcement.auth import Role

from tests.integration.client import Client, officer_session
from tests.integration.people import crew_account

ARRIVAL_FORM = (
    Path(__file__).resolve().parents[2]
    / "layers/common/enforcement/remote_survey/forms/arrival_health_declaration.json"
)
#: ICAO 9303 Part 4's specimen passport (Utopia; expired in 2012).
SPECIMEN_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]
SPECIMEN_DOCUMENT = "L898902C3"


def arrival_sheets(form_id: str) -> dict[str, Any]:
    """The example arrival form's sheets, under `form_id`."""
    sheets: dict[str, Any] = json.loads(ARRIVAL_FORM.read_text(encoding="utf-8"))
    sheets = copy.deepcopy(sheets)
    sheets["settings"][0]["form_id"] = form_id
    return sheets


class Port:
    """A customs agency with two ports: an admin, an officer of each port."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        sfx = secrets.token_hex(3)
        self.agency = f"customs-{sfx}"
        self.port, self.other_port = f"pvg-{sfx}", f"sha-{sfx}"
        self.admin = self.login(f"cadm{sfx}", Role.ADMIN, self.port)
        self.officer = self.login(f"cwang{sfx}", Role.OFFICER, self.port)
        self.neighbour = self.login(f"cli{sfx}", Role.OFFICER, self.other_port)
        self.form_id = f"arrival_{sfx}"
        self.form: dict[str, Any] | None = None

    def login(self, username: str, role: Role, port: str) -> Client:
        return officer_session(
            self.stack.api_url,
            username,
            role=role,
            agency=self.agency,
            jurisdiction=port,
            name=username,
        )

    def publish_arrival_form(self) -> dict[str, Any]:
        if self.form is None:
            self.form = self.admin.call(
                "POST", "/remote-survey/forms", {"sheets": arrival_sheets(self.form_id)}
            ).json()
        return self.form

    def traveller(self, name: str = "traveller") -> Client:
        return crew_account(self.stack, name)


def flight_number() -> str:
    return "MU" + str(secrets.randbelow(9000) + 1000)


def add_flight(
    port: str,
    agency: str,
    number: str,
    *,
    arrival_date: str | None = None,
    origin: str = "JPN",
    passengers: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
) -> str:
    """A flight on record at `port` with its manifest (name, document number, seat); returns
    its arrival date."""
    from enforcement.remote_survey.models import Flight, ManifestPassenger, flight_key, port_day

    day = arrival_date or date.today().isoformat()
    Flight(
        port_day(port, day),
        number.upper(),
        port=port,
        agency=agency,
        arrival_date=day,
        origin=origin,
        departure_airport="NRT",
        scheduled_on_block=f"{day}T02:00:00.000Z",
        passengers=len(passengers),
    ).save()
    for name, document, seat in passengers:
        ManifestPassenger(
            flight_key(port, day, number), document.upper(), name=name, seat=seat
        ).save()
    return day


#: Answers of a healthy traveller from Japan, besides those the MRZ fills in.
HEALTHY = {
    "document_type": "passport",
    "seat_number": "12A",
    "countries_visited": ["JPN"],
    "contact_confirmed": "no",
    "contact_symptomatic": "no",
    "symptoms": ["none"],
    "temperature": 36.6,
    "medicine_taken": "no",
    "address": "上海市浦东新区世纪大道100号",
    "phone": "+8613800138000",
    "declaration": "yes",
}


def submitted_declaration(
    world: Port, traveller: Client, number: str, day: str, **answers: Any
) -> dict[str, Any]:
    """A declaration of `traveller` for a flight, filled from the specimen passport and
    `HEALTHY` (overridden by `answers`), submitted: its answer (with `code`)."""
    world.publish_arrival_form()
    started = traveller.post(
        "/remote-survey/declarations",
        {
            "port": world.port,
            "arrival_date": day,
            "flight_number": number,
            "form_id": world.form_id,
            "lang": "en",
        },
    )
    path = f"/remote-survey/declarations/{started['declaration_id']}"
    traveller.post(f"{path}/autofill", {"mrz": SPECIMEN_TD3}, expect=200)
    traveller.call("PATCH", path, {"answers": {**HEALTHY, **answers}}, expect=200)
    submitted: dict[str, Any] = traveller.post(f"{path}/submit", expect=200)
    return submitted
