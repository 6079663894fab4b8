"""Routes of duty tasks and hazard reports (the duty API, `functions/duty/app.py`). Thin:
validate, authenticate, call the aggregate's module (`areas`, `days`, `tasks`, `hazards`).

Command centre (agency admins): patrol areas, dispatching a day, the day's board, reassigning,
the hazard queue. Officers: their tasks, acknowledge, close, report hazards.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.duty import areas, days, hazards, rules, tasks
from enforcement.duty.schemas import (
    ClosedTaskOut,
    CloseTaskIn,
    DayOut,
    DaySummaryOut,
    DutyTaskOut,
    HazardCloseIn,
    HazardIn,
    HazardOut,
    HazardReportedOut,
    HazardStatus,
    PatrolAreaIn,
    PatrolAreaOut,
    ReassignIn,
    RotaOut,
)
from enforcement.http import SECURED, caller, created, once
from enforcement.schemas import CalendarDay

router = Router()

AreaId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")]
Day = Annotated[CalendarDay, Path()]
TaskId = Annotated[str, Path(pattern=rules.TASK_ID.pattern)]
ReportId = Annotated[str, Path(pattern=r"^hz-[0-9a-f]{16}$")]


# ------------------------------------------------------------------ patrol areas and days


@router.put(
    "/duty/areas/<area_id>",
    summary="Create or change a patrol area and its time slots (command centre)",
    description=(
        "An admin of the agency creates or replaces the patrol area `area_id` in a jurisdiction "
        "the agency owns: its centre and radius, the qualification its officers need and its "
        "time slots. An area id of another agency answers 403 `other_agency`; officers 403."
    ),
    security=SECURED,
)
def put_area(area_id: AreaId, body: PatrolAreaIn) -> PatrolAreaOut:
    return PatrolAreaOut.model_validate(areas.put_area(caller(router), area_id, body))


@router.get(
    "/duty/areas",
    summary="The agency's patrol areas",
    description="Every patrol area of the caller's agency, for its officers and admins.",
    security=SECURED,
)
def list_areas() -> list[PatrolAreaOut]:
    return [PatrolAreaOut.model_validate(a) for a in areas.list_areas(caller(router))]


@router.post(
    "/duty/days/<day>/dispatch",
    summary="Dispatch a day's duty tasks to the officers on duty now (once per day)",
    description=(
        "An admin dispatches the day's slots to the officers on duty by the rota's rule and "
        "stores the rota document; each officer is told their tasks. Days from today to "
        "seven ahead (422 `date_in_past`, `date_too_far`); a day already dispatched answers "
        "409 `already_dispatched`; a day left half-written by a failure is finished."
    ),
    security=SECURED,
    status_code=201,
)
def dispatch_day(day: Day) -> Response[DaySummaryOut]:
    principal = caller(router)
    result = once(
        router,
        f"duty.dispatch:{day}",
        principal,
        None,
        lambda: days.request_dispatch(principal, day),
    )
    return created(DaySummaryOut.model_validate(result))


@router.get(
    "/duty/days/<day>",
    summary="A dispatched day: every task, its officer and status (command centre)",
    description=(
        "The day's board for an admin of the agency: every task with its officer and status, "
        "counts per status, late tasks, minutes per officer. 404 `day_not_dispatched`."
    ),
    security=SECURED,
)
def get_day(day: Day) -> DayOut:
    return DayOut.model_validate(days.day_view(caller(router), day))


@router.get(
    "/duty/days/<day>/rota",
    summary="The stored inputs of a day's dispatch, re-run against the stored tasks",
    description=(
        "For an admin of the agency: the rota document the day was dispatched from, whether "
        "it still hashes to the stored hash, and whether re-running it gives the stored tasks "
        "(reassigned tasks are listed and compared by their first officer). "
        "404 `day_not_dispatched`."
    ),
    security=SECURED,
)
def get_rota(day: Day) -> RotaOut:
    return RotaOut.model_validate(days.rota_document(caller(router), day))


# ------------------------------------------------------------------ tasks


@router.get(
    "/duty/me/tasks",
    summary="My duty tasks of a day",
    description="An officer's own duty tasks of `date` (default: today, local time).",
    security=SECURED,
)
def my_tasks(
    day: Annotated[CalendarDay | None, Query(alias="date")] = None,
) -> list[DutyTaskOut]:
    return [DutyTaskOut.model_validate(t) for t in tasks.my_tasks(caller(router), day)]


@router.get(
    "/duty/tasks/<task_id>",
    summary="One duty task",
    description=(
        "A task of the caller's agency, for its officer and the agency's admins (another "
        "officer: 403 `not_your_task`). 404 `task_not_found`."
    ),
    security=SECURED,
)
def get_task(task_id: TaskId) -> DutyTaskOut:
    return DutyTaskOut.model_validate(tasks.get_task(caller(router), task_id))


@router.post(
    "/duty/tasks/<task_id>/acknowledge",
    summary="Acknowledge a task given to me",
    description=(
        "The task's officer acknowledges it (403 `not_your_task` for anyone else). A task not "
        "waiting for its officer answers 409 `task_not_assigned`."
    ),
    security=SECURED,
)
def acknowledge(task_id: TaskId) -> DutyTaskOut:
    return DutyTaskOut.model_validate(tasks.acknowledge(caller(router), task_id))


@router.post(
    "/duty/tasks/<task_id>/close",
    summary="Close my acknowledged task with a note and the phone's GPS fix",
    description=(
        "The task's officer closes it once acknowledged and once its slot has begun (409 "
        "`task_not_acknowledged`, `task_not_open`, `slot_not_started`). The fix's distance to "
        "the area's centre is kept and `within_area` says whether it lies within the radius."
    ),
    security=SECURED,
)
def close_task(task_id: TaskId, body: CloseTaskIn) -> ClosedTaskOut:
    return ClosedTaskOut.model_validate(tasks.close(caller(router), task_id, body))


@router.post(
    "/duty/tasks/<task_id>/reassign",
    summary="Give a task to another officer, with a reason (command centre)",
    description=(
        "An admin gives an open task to a named officer or, without one, by the rota's rule; "
        "both officers are told. 422 `officer_not_eligible`, `same_officer`; 409 "
        "`officer_busy`, `no_officer_free`, `task_closed`."
    ),
    security=SECURED,
)
def reassign(task_id: TaskId, body: ReassignIn) -> DutyTaskOut:
    return DutyTaskOut.model_validate(tasks.reassign(caller(router), task_id, body))


# ------------------------------------------------------------------ hazard reports


@router.post(
    "/duty/hazards",
    summary="Report an accident, road works, a broken signal or a hazard (photos by upload)",
    description=(
        "An officer reports what they see, placed by the GPS fix and timed by the server; the "
        "answer carries one presigned POST per photo announced. Naming a task that is not "
        "the officer's answers 422 `task_not_yours`. The command centre is told."
    ),
    security=SECURED,
    status_code=201,
)
def report_hazard(body: HazardIn) -> Response[HazardReportedOut]:
    principal = caller(router)
    result = once(router, "hazard.report", principal, body, lambda: hazards.report(principal, body))
    return created(HazardReportedOut.model_validate(result))


@router.get(
    "/duty/hazards",
    summary="The command centre's queue (accidents first, then oldest first)",
    description=(
        "An admin's queue of the agency's hazard reports of one status: accidents first, then "
        "broken signals, hazards, road works, each oldest first."
    ),
    security=SECURED,
)
def hazard_queue(
    status: Annotated[HazardStatus, Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[HazardOut]:
    return [HazardOut.model_validate(r) for r in hazards.queue(caller(router), status, limit)]


@router.get(
    "/duty/hazards/mine",
    summary="Hazards I reported",
    description="An officer's own hazard reports, newest first.",
    security=SECURED,
)
def my_hazards(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[HazardOut]:
    return [HazardOut.model_validate(r) for r in hazards.mine(caller(router), limit)]


@router.get(
    "/duty/hazards/<report_id>",
    summary="One hazard report",
    description=(
        "A report with its photos (download links of the accepted ones), for its reporter and "
        "the agency's admins; another officer 403 `not_your_report`. 404 `report_not_found`."
    ),
    security=SECURED,
)
def get_hazard(report_id: ReportId) -> HazardOut:
    return HazardOut.model_validate(hazards.get(caller(router), report_id))


@router.post(
    "/duty/hazards/<report_id>/take",
    summary="Take an open report (command centre)",
    description=(
        "An admin of the report's agency takes an open report: it moves to `in_progress`, "
        "handled by them. 409 `report_not_open`; another agency's report 404."
    ),
    security=SECURED,
)
def take_hazard(report_id: ReportId) -> HazardOut:
    return HazardOut.model_validate(hazards.take(caller(router), report_id))


@router.post(
    "/duty/hazards/<report_id>/close",
    summary="Resolve or dismiss a report (command centre); the reporter is told",
    description=(
        "An admin resolves or dismisses an open report, or one they took, with what was done. "
        "409 `report_closed`, `report_taken` (another admin handles it); another agency's "
        "report 404."
    ),
    security=SECURED,
)
def close_hazard(report_id: ReportId, body: HazardCloseIn) -> HazardOut:
    return HazardOut.model_validate(hazards.close(caller(router), report_id, body))
