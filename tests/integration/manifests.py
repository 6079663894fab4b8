"""A flight put on record as a port's system does it, over HTTP: a manifest CSV posted with the
presigned POST an officer of the port gets, imported by the S3 event. For any test that needs
an arriving flight (declarations, clearance, reviews)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import requests

from tests.integration.client import Client, wait_for

HEADER = "flight_number,origin,departure_airport,arrival_date,scheduled_on_block,actual_on_block"
PASSENGERS = "name,document_number,seat,nationality"


def manifest(
    number: str,
    day: str,
    people: Sequence[tuple[str, str, str]],
    *,
    origin: str = "JPN",
    on_block: str = "04:35:00Z",
    actual: str = "04:41:00Z",
) -> bytes:
    """A manifest CSV (UTF-8 with a BOM, CRLF) of `people` (name, document number, seat)."""
    lines = [
        HEADER,
        f"{number},{origin},NRT,{day},{day}T{on_block},{day}T{actual}"
        if actual
        else f"{number},{origin},NRT,{day},{day}T{on_block},",
        PASSENGERS,
        *(f"{name},{document},{seat},{origin}" for name, document, seat in people),
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def unique_flight() -> str:
    return f"NH{secrets.randbelow(9000) + 1000}"


def send(officer: Client, port: str, content: bytes) -> dict[str, Any]:
    """Ask for an upload as `officer`, post the CSV, wait for the import's outcome (the
    upload's status, with its `key`)."""
    grant = officer.post("/remote-survey/manifests", {"port": port})
    response = requests.post(
        grant["url"],
        data=grant["fields"],
        files={grant.get("file_field", "file"): ("manifest.csv", content, "text/csv")},
        timeout=60,
    )
    assert response.status_code in (200, 201, 204), response.text
    path = f"/remote-survey/manifests/{grant['upload_id']}?port={port}"
    status = wait_for(lambda: officer.get(path), lambda s: s["status"] != "pending")
    return {**status, "key": grant["key"], "grant": grant}


def import_flight(
    officer: Client,
    port: str,
    day: str,
    people: Sequence[tuple[str, str, str]],
    **kw: Any,
) -> str:
    """A new flight of `port` on `day` with `people` on its manifest; its flight number."""
    number = unique_flight()
    status = send(officer, port, manifest(number, day, people, **kw))
    assert status["result"] == "imported", status
    return number
