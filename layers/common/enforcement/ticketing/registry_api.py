"""Routes of registry uploads (on the e-tickets' router): a presigned POST for a city's
registry file, and what became of it."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from enforcement.http import SECURED, caller, created
from enforcement.ticketing import registry_import
from enforcement.ticketing.api import router
from enforcement.ticketing.schemas import RegistryStatusOut, RegistryUploadIn, RegistryUploadOut

UploadId = Annotated[str, Path(pattern=registry_import.UPLOAD_ID.pattern.join("^$"))]


@router.post(
    "/ticketing/registries/uploads",
    summary="Upload a city's registry file (CSV): a presigned POST",
    description="An admin of the city's agency (a traffic-police system syncs through such an "
    "account) gets a presigned POST for one CSV of the vehicle, driver or violation registry "
    "(columns in docs/ticketing.md; at most `max_bytes`). The file is imported when it "
    "arrives: read its outcome at `GET /ticketing/registries/uploads/{upload_id}`. 404 "
    "`city_not_found`; 403 `role_not_allowed` (officers look up, they do not import).",
    security=SECURED,
    status_code=201,
)
def grant_registry_upload(body: RegistryUploadIn) -> Response[RegistryUploadOut]:
    result = registry_import.grant(caller(router), body.city, body.registry)
    return created(RegistryUploadOut.model_validate(result))


@router.get(
    "/ticketing/registries/uploads/<upload_id>",
    summary="What became of a registry upload: pending, imported with its bad rows, or refused",
    description="Admins of the city's agency. `done`: the counts (rows, accepted, written, "
    "unchanged, bad) and each bad row with its line, field, code and reason; the good rows "
    "are kept. `rejected`: the file as a whole (size, encoding, header), nothing stored. 404 "
    "`upload_not_found`.",
    security=SECURED,
)
def get_registry_upload(upload_id: UploadId) -> RegistryStatusOut:
    return RegistryStatusOut.model_validate(registry_import.status(caller(router), upload_id))
