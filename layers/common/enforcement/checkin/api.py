"""Routes of the check-in API. Thin: validate (pydantic), authenticate, call the aggregates.

Creating routes honour an `Idempotency-Key` header: a mini-program that re-sends a request gets
the first answer back instead of a second record.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.checkin import bindings, checks, crew, health, manning, tasks, vessels
from enforcement.checkin.schemas import (
    ApplicationIn,
    ApproveBindingIn,
    BindingIn,
    BindingOut,
    CertificateStatusIn,
    CheckOut,
    CrewIn,
    CrewOut,
    EnrolmentOut,
    HealthIn,
    HealthOut,
    LinkIn,
    ManningOut,
    MeOut,
    OnsiteCheckIn,
    PositionIn,
    PostingOut,
    RefuseBindingIn,
    SelfCheckIn,
    ServiceOut,
    TaskIn,
    TaskOut,
    VesselIn,
    VesselMatchOut,
    VesselOut,
)
from enforcement.http import SECURED, caller, created, once

router = Router()

VesselId = Annotated[str, Path(pattern=r"^\d{9}$", description="the vessel's MMSI")]
CrewId = Annotated[str, Path(pattern=r"^crew-[0-9a-f]{12}$")]
CheckId = Annotated[str, Path(pattern=r"^chk-[0-9a-f]{16}$")]
TaskId = Annotated[str, Path(pattern=r"^task-[0-9a-f]{16}$")]
CertNo = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{4,32}$")]
BindingId = Annotated[str, Path(pattern=r"^bnd-[0-9a-f]{16}$")]


# ------------------------------------------------------------------ vessels


@router.post(
    "/checkin/vessels",
    summary="Create a vessel and its minimum safe manning table",
    security=SECURED,
)
def create_vessel(body: VesselIn) -> Response[VesselOut]:
    principal = caller(router)
    result = once(
        router, "vessel.create", principal, body, lambda: vessels.create_vessel(principal, body)
    )
    return created(VesselOut.model_validate(result))


@router.get(
    "/checkin/vessels",
    summary="Find a vessel by Chinese name to bind it, or list your jurisdiction's vessels",
    security=SECURED,
)
def find_vessels(
    name: Annotated[str | None, Query(max_length=40)] = None,
) -> list[VesselMatchOut]:
    return [VesselMatchOut.model_validate(v) for v in vessels.find_vessels(caller(router), name)]


@router.get("/checkin/vessels/<vessel_id>", summary="A vessel", security=SECURED)
def get_vessel(vessel_id: VesselId) -> VesselOut:
    return VesselOut.model_validate(vessels.get_vessel(caller(router), vessel_id))


@router.put(
    "/checkin/vessels/<vessel_id>/position",
    summary="Report the vessel's AIS position",
    security=SECURED,
)
def report_position(vessel_id: VesselId, body: PositionIn) -> VesselOut:
    return VesselOut.model_validate(vessels.report_position(caller(router), vessel_id, body))


@router.get(
    "/checkin/vessels/<vessel_id>/manning",
    summary="Manning report: who is verified where, is it enough",
    security=SECURED,
)
def manning_report(vessel_id: VesselId) -> ManningOut:
    return ManningOut.model_validate(manning.manning(caller(router), vessel_id))


@router.post(
    "/checkin/vessels/<vessel_id>/onsite-checks",
    summary="On-site check of a crew member by an officer",
    security=SECURED,
)
def onsite_check(vessel_id: VesselId, body: OnsiteCheckIn) -> Response[CheckOut]:
    principal = caller(router)
    result = once(
        router,
        "check.onsite",
        principal,
        body,
        lambda: checks.start_onsite_check(principal, vessel_id, body),
    )
    return created(CheckOut.model_validate(result))


@router.post(
    "/checkin/vessels/<vessel_id>/remote-tasks",
    summary="Publish a remote check task",
    security=SECURED,
)
def publish_task(vessel_id: VesselId, body: TaskIn) -> Response[TaskOut]:
    principal = caller(router)
    result = once(
        router,
        "task.publish",
        principal,
        body,
        lambda: tasks.publish_task(principal, vessel_id, body),
    )
    return created(TaskOut.model_validate(result))


@router.get(
    "/checkin/remote-tasks/<task_id>",
    summary="A remote check task and its outcome",
    security=SECURED,
)
def get_task(task_id: TaskId) -> TaskOut:
    return TaskOut.model_validate(tasks.get_task(caller(router), task_id))


# ------------------------------------------------------------------ crew


@router.post("/checkin/crew", summary="Register a crew member with certificates", security=SECURED)
def register_crew(body: CrewIn) -> Response[CrewOut]:
    principal = caller(router)
    result = once(
        router, "crew.register", principal, body, lambda: crew.register_crew(principal, body)
    )
    return created(CrewOut.model_validate(result))


@router.get("/checkin/crew/<crew_id>", summary="A crew member's record", security=SECURED)
def get_crew(crew_id: CrewId) -> CrewOut:
    return CrewOut.model_validate(crew.get_crew(caller(router), crew_id))


@router.put(
    "/checkin/crew/<crew_id>/certificates/<number>/status",
    summary="Revoke, suspend or restore a certificate",
    security=SECURED,
)
def certificate_status(crew_id: CrewId, number: CertNo, body: CertificateStatusIn) -> CrewOut:
    return CrewOut.model_validate(
        crew.set_certificate_status(caller(router), crew_id, number, body)
    )


@router.post(
    "/checkin/crew/<crew_id>/face-enrolment",
    summary="Get an upload for the reference face photo",
    security=SECURED,
)
def request_enrolment(crew_id: CrewId) -> Response[EnrolmentOut]:
    return created(EnrolmentOut.model_validate(crew.request_enrolment(caller(router), crew_id)))


@router.get(
    "/checkin/crew/<crew_id>/face-enrolment",
    summary="Enrolment status (enrolled, or why not)",
    security=SECURED,
)
def enrolment_status(crew_id: CrewId) -> EnrolmentOut:
    return EnrolmentOut.model_validate(crew.enrolment_status(caller(router), crew_id))


# ------------------------------------------------------------------ the crew member's own


@router.get("/checkin/me", summary="My crew record and postings", security=SECURED)
def me() -> MeOut:
    return MeOut.model_validate(crew.me(caller(router)))


@router.post(
    "/checkin/me/link",
    summary="Link this account to my crew record (ID number + face)",
    security=SECURED,
)
def link(body: LinkIn) -> Response[CheckOut]:
    principal = caller(router)
    result = once(
        router,
        "link",
        principal,
        body,
        lambda: crew.start_link(principal, body.id_number, body.jurisdiction),
    )
    return created(CheckOut.model_validate(result))


@router.get("/checkin/me/link/<check_id>", summary="Result of a link request", security=SECURED)
def link_result(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(checks.get_check(caller(router), check_id, ("link",)))


@router.put(
    "/checkin/me/binding", summary="Bind the vessel I serve on and my post", security=SECURED
)
def bind(body: BindingIn) -> PostingOut:
    return PostingOut.model_validate(bindings.bind(caller(router), body))


@router.get(
    "/checkin/bindings",
    summary="Bindings waiting for approval in a jurisdiction (officers: their own)",
    security=SECURED,
)
def pending_bindings(
    jurisdiction: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")] = None,
) -> list[BindingOut]:
    return [BindingOut.model_validate(b) for b in bindings.pending(caller(router), jurisdiction)]


@router.post(
    "/checkin/vessels/<vessel_id>/bindings/<binding_id>/approve",
    summary="Approve a crew member's binding to the vessel",
    security=SECURED,
)
def approve_binding(
    vessel_id: VesselId, binding_id: BindingId, body: ApproveBindingIn
) -> BindingOut:
    return BindingOut.model_validate(bindings.approve(caller(router), vessel_id, binding_id, body))


@router.post(
    "/checkin/vessels/<vessel_id>/bindings/<binding_id>/refuse",
    summary="Refuse a crew member's binding to the vessel, with a reason they read",
    security=SECURED,
)
def refuse_binding(vessel_id: VesselId, binding_id: BindingId, body: RefuseBindingIn) -> BindingOut:
    return BindingOut.model_validate(bindings.refuse(caller(router), vessel_id, binding_id, body))


@router.get(
    "/checkin/me/service-record", summary="My service record and credit points", security=SECURED
)
def service_record() -> ServiceOut:
    return ServiceOut.model_validate(crew.service_record(caller(router)))


# ------------------------------------------------------------------ checks and applications


@router.post(
    "/checkin/checks",
    summary="Self check-in: send the GPS fix, get the photo upload",
    security=SECURED,
)
def self_check(body: SelfCheckIn) -> Response[CheckOut]:
    principal = caller(router)
    result = once(
        router, "check.self", principal, body, lambda: checks.start_self_check(principal, body)
    )
    return created(CheckOut.model_validate(result))


@router.get(
    "/checkin/checks/<check_id>",
    summary="A check and its verdict, with a reason per check",
    security=SECURED,
)
def get_check(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(checks.get_check(caller(router), check_id, ("duty",)))


@router.post(
    "/checkin/applications",
    summary="Apply for appointment to, or discharge from, a post",
    security=SECURED,
)
def apply(body: ApplicationIn) -> Response[CheckOut]:
    principal = caller(router)
    result = once(
        router, "application", principal, body, lambda: checks.start_application(principal, body)
    )
    return created(CheckOut.model_validate(result))


@router.get(
    "/checkin/applications/<check_id>", summary="An application and its decision", security=SECURED
)
def get_application(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(
        checks.get_check(caller(router), check_id, ("appointment", "discharge"))
    )


# ------------------------------------------------------------------ health


@router.post(
    "/checkin/health-reports", summary="Report symptoms for myself or a shipmate", security=SECURED
)
def report_health(body: HealthIn) -> Response[HealthOut]:
    principal = caller(router)
    result = once(
        router, "health.report", principal, body, lambda: health.report_health(principal, body)
    )
    return created(HealthOut.model_validate(result))


@router.get(
    "/checkin/health-reports",
    summary="Health reports of my jurisdiction (officers)",
    security=SECURED,
)
def list_health(abnormal: Annotated[bool, Query()] = True) -> list[HealthOut]:
    return [HealthOut.model_validate(r) for r in health.list_health(caller(router), abnormal)]
