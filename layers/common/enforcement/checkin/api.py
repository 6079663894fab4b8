"""Routes of the check-in API. Thin: validate (pydantic), authenticate, call the aggregates.

Creating routes honour an `Idempotency-Key` header: a mini-program that re-sends a request gets
the first answer back instead of a second record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel

from enforcement.auth import Principal
from enforcement.checkin import bindings, checks, crew, health, manning, tasks, vessels
from enforcement.checkin.schemas import (
    ApplicationIn,
    ApproveBindingIn,
    BindingIn,
    BindingOut,
    CheckOut,
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
CheckId = Annotated[str, Path(pattern=r"^chk-[0-9a-f]{16}$")]
TaskId = Annotated[str, Path(pattern=r"^task-[0-9a-f]{16}$")]
BindingId = Annotated[str, Path(pattern=r"^bnd-[0-9a-f]{16}$")]


def _once(
    operation: str, body: BaseModel, run: Callable[[Principal], dict[str, Any]]
) -> dict[str, Any]:
    """A creating route's work for the caller, once per its Idempotency-Key (`http.once`)."""
    principal = caller(router)
    return once(router, operation, principal, body, lambda: run(principal))


# ------------------------------------------------------------------ vessels


@router.post(
    "/checkin/vessels",
    summary="Create a vessel and its minimum safe manning table",
    description="Officers and admins register a vessel, keyed by its MMSI, in their own "
    "jurisdiction (admins: any of their agency's). 409 `vessel_exists` when the MMSI is "
    "registered; 403 `outside_jurisdiction` / `jurisdiction_not_yours` for another's.",
    status_code=201,
    security=SECURED,
)
def create_vessel(body: VesselIn) -> Response[VesselOut]:
    result = _once("vessel.create", body, lambda p: vessels.create_vessel(p, body))
    return created(VesselOut.model_validate(result))


@router.get(
    "/checkin/vessels",
    summary="Find a vessel by Chinese name to bind it, or list your jurisdiction's vessels",
    description="With `name`, any signed-in account finds vessels by their Chinese name; "
    "without it, officers and admins list their own jurisdiction's vessels. Either answers only "
    "what binding needs (id, name, home port, the posts).",
    security=SECURED,
)
def find_vessels(
    name: Annotated[str | None, Query(max_length=40)] = None,
) -> list[VesselMatchOut]:
    return [VesselMatchOut.model_validate(v) for v in vessels.find_vessels(caller(router), name)]


@router.get(
    "/checkin/vessels/<vessel_id>",
    summary="A vessel",
    description="The vessel's record, manning table and last position, for officers of its "
    "jurisdiction and crew serving on it. 404 `vessel_not_found`; 403 `not_your_vessel` "
    "(crew) or `outside_jurisdiction`.",
    security=SECURED,
)
def get_vessel(vessel_id: VesselId) -> VesselOut:
    return VesselOut.model_validate(vessels.get_vessel(caller(router), vessel_id))


@router.put(
    "/checkin/vessels/<vessel_id>/position",
    summary="Report the vessel's AIS position",
    description="An officer of the vessel's jurisdiction sets its current position (server "
    "time when `reported_at` is absent). 409 `position_not_newer` when a newer one is stored; "
    "422 `position_in_future` / `position_too_old` (more than a day).",
    security=SECURED,
)
def report_position(vessel_id: VesselId, body: PositionIn) -> VesselOut:
    return VesselOut.model_validate(vessels.report_position(caller(router), vessel_id, body))


@router.get(
    "/checkin/vessels/<vessel_id>/manning",
    summary="Manning report: who is verified where, is it enough",
    description="Per post of the manning table: the crew verified by a check within the "
    "validity period, failed, unchecked or under-qualified, and whether the minimum safe "
    "manning is met. Officers of the vessel's jurisdiction and crew serving on it.",
    security=SECURED,
)
def manning_report(vessel_id: VesselId) -> ManningOut:
    return ManningOut.model_validate(manning.manning(caller(router), vessel_id))


@router.post(
    "/checkin/vessels/<vessel_id>/onsite-checks",
    summary="On-site check of a crew member by an officer",
    description="An officer of the vessel's jurisdiction starts a check of a crew member at "
    "their post and gets the photo upload; the verdict follows the photo. 409 `not_posted` / "
    "`post_filled`; 422 `unknown_post`; 404 `crew_not_found`.",
    status_code=201,
    security=SECURED,
)
def start_onsite_check(vessel_id: VesselId, body: OnsiteCheckIn) -> Response[CheckOut]:
    result = _once("check.onsite", body, lambda p: checks.start_onsite_check(p, vessel_id, body))
    return created(CheckOut.model_validate(result))


@router.post(
    "/checkin/vessels/<vessel_id>/remote-tasks",
    summary="Publish a remote check task",
    description="An officer of the vessel's jurisdiction asks its crew to check in from their "
    "phones within a window; the task notifies them and closes when every post is verified or "
    "the window ends. 502 `workflow_unavailable` when it could not be started (retry).",
    status_code=201,
    security=SECURED,
)
def publish_task(vessel_id: VesselId, body: TaskIn) -> Response[TaskOut]:
    result = _once("task.publish", body, lambda p: tasks.publish_task(p, vessel_id, body))
    return created(TaskOut.model_validate(result))


@router.get(
    "/checkin/remote-tasks/<task_id>",
    summary="A remote check task and its outcome",
    description="Officers of the task's jurisdiction: its state and, per post, who is "
    "verified, failed or missing (so far while it runs). 404 `task_not_found`.",
    security=SECURED,
)
def get_task(task_id: TaskId) -> TaskOut:
    return TaskOut.model_validate(tasks.get_task(caller(router), task_id))


# ------------------------------------------------------------------ the crew member's own


@router.get(
    "/checkin/me",
    summary="My crew record and postings",
    description="A crew account: its linked crew record (none before the link) and its "
    "postings, bindings waiting for approval included. 403 `role_not_allowed` for others.",
    security=SECURED,
)
def get_me() -> MeOut:
    return MeOut.model_validate(crew.me(caller(router)))


@router.post(
    "/checkin/me/link",
    summary="Link this account to my crew record (ID number + face)",
    description="A crew account names its ID number and gets a photo upload; a face check "
    "against the enrolled face links the record. 404 `crew_not_found`; 409 `already_linked`, "
    "`crew_already_linked`, `face_not_enrolled`, or `crew_record_ambiguous` (name the "
    "jurisdiction).",
    status_code=201,
    security=SECURED,
)
def link_account(body: LinkIn) -> Response[CheckOut]:
    result = _once("link", body, lambda p: crew.start_link(p, body.id_number, body.jurisdiction))
    return created(CheckOut.model_validate(result))


@router.get(
    "/checkin/me/link/<check_id>",
    summary="Result of a link request",
    description="The link check and its verdict, for the account that asked (and officers of "
    "the crew record's jurisdiction). 404 `check_not_found`.",
    security=SECURED,
)
def get_link_check(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(checks.get_check(caller(router), check_id, ("link",)))


@router.put(
    "/checkin/me/binding",
    summary="Bind the vessel I serve on and my post",
    description="A linked crew member declares their vessel (by Chinese name or MMSI) and post. "
    "Within an appointment it is bound at once, otherwise `pending` until an officer approves. "
    "409 `vessel_name_ambiguous`, `appointed_elsewhere`, `post_filled`; 422 `unknown_post`.",
    security=SECURED,
)
def bind_vessel(body: BindingIn) -> PostingOut:
    return PostingOut.model_validate(bindings.bind(caller(router), body))


@router.get(
    "/checkin/bindings",
    summary="Bindings waiting for approval in a jurisdiction (officers: their own)",
    description="Officers see their own jurisdiction's pending bindings, admins any of their "
    "agency's (their own by default), oldest first, with the crew member's certificates. "
    "404 `jurisdiction_not_found`.",
    security=SECURED,
)
def list_pending_bindings(
    jurisdiction: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")] = None,
) -> list[BindingOut]:
    return [BindingOut.model_validate(b) for b in bindings.pending(caller(router), jurisdiction)]


@router.post(
    "/checkin/vessels/<vessel_id>/bindings/<binding_id>/approve",
    summary="Approve a crew member's binding to the vessel",
    description="An officer of the vessel's jurisdiction approves a pending binding: it becomes "
    "`bound` and replaces the crew member's earlier one. 404 `binding_not_found`; 409 "
    "`binding_decided`, `appointed_elsewhere`, `post_filled`.",
    security=SECURED,
)
def approve_binding(
    vessel_id: VesselId, binding_id: BindingId, body: ApproveBindingIn
) -> BindingOut:
    return BindingOut.model_validate(bindings.approve(caller(router), vessel_id, binding_id, body))


@router.post(
    "/checkin/vessels/<vessel_id>/bindings/<binding_id>/refuse",
    summary="Refuse a crew member's binding to the vessel, with a reason they read",
    description="An officer of the vessel's jurisdiction refuses a pending binding; it is "
    "removed and the crew member is told why. 404 `binding_not_found`; 409 `binding_decided`.",
    security=SECURED,
)
def refuse_binding(vessel_id: VesselId, binding_id: BindingId, body: RefuseBindingIn) -> BindingOut:
    return BindingOut.model_validate(bindings.refuse(caller(router), vessel_id, binding_id, body))


@router.get(
    "/checkin/me/service-record",
    summary="My service record and credit points",
    description="A linked crew member's days of verified service (one per day and post, "
    "newest first), sea days and credit points. 403 `account_not_linked`.",
    security=SECURED,
)
def get_service_record() -> ServiceOut:
    return ServiceOut.model_validate(crew.service_record(caller(router)))


# ------------------------------------------------------------------ checks and applications


@router.post(
    "/checkin/checks",
    summary="Self check-in: send the GPS fix, get the photo upload",
    description="A crew member serving at a post starts a check-in (in a remote task's window "
    "with `task_id`) and gets the photo upload; location, face and certificate are judged on "
    "the photo. 409 `not_posted`, `post_filled`, `task_closed`; 422 `post_ambiguous`.",
    status_code=201,
    security=SECURED,
)
def start_self_check(body: SelfCheckIn) -> Response[CheckOut]:
    result = _once("check.self", body, lambda p: checks.start_self_check(p, body))
    return created(CheckOut.model_validate(result))


@router.get(
    "/checkin/checks/<check_id>",
    summary="A check and its verdict, with a reason per check",
    description="A check-in and, once its photo is decided, the result of each check. The "
    "crew member who made it, and officers of the vessel's jurisdiction. "
    "404 `check_not_found`.",
    security=SECURED,
)
def get_check(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(checks.get_check(caller(router), check_id, ("duty",)))


@router.post(
    "/checkin/applications",
    summary="Apply for appointment to, or discharge from, a post",
    description="A linked crew member applies and gets the photo upload; the checks decide, "
    "and a verified application appoints or discharges. 409 `already_appointed`, "
    "`post_filled`, `appointed_elsewhere`, `not_appointed`; 422 `unknown_post`.",
    status_code=201,
    security=SECURED,
)
def apply_for_post(body: ApplicationIn) -> Response[CheckOut]:
    result = _once("application", body, lambda p: checks.start_application(p, body))
    return created(CheckOut.model_validate(result))


@router.get(
    "/checkin/applications/<check_id>",
    summary="An application and its decision",
    description="An application and its checks' results, for the crew member who made it "
    "and officers of the vessel's jurisdiction. 404 `check_not_found`.",
    security=SECURED,
)
def get_application(check_id: CheckId) -> CheckOut:
    return CheckOut.model_validate(
        checks.get_check(caller(router), check_id, ("appointment", "discharge"))
    )


# ------------------------------------------------------------------ health


@router.post(
    "/checkin/health-reports",
    summary="Report symptoms for myself or a shipmate",
    description="A crew member serving on the vessel reports symptoms and temperature; an "
    "abnormal report (a symptom, or a fever) alerts the jurisdiction's officers. The answers "
    "are checked by the crew health report form (every problem at once, in `lang`). "
    "403 `not_a_shipmate`; 422 `health_report_invalid` (details: each field's problem), "
    "`language_not_in_form`.",
    status_code=201,
    security=SECURED,
)
def report_health(body: HealthIn) -> Response[HealthOut]:
    result = _once("health.report", body, lambda p: health.report_health(p, body))
    return created(HealthOut.model_validate(result))


@router.get(
    "/checkin/health-reports",
    summary="Health reports of my jurisdiction (officers)",
    description="Officers and admins: their own jurisdiction's health reports, newest first "
    "(only abnormal ones unless `abnormal=false`). 403 `jurisdiction_not_yours`.",
    security=SECURED,
)
def list_health_reports(abnormal: Annotated[bool, Query()] = True) -> list[HealthOut]:
    return [HealthOut.model_validate(r) for r in health.list_health(caller(router), abnormal)]


# the review queue's routes live in their own module, on this router
from enforcement.checkin import crew_api, review_api  # noqa: E402, F401
