"""Routes of duty tasks and hazard reports (the duty API, `functions/duty/app.py`). Thin:
validate, authenticate, call the aggregate's module (`areas`, `days`, `tasks`, `hazards`).

Command centre (agency admins): patrol areas, dispatching a day, the day's board, reassigning,
the hazard queue. Officers: their tasks, acknowledge, close, report hazards.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.duty import areas, days, hazards, rules, tasks
from enforcement.duty.schemas import CloseTaskIn, HazardCloseIn, HazardIn, PatrolAreaIn, ReassignIn
from enforcement.http import SECURED, caller, created, once
from enforcement.schemas import CalendarDay

router = Router()

AreaId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")]
Day = Annotated[CalendarDay, Path()]
TaskId = Annotated[str, Path(pattern=rules.TASK_ID.pattern)]
ReportId = Annotated[str, Path(pattern=r"^hz-[0-9a-f]{16}$")]
Document = dict[str, Any]


# ------------------------------------------------------------------ patrol areas and days


@router.put(
    "/duty/areas/<area_id>",
    summary="Create or change a patrol area and its time slots (command centre)",
    security=SECURED,
)
def put_area(area_id: AreaId, body: PatrolAreaIn) -> Document:
    return areas.put_area(caller(router), area_id, body)


@router.get("/duty/areas", summary="The agency's patrol areas", security=SECURED)
def list_areas() -> list[Document]:
    return areas.list_areas(caller(router))


@router.post(
    "/duty/days/<day>/dispatch",
    summary="Dispatch a day's duty tasks to the officers on duty now (once per day)",
    security=SECURED,
)
def dispatch_day(day: Day) -> Response[Document]:
    principal = caller(router)
    result = once(
        router,
        f"duty.dispatch:{day}",
        principal,
        None,
        lambda: days.request_dispatch(principal, day),
    )
    return created(result)


@router.get(
    "/duty/days/<day>",
    summary="A dispatched day: every task, its officer and status (command centre)",
    security=SECURED,
)
def get_day(day: Day) -> Document:
    return days.day_view(caller(router), day)


@router.get(
    "/duty/days/<day>/rota",
    summary="The stored inputs of a day's dispatch, re-run against the stored tasks",
    security=SECURED,
)
def get_rota(day: Day) -> Document:
    return days.rota_document(caller(router), day)


# ------------------------------------------------------------------ tasks


@router.get("/duty/me/tasks", summary="My duty tasks of a day", security=SECURED)
def my_tasks(
    day: Annotated[CalendarDay | None, Query(alias="date")] = None,
) -> list[Document]:
    return tasks.my_tasks(caller(router), day)


@router.get("/duty/tasks/<task_id>", summary="One duty task", security=SECURED)
def get_task(task_id: TaskId) -> Document:
    return tasks.get_task(caller(router), task_id)


@router.post(
    "/duty/tasks/<task_id>/acknowledge",
    summary="Acknowledge a task given to me",
    security=SECURED,
)
def acknowledge(task_id: TaskId) -> Document:
    return tasks.acknowledge(caller(router), task_id)


@router.post(
    "/duty/tasks/<task_id>/close",
    summary="Close my acknowledged task with a note and the phone's GPS fix",
    security=SECURED,
)
def close(task_id: TaskId, body: CloseTaskIn) -> Document:
    return tasks.close(caller(router), task_id, body)


@router.post(
    "/duty/tasks/<task_id>/reassign",
    summary="Give a task to another officer, with a reason (command centre)",
    security=SECURED,
)
def reassign(task_id: TaskId, body: ReassignIn) -> Document:
    return tasks.reassign(caller(router), task_id, body)


# ------------------------------------------------------------------ hazard reports


@router.post(
    "/duty/hazards",
    summary="Report an accident, road works, a broken signal or a hazard (photos by upload)",
    security=SECURED,
)
def report_hazard(body: HazardIn) -> Response[Document]:
    principal = caller(router)
    result = once(router, "hazard.report", principal, body, lambda: hazards.report(principal, body))
    return created(result)


@router.get(
    "/duty/hazards",
    summary="The command centre's queue (accidents first, then oldest first)",
    security=SECURED,
)
def hazard_queue(
    status: Annotated[Literal["open", "in_progress", "resolved", "dismissed"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[Document]:
    return hazards.queue(caller(router), status, limit)


@router.get("/duty/hazards/mine", summary="Hazards I reported", security=SECURED)
def my_hazards(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[Document]:
    return hazards.mine(caller(router), limit)


@router.get("/duty/hazards/<report_id>", summary="One hazard report", security=SECURED)
def get_hazard(report_id: ReportId) -> Document:
    return hazards.get(caller(router), report_id)


@router.post(
    "/duty/hazards/<report_id>/take",
    summary="Take an open report (command centre)",
    security=SECURED,
)
def take_hazard(report_id: ReportId) -> Document:
    return hazards.take(caller(router), report_id)


@router.post(
    "/duty/hazards/<report_id>/close",
    summary="Resolve or dismiss a report (command centre); the reporter is told",
    security=SECURED,
)
def close_hazard(report_id: ReportId, body: HazardCloseIn) -> Document:
    return hazards.close(caller(router), report_id, body)
