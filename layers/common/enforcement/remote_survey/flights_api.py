"""Routes of flights and their manifests (on the remote survey's router): a manifest upload for
the port's system, its outcome, and a flight as officers of the port see it."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, caller, created
from enforcement.remote_survey import flights, manifest_import
from enforcement.remote_survey.api import router
from enforcement.remote_survey.flights_schemas import (
    FlightOut,
    ManifestStatusOut,
    ManifestUploadIn,
    ManifestUploadOut,
)
from enforcement.schemas import CalendarDay, Jurisdiction

Port = Annotated[Jurisdiction, Query(description="the port (a jurisdiction)")]
UploadId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
FlightNumber = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{2}[0-9]{1,5}[A-Za-z]?$")]


@router.post(
    "/remote-survey/manifests",
    summary="Upload a flight's manifest (CSV): a presigned POST",
    description="An officer of the port (or an admin of its agency) gets a presigned POST for "
    "one manifest CSV (layout in docs/remote-survey.md; at most `max_bytes`). The file is "
    "imported when it arrives: read its outcome at `GET /remote-survey/manifests/{upload_id}`. "
    "404 `port_not_found`; 403 `outside_jurisdiction`.",
    security=SECURED,
    status_code=201,
)
def grant_manifest_upload(body: ManifestUploadIn) -> Response[ManifestUploadOut]:
    result = manifest_import.grant(caller(router), body.port)
    return created(ManifestUploadOut.model_validate(result))


@router.get(
    "/remote-survey/manifests/<upload_id>",
    summary="What became of a manifest upload: pending, imported, or refused line by line",
    description="Officers of the port and admins of its agency. A refused file (`rejected`) "
    "lists every bad line with its field and why; nothing of it was stored. 404 "
    "`upload_not_found`, `port_not_found`.",
    security=SECURED,
)
def get_manifest_upload(upload_id: UploadId, port: Port) -> ManifestStatusOut:
    return ManifestStatusOut.model_validate(manifest_import.status(caller(router), port, upload_id))


@router.get(
    "/remote-survey/flights/<arrival_date>/<flight_number>",
    summary="An arriving flight and its manifest (document numbers masked)",
    description="Officers of the port and admins of its agency: the flight as imported, its "
    "counters, and its passengers by seat. The flight number in any case, with or without "
    "leading zeros. 404 `flight_not_found`; 403 `outside_jurisdiction`.",
    security=SECURED,
)
def get_flight(
    arrival_date: Annotated[CalendarDay, Path()], flight_number: FlightNumber, port: Port
) -> FlightOut:
    return FlightOut.model_validate(
        flights.summary(caller(router), port, arrival_date, flight_number)
    )
