"""Arriving flights and their manifests, as the port's system imported them
(`manifest_import`): what a declaration is checked against, and the flight an officer sees.

A flight is keyed by its port, arrival date and flight number as `consistency.flight_number_key`
spells it (capitals, no leading zeros: `NH0921` is `NH921`); start a declaration with the
`flight_number` of the Flight `get_flight` returns, so that its `flight_key` is the manifest's.
"""

from __future__ import annotations

from typing import Any

from enforcement import access
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.errors import NotFound
from enforcement.masking import mask_document_number
from enforcement.remote_survey.consistency import (
    FlightFacts,
    PassengerFacts,
    document_key,
    flight_number_key,
)
from enforcement.remote_survey.models import Flight, ManifestPassenger, flight_key, port_day

#: Passengers listed in a flight's summary at most (a manifest has at most 1,000).
MAX_LISTED = 1_000


def flight_number_of(text: str) -> str:
    """The spelling a flight's items are keyed by."""
    return flight_number_key(text)


def get_flight(port: str, arrival_date: str, flight_number: str) -> Flight | None:
    """The flight on record, or None (one GetItem, strongly consistent)."""
    try:
        return Flight.get(
            port_day(port, arrival_date), flight_number_of(flight_number), consistent_read=True
        )
    except Flight.DoesNotExist:
        return None


def facts_for(
    port: str, arrival_date: str, flight_number: str, document_number: str | None
) -> FlightFacts | None:
    """What consistency and decision rules compare a declaration with: the flight and the
    manifest's entry for `document_number` (None when it is not on the manifest, or none was
    given). None when the flight is not on record. One BatchGetItem of the two items (one
    GetItem without a document number), eventually consistent reads: a manifest changes rarely
    and a check is repeated before submit."""
    number = flight_number_of(flight_number)
    document = document_key(document_number) if document_number else ""
    keys = [ItemKey(Flight, port_day(port, arrival_date), number, consistent=False)]
    key = flight_key(port, arrival_date, number)
    if document:
        keys.append(ItemKey(ManifestPassenger, key, document, consistent=False))
    reads = batch_get(keys)
    flight = reads.item(Flight, port_day(port, arrival_date), number)
    if flight is None:
        return None
    entry = reads.item(ManifestPassenger, key, document) if document else None
    return FlightFacts(
        port=flight.port,
        arrival_date=flight.arrival_date,
        flight_number=flight.flight_number,
        origin=flight.origin,
        scheduled_on_block=flight.scheduled_on_block,
        actual_on_block=flight.actual_on_block,
        passenger=(
            PassengerFacts(entry.document_number, entry.name, entry.seat) if entry else None
        ),
    )


def passengers_of(port: str, arrival_date: str, flight_number: str) -> list[ManifestPassenger]:
    """The flight's manifest, by document number (one Query, paged by pynamodb)."""
    key = flight_key(port, arrival_date, flight_number_of(flight_number))
    return list(ManifestPassenger.query(key, consistent_read=True, limit=MAX_LISTED))


def _hidden() -> NotFound:
    return NotFound("flight_not_found", "no such flight at this port on that day")


def summary(principal: Any, port: str, arrival_date: str, flight_number: str) -> dict[str, Any]:
    """The flight and its manifest for officers of the port (admins of its agency): document
    numbers masked. 404 `flight_not_found`; 403 for an officer of another port."""
    access.in_jurisdiction(principal, port, access.Action.READ, hidden=_hidden())
    flight = get_flight(port, arrival_date, flight_number)
    if flight is None:
        raise _hidden()
    passengers = passengers_of(port, arrival_date, flight.flight_number)
    return {
        "port": flight.port,
        "arrival_date": flight.arrival_date,
        "flight_number": flight.flight_number,
        "origin": flight.origin,
        "departure_airport": flight.departure_airport,
        "scheduled_on_block": flight.scheduled_on_block,
        "actual_on_block": flight.actual_on_block,
        "passengers": int(flight.passengers or 0),
        "declared": int(flight.declared or 0),
        "released": int(flight.released or 0),
        "held": int(flight.held or 0),
        "imported_at": flight.imported_at,
        "manifest": [
            {
                "name": p.name,
                "document_number": mask_document_number(p.document_number),
                "seat": p.seat,
                "nationality": p.nationality,
            }
            for p in sorted(passengers, key=_seat_order)
        ],
    }


def _seat_order(passenger: ManifestPassenger) -> tuple[int, str, str]:
    seat = passenger.seat or ""
    row = "".join(ch for ch in seat if ch.isdigit())
    return (int(row) if row else 10_000, seat, passenger.name)
