"""Routes of roadside lookups (on the e-tickets' router): a plate, its owner opened with a
reason, a licence."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, caller
from enforcement.schemas import Jurisdiction
from enforcement.ticketing import licences, lookups
from enforcement.ticketing.api import router
from enforcement.ticketing.schemas import LicenceOut, OwnerIn, OwnerOut, PlateOut

City = Annotated[Jurisdiction, Path(description="the city (a jurisdiction)")]
PlateText = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="the plate as read or typed, percent-encoded in the URL (`鲁F12345`, "
        "`鲁f-12345`: any case, spaces and hyphens ignored). A path segment carries letters, "
        "digits, Chinese characters, `-` and spaces: drop the dot printed on plates (·)",
    ),
]
LicenceNumber = Annotated[
    str, Path(min_length=1, max_length=32, description="the holder's resident ID number")
]
VehicleType = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(licences.VEHICLE_TYPES) + ")$",
        description="the vehicle at hand (a registry vehicle type: `small_car`, `heavy_truck`, "
        "...): the answer says whether the licence allows it",
    ),
]


def _plate(text: str) -> str:
    """The plate as the caller sent it: a gateway that hands the path on still percent-encoded
    (no plate holds a `%`) is read the same as one that decoded it."""
    return unquote(text) if "%" in text else text


@router.get(
    "/ticketing/cities/<city>/plates/<plate>",
    summary="Look a plate up: the vehicle, its documents, its outstanding violations",
    description="Officers of the city (and admins of its agency). Status and flags, inspection "
    "and insurance in force as of today (the city's local time), the violations not yet dealt "
    "with or not yet paid (count, fines, points, each one), the owner's name masked. A plate "
    "not on record: 404 `plate_unknown`, its `details.candidates` the registered plates one OCR "
    "misreading away (0/O/D, 1/I, 8/B, 2/Z, 5/S). A plate no misreading makes valid: 422 with "
    "the plate's code (`plate_unknown_province`, `plate_bad_length`, ...). 403 "
    "`outside_jurisdiction` for an officer of another city; 404 `city_not_found`.",
    security=SECURED,
)
def get_plate(city: City, plate: PlateText) -> PlateOut:
    return PlateOut.model_validate(lookups.plate(caller(router), city, _plate(plate)))


@router.post(
    "/ticketing/cities/<city>/plates/<plate>/owner",
    summary="Open a vehicle owner's name, with a reason (audited)",
    description="Officers of the city. The owner's name whole; the opening (officer, plate, "
    "reason) is in the audit log. `plate_kind` names the vehicle when a blue and a yellow "
    "plate share the characters (422 `plate_kind_required`). 404 `plate_unknown`.",
    security=SECURED,
)
def open_owner(city: City, plate: PlateText, body: OwnerIn) -> OwnerOut:
    return OwnerOut.model_validate(
        lookups.open_owner(caller(router), city, _plate(plate), body.reason, body.plate_kind)
    )


@router.get(
    "/ticketing/cities/<city>/licences/<licence_number>",
    summary="Look a driving licence up: classes, validity, status, points; allowed vehicles",
    description="Officers of the city (and admins of its agency). The licence number is the "
    "holder's resident ID number: a bad check character is 422 "
    "`resident_id_check_character`. With `vehicle_type`, `allows` says whether the licence "
    "allows that vehicle and `offence` names the offence when not (`licence_class_mismatch`). "
    "404 `licence_unknown`.",
    security=SECURED,
)
def get_licence(
    city: City, licence_number: LicenceNumber, vehicle_type: VehicleType = None
) -> LicenceOut:
    return LicenceOut.model_validate(
        lookups.licence(caller(router), city, licence_number, vehicle_type)
    )
