"""Duty tasks: one officer's patrol of one area in one slot. Officers see theirs, acknowledge
and close them with a note and a GPS fix; the command centre reassigns one with a reason, to a
named officer or by the rota's rule. Also the officers' load the rota reads (`recent_minutes`).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, notify
from enforcement.auth import Principal, Role
from enforcement.config import settings
from enforcement.db import get_or_404
from enforcement.duty import rota, rules
from enforcement.duty.models import DutyTask, PatrolArea
from enforcement.duty.rules import day_key
from enforcement.duty.schemas import CloseTaskIn, ReassignIn
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.geo import haversine_m
from enforcement.models import Notification
from enforcement.officers import InspectorProfile


def local_today() -> str:
    """Today in the agencies' local time (`LOCAL_UTC_OFFSET`)."""
    return clock.local_date().isoformat()


def local_time(day: str, minutes: int) -> str:
    """`rules.local_time` in the agencies' local time."""
    return rules.local_time(day, minutes, settings().local_utc_offset)


def recent_minutes(agency: str, day: str) -> dict[str, int]:
    """Minutes of duty tasks each officer was given in the `RECENT_DAYS` days before `day`."""
    minutes: dict[str, int] = defaultdict(int)
    first = date.fromisoformat(day)
    for back in range(1, rules.RECENT_DAYS + 1):
        earlier = (first - timedelta(days=back)).isoformat()
        for task in DutyTask.query(day_key(agency, earlier)):
            if task.officer_id:
                minutes[task.officer_id] += int(task.minutes)
    return minutes


def task_view(task: DutyTask, now: datetime | None = None) -> dict[str, Any]:
    moment = now or clock.now()
    return {
        "task_id": task.task_id,
        "area_id": task.area_id,
        "area_name": task.area_name,
        "jurisdiction": task.jurisdiction,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "minutes": int(task.minutes),
        "officer_id": task.officer_id,
        "status": task.status,
        "late": rules.is_late(task.status, task.starts_at, moment),
        "acknowledged_at": task.acknowledged_at,
        "closed_at": task.closed_at,
        "close_note": task.close_note,
        "close_distance_m": (
            round(float(task.close_distance_m), 1) if task.close_distance_m is not None else None
        ),
        "reassignments": task.reassignments or [],
    }


def my_tasks(principal: Principal, day: str | None) -> list[dict[str, Any]]:
    access.require_role(principal, Role.OFFICER)
    wanted = day or local_today()
    found = DutyTask.by_officer.query(principal.account_id, DutyTask.starts_at.startswith(wanted))
    now = clock.now()
    return [task_view(t, now) for t in found]


# ------------------------------------------------------------------ one task


def load_task(principal: Principal, task_id: str) -> DutyTask:
    day = rules.task_day(task_id)
    if day is None:
        raise NotFound("task_not_found", f"no duty task {task_id}")
    agency = access.member_agency(principal)  # tasks are looked up in the caller's agency only
    return get_or_404(
        DutyTask,
        day_key(agency, day),
        task_id,
        code="task_not_found",
        message=f"no duty task {task_id}",
    )


def _own_task(principal: Principal, task_id: str) -> DutyTask:
    access.require_role(principal, Role.OFFICER)
    task = load_task(principal, task_id)
    access.own_task(principal, task.officer_id)
    return task


def get_task(principal: Principal, task_id: str) -> dict[str, Any]:
    task = load_task(principal, task_id)
    access.task_visible(principal, task.officer_id)
    return task_view(task)


def acknowledge(principal: Principal, task_id: str) -> dict[str, Any]:
    task = _own_task(principal, task_id)
    if task.status != "assigned":
        raise Conflict("task_not_assigned", f"the task is {task.status}, not waiting for you")
    audit.commit(
        audit.AuditEvent(principal.actor, "duty.acknowledge", f"duty_task:{task_id}", {}),
        lambda tx: tx.update(
            task,
            actions=[
                DutyTask.status.set("acknowledged"),
                DutyTask.acknowledged_at.set(clock.iso()),
            ],
            condition=(DutyTask.status == "assigned")
            & (DutyTask.officer_id == principal.account_id),
        ),
        on_conflict=Conflict("task_changed", "the task changed meanwhile"),
        agency=task.agency,
    )
    return task_view(load_task(principal, task_id))


def close(principal: Principal, task_id: str, body: CloseTaskIn) -> dict[str, Any]:
    """Close an acknowledged task once its slot has begun; the GPS fix says where the officer
    was (its distance to the area's centre is kept, not judged)."""
    task = _own_task(principal, task_id)
    rules.check_closable(task.status, task.starts_at, clock.now())
    area = PatrolArea.get(task.area_id)
    distance = haversine_m(body.gps.lat, body.gps.lon, float(area.lat), float(area.lon))
    gps = body.gps.model_dump(mode="json")
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "duty.close",
            f"duty_task:{task_id}",
            {"note": body.note, "gps": gps, "distance_m": round(distance, 1)},
        ),
        lambda tx: tx.update(
            task,
            actions=[
                DutyTask.status.set("closed"),
                DutyTask.closed_at.set(clock.iso()),
                DutyTask.close_note.set(body.note),
                DutyTask.close_gps.set(gps),
                DutyTask.close_distance_m.set(round(distance, 1)),
            ],
            condition=(DutyTask.status == "acknowledged")
            & (DutyTask.officer_id == principal.account_id),
        ),
        on_conflict=Conflict("task_changed", "the task changed meanwhile"),
        agency=task.agency,
    )
    view = task_view(load_task(principal, task_id))
    view["within_area"] = rules.within_area(distance, float(area.radius_m))
    return view


def _day_load(task: DutyTask) -> tuple[dict[str, int], dict[str, list[tuple[int, int]]]]:
    """Minutes and busy spans of every officer on the task's day, the task itself left out."""
    today: dict[str, int] = defaultdict(int)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for other in DutyTask.query(task.day, consistent_read=True):
        if other.officer_id and other.task_id != task.task_id:
            today[other.officer_id] += int(other.minutes)
            busy[other.officer_id].append(_span(other))
    return today, busy


def _pick_officer(task: DutyTask, excluded: set[str]) -> str | None:
    """The rota's rule for one task now: on duty, eligible, free at that time, least loaded,
    ties by a fresh random value."""
    area = PatrolArea.get(task.area_id)
    today, busy = _day_load(task)
    start, end = _span(task)
    slot = rota.Slot(task.area_id, task.jurisdiction, area.qualification, start, end, 1)
    loads = recent_minutes(task.agency, task.task_id[:10])
    officers = [
        rota.Officer(p.account_id, p.jurisdiction, frozenset(p.qualifications), loads[p.account_id])
        for p in InspectorProfile.by_agency.query(task.agency)
        if p.on_duty and p.account_id not in excluded and p.jurisdiction == task.jurisdiction
    ]
    return rota.choose(
        slot, officers, today, busy, secrets.token_bytes(32), settings().duty_max_minutes_per_day
    )


def _span(task: DutyTask) -> tuple[int, int]:
    return rules.span(task.task_id[:10], task.starts_at, task.ends_at, settings().local_utc_offset)


def reassign(principal: Principal, task_id: str, body: ReassignIn) -> dict[str, Any]:
    """The command centre gives a task to another officer (named, or by the rota's rule), with a
    reason; both officers are told."""
    access.agency_admin(principal)
    task = load_task(principal, task_id)
    if task.status == "closed":
        raise Conflict("task_closed", "a closed task cannot be reassigned")
    previous = task.officer_id
    if body.officer_id:
        officer = body.officer_id
        try:
            profile = InspectorProfile.get(officer, consistent_read=True)
        except InspectorProfile.DoesNotExist as exc:
            raise Unprocessable("officer_not_eligible", f"{officer} has no duty profile") from exc
        rules.check_eligible(
            officer,
            agency=profile.agency,
            jurisdiction=profile.jurisdiction,
            qualifications=set(profile.qualifications),
            task_agency=task.agency,
            task_jurisdiction=task.jurisdiction,
            qualification=PatrolArea.get(task.area_id).qualification,
        )
        if officer == previous:
            raise Unprocessable("same_officer", "the task is already this officer's")
        start, end = _span(task)
        if rules.overlaps(start, end, _day_load(task)[1].get(officer, [])):
            raise Conflict("officer_busy", f"{officer} has another task at that time")
    else:
        chosen = _pick_officer(task, {previous} if previous else set())
        if chosen is None:
            raise Conflict("no_officer_free", "no other officer on duty is free for this slot")
        officer = chosen
    at = clock.iso()
    history = [
        *(task.reassignments or []),
        {
            "at": at,
            "by": principal.account_id,
            "reason": body.reason,
            "previous": previous,
            "officer": officer,
        },
    ]
    notes = [
        notify.notification(
            officer,
            "duty.assigned",
            f"Duty task {task.starts_at[11:16]} {task.area_name}",
            f"Assigned to you by the command centre: {body.reason}",
            {"task_id": task_id},
        )
    ]
    if previous:
        notes.append(
            notify.notification(
                previous,
                "duty.withdrawn",
                f"Duty task {task.starts_at[11:16]} {task.area_name} withdrawn",
                body.reason,
                {"task_id": task_id},
            )
        )

    def writes(tx: TransactWrite) -> None:
        tx.update(
            task,
            actions=[
                DutyTask.officer_id.set(officer),
                DutyTask.status.set("assigned"),
                DutyTask.acknowledged_at.remove(),
                DutyTask.reassignments.set(history),
            ],
            condition=(DutyTask.status == task.status)
            & (
                DutyTask.officer_id == previous
                if previous
                else DutyTask.officer_id.does_not_exist()
            ),
        )
        for note in notes:
            tx.save(note, condition=Notification.notification_key.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "duty.reassign",
            f"duty_task:{task_id}",
            {"reason": body.reason, "previous": previous, "officer": officer},
        ),
        writes,
        on_conflict=Conflict("task_changed", "the task changed meanwhile"),
        agency=task.agency,
    )
    notify.publish(notes)
    return task_view(load_task(principal, task_id))
