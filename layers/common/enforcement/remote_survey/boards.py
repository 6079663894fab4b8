"""A port's day of arriving flights, each with its clearance figures (`rules.flight_figures`):
the board the port's officers watch. One Query of the flights table by `port_day`."""

from __future__ import annotations

from typing import Any

from enforcement import access, clock
from enforcement.auth import Principal, Role
from enforcement.config import settings
from enforcement.errors import NotFound, Unprocessable
from enforcement.remote_survey import clearance, rules
from enforcement.remote_survey.models import Flight, flight_key, port_day


def _port_of(principal: Principal, port: str | None) -> str:
    """The port asked for (an officer's own by default); officers of that port and admins of
    its agency may read it: 403 for travellers and officers of another port, 404
    `port_not_found` for a port of another agency or of none."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    port = port or principal.jurisdiction
    if not port:
        raise Unprocessable("port_required", "name the port (query parameter `port`)")
    access.in_jurisdiction(
        principal, port, access.Action.READ, hidden=NotFound("port_not_found", "no such port")
    )
    return port


def flight_view(flight: Flight, target_minutes: int, now: str) -> dict[str, Any]:
    seconds = list(flight.clearance_seconds or [])
    figures = rules.flight_figures(
        int(flight.passengers or 0),
        int(flight.declared or 0),
        int(flight.released or 0),
        int(flight.held or 0),
        seconds,
    )
    return {
        "flight_number": flight.flight_number,
        "origin": flight.origin,
        "departure_airport": flight.departure_airport,
        "scheduled_on_block": flight.scheduled_on_block,
        "actual_on_block": flight.actual_on_block,
        "on_block": rules.on_block(flight.scheduled_on_block, flight.actual_on_block),
        "arrivals": figures.arrivals,
        "declared": figures.declared,
        "released": figures.released,
        "held": figures.held,
        "in_process": figures.in_process,
        "p50_seconds": figures.p50_seconds,
        "p90_seconds": figures.p90_seconds,
        "max_seconds": figures.max_seconds,
        "late": clearance.is_late(flight, target_minutes, now),
        "alerted_at": flight.alerted_at,
    }


def board(principal: Principal, arrival_date: str, port: str | None) -> dict[str, Any]:
    """The port's flights of `arrival_date` with their figures, by on-block time (then flight
    number). One Query (eventually consistent: a board a second behind is harmless)."""
    port = _port_of(principal, port)
    target = settings().clearance_p90_target_minutes
    now = clock.iso()
    flights = [flight_view(f, target, now) for f in Flight.query(port_day(port, arrival_date))]
    flights.sort(key=lambda f: (clock.parse(f["on_block"]), f["flight_number"]))
    return {
        "port": port,
        "arrival_date": arrival_date,
        "target_minutes": target,
        "flights": flights,
    }


def flight_clearance(
    principal: Principal, arrival_date: str, flight_number: str, port: str | None
) -> dict[str, Any]:
    """One flight's figures (GetItem); 404 `flight_unknown`."""
    port = _port_of(principal, port)
    number = flight_number.upper()
    try:
        flight = Flight.get(port_day(port, arrival_date), number)
    except Flight.DoesNotExist:
        raise NotFound(
            "flight_unknown", f"no flight {flight_key(port, arrival_date, number)} on record"
        ) from None
    return {
        "port": port,
        "arrival_date": arrival_date,
        "target_minutes": settings().clearance_p90_target_minutes,
        **flight_view(flight, settings().clearance_p90_target_minutes, clock.iso()),
    }
