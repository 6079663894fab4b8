"""Routes of clearance (on the remote survey's router): an officer's disposition of a scanned
declaration, its clearance steps, a flight's figures and the port's day board. The work is in
`enforcement.remote_survey.clearance` and `boards`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, caller
from enforcement.remote_survey import boards, clearance
from enforcement.remote_survey.api import router
from enforcement.remote_survey.clearance_schemas import (
    BoardOut,
    ClearanceIn,
    ClearanceOut,
    FlightClearanceOut,
)
from enforcement.schemas import CalendarDay

DeclarationId = Annotated[str, Path(pattern=r"^dc-[0-9a-f]{16}$")]
FlightNumberPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{2}[0-9]{1,4}[A-Za-z]?$")]
ArrivalDay = Annotated[CalendarDay, Path()]
Port = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]


@router.post(
    "/remote-survey/declarations/<declaration_id>/clearance",
    summary="Release, refer or sample the traveller of a scanned declaration",
    description="An officer of the declaration's port records the disposition, once: the same "
    "disposition sent again is answered as recorded, another one is 409 `already_cleared`. A "
    "disposition that departs from decision support's outcome is an override and needs a "
    "`reason` (422 `reason_required`). Released: counted on the flight with its clearance time "
    "(release - on-block); referred or sampled: counted as held, and the declaration and its "
    "versions kept beyond the retention period. A release that takes the flight's clearance p90 "
    "past the port's target alerts the port's officers (inbox and SNS), once per flight. 409 "
    "`not_submitted`, `not_scanned`; 404 `declaration_not_found`, `flight_unknown`; 403 "
    "`outside_jurisdiction` (an officer of another port), `role_not_allowed` (travellers).",
    security=SECURED,
)
def clear_declaration(declaration_id: DeclarationId, body: ClearanceIn) -> ClearanceOut:
    done = clearance.clear(caller(router), declaration_id, body.disposition, body.reason)
    return ClearanceOut.model_validate(done.view())


@router.get(
    "/remote-survey/declarations/<declaration_id>/clearance",
    summary="A declaration's clearance: disposition and the time of each step",
    description="For officers of the declaration's port: on-block, scan, remote survey start "
    "and end, release or referral or sampling, each in server time with the seconds since "
    "the flight's on-block. 404 `declaration_not_found`; 403 `outside_jurisdiction`.",
    security=SECURED,
)
def get_clearance(declaration_id: DeclarationId) -> ClearanceOut:
    return ClearanceOut.model_validate(
        clearance.clearance_of(caller(router), declaration_id).view()
    )


@router.get(
    "/remote-survey/boards/<arrival_date>",
    summary="The port's day board: its flights with their clearance figures",
    description="For officers of the port (their own by default) and admins of its agency "
    "(`port` required): every flight arriving that day (the port's local date), by on-block "
    "time, with arrivals, declared, released, held, still in process and the clearance "
    "time's p50, p90 and max (nearest rank, seconds). 403 `outside_jurisdiction`; 404 "
    "`port_not_found`; 422 `port_required`.",
    security=SECURED,
)
def get_board(arrival_date: ArrivalDay, port: Port = None) -> BoardOut:
    return BoardOut.model_validate(boards.board(caller(router), arrival_date, port))


@router.get(
    "/remote-survey/flights/<arrival_date>/<flight_number>/clearance",
    summary="One flight's clearance figures",
    description="As a row of the day board, for officers of the port (their own by default). "
    "404 `flight_unknown`, `port_not_found`; 403 `outside_jurisdiction`.",
    security=SECURED,
)
def get_flight_clearance(
    arrival_date: ArrivalDay, flight_number: FlightNumberPath, port: Port = None
) -> FlightClearanceOut:
    found = boards.flight_clearance(caller(router), arrival_date, flight_number, port)
    return FlightClearanceOut.model_validate(found)
