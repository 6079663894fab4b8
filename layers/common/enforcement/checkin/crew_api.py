"""Routes of crew records (on check-in's router): register a crew member, read the record, set
a certificate's status, and the reference face's enrolment. The work is in
`enforcement.checkin.crew`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from enforcement.checkin import crew
from enforcement.checkin.api import router
from enforcement.checkin.crew_schemas import CertificateStatusIn, CrewIn, CrewOut, EnrolmentOut
from enforcement.http import SECURED, caller, created, once

CrewId = Annotated[str, Path(pattern=r"^crew-[0-9a-f]{12}$")]
CertNo = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{4,32}$")]


@router.post(
    "/checkin/crew",
    summary="Register a crew member with certificates",
    description="Officers and admins register a seafarer in their own jurisdiction; an ID "
    "number is registered once per jurisdiction (409 `crew_exists`). The answer masks the ID "
    "number; a certificate already expired is stored and named in `warnings`.",
    status_code=201,
    security=SECURED,
)
def register_crew(body: CrewIn) -> Response[CrewOut]:
    principal = caller(router)
    result = once(
        router, "crew.register", principal, body, lambda: crew.register_crew(principal, body)
    )
    return created(CrewOut.model_validate(result))


@router.get(
    "/checkin/crew/<crew_id>",
    summary="A crew member's record",
    description="Officers of the record's jurisdiction, or the crew member themselves. "
    "404 `crew_not_found`; 403 `not_your_record` or `outside_jurisdiction`.",
    security=SECURED,
)
def get_crew(crew_id: CrewId) -> CrewOut:
    return CrewOut.model_validate(crew.get_crew(caller(router), crew_id))


@router.put(
    "/checkin/crew/<crew_id>/certificates/<number>/status",
    summary="Revoke, suspend or restore a certificate",
    description="An officer of the crew member's jurisdiction sets a certificate's status, "
    "with a reason (audited); the certificate check follows it at once. "
    "404 `certificate_not_found` / `crew_not_found`.",
    security=SECURED,
)
def set_certificate_status(crew_id: CrewId, number: CertNo, body: CertificateStatusIn) -> CrewOut:
    return CrewOut.model_validate(
        crew.set_certificate_status(caller(router), crew_id, number, body)
    )


@router.post(
    "/checkin/crew/<crew_id>/face-enrolment",
    summary="Get an upload for the reference face photo",
    description="An officer of the crew member's jurisdiction gets a presigned upload for "
    "the reference photo (the official ID photo); the face status is `pending` until the photo "
    "is enrolled or refused. 404 `crew_not_found`.",
    status_code=201,
    security=SECURED,
)
def request_enrolment(crew_id: CrewId) -> Response[EnrolmentOut]:
    return created(EnrolmentOut.model_validate(crew.request_enrolment(caller(router), crew_id)))


@router.get(
    "/checkin/crew/<crew_id>/face-enrolment",
    summary="Enrolment status (enrolled, or why not)",
    description="Officers of the crew member's jurisdiction: whether the reference face is "
    "enrolled, and the engine's reason when it failed (e.g. `no_face`, with `face_message` in "
    "words) or why it waits for an officer's review (`pending_review`: "
    "`possible_duplicate_identity`). 404 `crew_not_found`.",
    security=SECURED,
)
def enrolment_status(crew_id: CrewId) -> EnrolmentOut:
    return EnrolmentOut.model_validate(crew.enrolment_status(caller(router), crew_id))
