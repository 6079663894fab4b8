"""Set-up helpers of the remote-survey tests, over the local stack: a customs agency with two
ports, the arrival form published under a form id of the test's own, a flight on record, a
traveller with a declaration filled in.

Flights are put on record as a port's system does it: a manifest CSV through the manifest
import (tests/integration/manifests.py).
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from enforcement.auth import Role

from tests.integration.client import Client, officer_session
from tests.integration.manifests import manifest, send, unique_flight
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


#: The specimen passport's holder, as a manifest names her, and her seat.
SPECIMEN_PASSENGER = ("ERIKSSON/ANNA MARIA", SPECIMEN_DOCUMENT, "12A")


def add_flight(
    world: Port,
    *,
    port: str | None = None,
    officer: Client | None = None,
    number: str | None = None,
    day: str | None = None,
    people: Sequence[tuple[str, str, str]] = (SPECIMEN_PASSENGER,),
    origin: str = "JPN",
) -> tuple[str, str]:
    """A flight put on record through the manifest import (a CSV posted to S3, imported by
    the S3 event), by an officer of the port: its flight number and arrival date."""
    number = number or unique_flight()
    day = day or date.today().isoformat()
    status = send(
        officer or world.officer, port or world.port, manifest(number, day, people, origin=origin)
    )
    assert status["result"] == "imported", status
    return number, day


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


def submit_declaration(
    traveller: Client, *, port: str, form_id: str, number: str, day: str, **answers: Any
) -> dict[str, Any]:
    """A declaration of `traveller` for a flight on record, filled from the specimen passport
    and `HEALTHY` (overridden by `answers`), submitted: its answer (with `code`)."""
    started = traveller.post(
        "/remote-survey/declarations",
        {
            "port": port,
            "arrival_date": day,
            "flight_number": number,
            "form_id": form_id,
            "lang": "en",
        },
    )
    path = f"/remote-survey/declarations/{started['declaration_id']}"
    traveller.post(f"{path}/autofill", {"mrz": SPECIMEN_TD3}, expect=200)
    traveller.call("PATCH", path, {"answers": {**HEALTHY, **answers}}, expect=200)
    submitted: dict[str, Any] = traveller.post(f"{path}/submit", expect=200)
    return submitted


def submitted_declaration(
    world: Port, traveller: Client, number: str, day: str, **answers: Any
) -> dict[str, Any]:
    """`submit_declaration` at the world's port, on its arrival form."""
    world.publish_arrival_form()
    return submit_declaration(
        traveller, port=world.port, form_id=world.form_id, number=number, day=day, **answers
    )
