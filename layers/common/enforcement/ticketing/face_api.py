"""Routes of identifying a driver by face (on the e-ticket router): a driver's reference photo
enrolled by an admin of the city's agency (and removed by one), and face searches by the city's
officers, each with a reason, whose candidates an officer confirms; a day's searches for a
supervisor. The work is in `ticketing/face_searches.py`, `face_removal.py` and
`face_search_list.py`; the photos are decided by the face function (`ticketing/face_uploads.py`)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, caller, created, once
from enforcement.ticketing import face_removal, face_search_list, face_searches
from enforcement.ticketing.api import router
from enforcement.ticketing.face_schemas import (
    LICENCE_PATTERN,
    ConfirmIn,
    DriverFaceOut,
    FaceRemovalIn,
    FaceSearchIn,
    FaceSearchListOut,
    FaceSearchOut,
)

City = Annotated[str, Path(pattern=r"^[a-z0-9_.-]{1,64}$", description="the city (jurisdiction)")]
Licence = Annotated[str, Path(pattern=LICENCE_PATTERN, description="resident ID number")]
SearchId = Annotated[str, Path(pattern=r"^fs-[0-9a-f]{24}$")]


@router.post(
    "/ticketing/cities/<city>/drivers/<licence_number>/face-enrolment",
    summary="Get an upload for a driver's reference face photo",
    description="An admin of the city's agency gets a presigned upload for the reference photo "
    "(the licence photo) of a driver on the city's registry; the face status is `pending` until "
    "the face function enrols it in the city's index or says why not (`no_face`, "
    "`multiple_faces`, ...). A new photo replaces the driver's earlier face. "
    "404 `driver_not_found`; 409 `licence_ended` (the licence is revoked or cancelled).",
    status_code=201,
    security=SECURED,
)
def request_driver_enrolment(city: City, licence_number: Licence) -> Response[DriverFaceOut]:
    result = face_searches.request_enrolment(caller(router), city, licence_number)
    return created(DriverFaceOut.model_validate(result))


@router.get(
    "/ticketing/cities/<city>/drivers/<licence_number>/face-enrolment",
    summary="A driver's face enrolment: enrolled, or why not",
    description="The city's officers and its agency's admins: `none`, `pending`, `enrolled`, or "
    "`failed` with the engine's code in `face_error` and words in `face_message`. "
    "404 `driver_not_found`.",
    security=SECURED,
)
def driver_enrolment_status(city: City, licence_number: Licence) -> DriverFaceOut:
    result = face_searches.enrolment_status(caller(router), city, licence_number)
    return DriverFaceOut.model_validate(result)


@router.delete(
    "/ticketing/cities/<city>/drivers/<licence_number>/face",
    summary="Remove a driver's face from the city's index (a reason is required)",
    description="An admin of the city's agency removes the driver's enrolled face: it leaves "
    "the city's 1:N index, so no search offers the driver again, the reference photo is "
    "deleted, and the face record says `removed` with who, when and why (audited). "
    "Idempotent: a face removed already answers 200 as it is, nothing changed. "
    "404 `driver_not_found`, `face_not_enrolled` (no face in the index: none, pending or "
    "refused photos only); 409 `face_changed` (a new photo was enrolled meanwhile).",
    security=SECURED,
)
def remove_driver_face(city: City, licence_number: Licence, body: FaceRemovalIn) -> DriverFaceOut:
    result = face_removal.remove(caller(router), city, licence_number, body.reason)
    return DriverFaceOut.model_validate(result)


@router.get(
    "/ticketing/cities/<city>/face-searches",
    summary="The city's face searches of a day, newest first",
    description="What a supervisor audits the face searches of the public with: the agency's "
    "admins see every search of the city that day, an officer of the city only their own; each "
    "with officer, reason, status, the nearest candidate (distance, match) and the "
    "confirmation. `date`: the city's local day (default today); `cursor`: the previous "
    "page's `next_cursor`. 400 `date_invalid`, `cursor_invalid`.",
    security=SECURED,
)
def list_face_searches(
    city: City,
    date: Annotated[
        str | None,
        Query(max_length=10, description="YYYY-MM-DD, the city's local day (default: today)"),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> FaceSearchListOut:
    result = face_search_list.day_searches(caller(router), city, date, cursor, limit)
    return FaceSearchListOut.model_validate(result)


@router.post(
    "/ticketing/cities/<city>/face-searches",
    summary="Start a face search of the city's drivers (a reason is required)",
    description="An officer of the city photographs a driver who has no licence with them. The "
    "answer carries a presigned upload for the photo; once it lands the face function stores the "
    "5 nearest enrolled drivers of the city with their distances, each marked `match` only "
    "within the calibrated match line. Nothing is identified automatically: the officer "
    "confirms one candidate or none. Audited with the officer, the reason and the result.",
    status_code=201,
    security=SECURED,
)
def start_face_search(city: City, body: FaceSearchIn) -> Response[FaceSearchOut]:
    principal = caller(router)
    result = once(
        router,
        "face_search.start",
        principal,
        body,
        lambda: face_searches.start_search(principal, city, body.reason),
    )
    return created(FaceSearchOut.model_validate(result))


@router.get(
    "/ticketing/cities/<city>/face-searches/<search_id>",
    summary="A face search: status and candidates",
    description="The city's officers (the one who searched among them) and its agency's admins: "
    "`awaiting_photo`, `searched` with at most 5 candidates (licence number, masked name, "
    "distance, match), or `failed` with the engine's code (`no_face`, `multiple_faces`). "
    "404 `face_search_not_found`.",
    security=SECURED,
)
def get_face_search(city: City, search_id: SearchId) -> FaceSearchOut:
    return FaceSearchOut.model_validate(face_searches.get_search(caller(router), city, search_id))


@router.post(
    "/ticketing/cities/<city>/face-searches/<search_id>/confirm",
    summary="Confirm which candidate is the driver, or none",
    description="An officer of the city records which candidate the person is "
    "(`licence_number`), or that none of them is (null). Once per search, audited. "
    "409 `search_not_ready` before the candidates are stored, `search_confirmed` the second "
    "time; 422 `not_a_candidate` for a licence the search did not propose.",
    security=SECURED,
)
def confirm_face_search(city: City, search_id: SearchId, body: ConfirmIn) -> FaceSearchOut:
    result = face_searches.confirm(caller(router), city, search_id, body.licence_number)
    return FaceSearchOut.model_validate(result)
