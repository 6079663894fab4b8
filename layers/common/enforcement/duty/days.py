"""Duty tasks of traffic police: patrol areas and slots, the daily rota, acknowledge and close.

The command centre (admins of the agency) defines patrol areas with their time slots; every day
(schedule) or on demand, the day's slots are dispatched to the officers on duty by the rule of
`enforcement.duty.rota`, from a rota document stored with its hash, so the dispatch can be re-run
and checked. Officers see their tasks, acknowledge them and close them with a note and a GPS fix;
the command centre sees the day, and reassigns a task with a reason. Every change is audited.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, documents, notify
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.db import get_or_404
from enforcement.duty import rota
from enforcement.duty.models import DutyDay, DutyTask, PatrolArea
from enforcement.duty.schemas import CloseTaskIn, PatrolAreaIn, ReassignIn
from enforcement.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from enforcement.geo import haversine_m
from enforcement.models import Notification
from enforcement.officers import InspectorProfile

ROTA_PREFIX = "duty/rotas/"
TASK_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{4})\.([A-Za-z0-9][A-Za-z0-9_-]*)\.(\d+)$")
#: Days before the dispatched one whose task minutes count as an officer's recent load.
RECENT_DAYS = 6
#: How far ahead a day may be dispatched.
MAX_DAYS_AHEAD = 7


def utc_offset() -> timezone:
    """The agencies' local time (`DUTY_UTC_OFFSET`, e.g. +08:00; China keeps no summer time)."""
    text = os.environ.get("DUTY_UTC_OFFSET", "+08:00")
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", text)
    if not match:
        raise RuntimeError(f"DUTY_UTC_OFFSET {text!r} is not ±HH:MM")
    minutes = int(match[2]) * 60 + int(match[3])
    return timezone(timedelta(minutes=-minutes if match[1] == "-" else minutes))


def max_minutes_per_day() -> int:
    return int(os.environ.get("DUTY_MAX_MINUTES_PER_DAY", "600"))


def local_today() -> str:
    return clock.now().astimezone(utc_offset()).date().isoformat()


def local_time(day: str, minutes: int) -> str:
    midnight = datetime.combine(date.fromisoformat(day), datetime.min.time(), utc_offset())
    return (midnight + timedelta(minutes=minutes)).isoformat(timespec="minutes")


def day_key(agency: str, day: str) -> str:
    return f"{agency}#{day}"


# ------------------------------------------------------------------ patrol areas


def area_view(area: PatrolArea) -> dict[str, Any]:
    return {
        "area_id": area.area_id,
        "agency": area.agency,
        "jurisdiction": area.jurisdiction,
        "name": area.name,
        "lat": float(area.lat),
        "lon": float(area.lon),
        "radius_m": float(area.radius_m),
        "qualification": area.qualification,
        "slots": area.slots,
        "active": bool(area.active),
        "updated_at": area.updated_at,
        "updated_by": area.updated_by,
    }


def put_area(principal: Principal, area_id: str, body: PatrolAreaIn) -> dict[str, Any]:
    agency = access.agency_admin(principal)
    try:
        existing: PatrolArea | None = PatrolArea.get(area_id, consistent_read=True)
    except PatrolArea.DoesNotExist:
        existing = None
    if existing is not None:
        other = Forbidden("other_agency", "this patrol area id belongs to another agency")
        access.in_agency(principal, existing.agency, Action.ADMINISTER, hidden=other)
    jurisdiction = access.jurisdiction_for(principal, body.jurisdiction)
    area = PatrolArea(
        area_id,
        agency=agency,
        jurisdiction=jurisdiction,
        name=body.name,
        lat=body.lat,
        lon=body.lon,
        radius_m=body.radius_m,
        qualification=body.qualification,
        slots=[s.model_dump(mode="json") for s in body.slots],
        active=body.active,
        updated_at=clock.iso(),
        updated_by=principal.account_id,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "patrol_area.put",
            f"patrol_area:{area_id}",
            {"name": body.name, "slots": area.slots, "active": body.active, "new": not existing},
        ),
        lambda tx: tx.save(area),
        agency=agency,
    )
    return area_view(area)


def list_areas(principal: Principal) -> list[dict[str, Any]]:
    agency = access.member_agency(principal)
    return [area_view(a) for a in PatrolArea.by_agency.query(agency)]


# ------------------------------------------------------------------ dispatching a day


def _check_day(day: str) -> None:
    try:
        wanted = date.fromisoformat(day)
    except ValueError as exc:
        raise BadRequest("invalid_date", "dates are YYYY-MM-DD") from exc
    today = date.fromisoformat(local_today())
    if wanted < today:
        raise Unprocessable("date_in_past", "a past day cannot be dispatched")
    if wanted > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Unprocessable("date_too_far", f"days are dispatched at most {MAX_DAYS_AHEAD} ahead")


def recent_minutes(agency: str, day: str) -> dict[str, int]:
    """Minutes of duty tasks each officer was given in the `RECENT_DAYS` days before `day`."""
    minutes: dict[str, int] = defaultdict(int)
    first = date.fromisoformat(day)
    for back in range(1, RECENT_DAYS + 1):
        earlier = (first - timedelta(days=back)).isoformat()
        for task in DutyTask.query(day_key(agency, earlier)):
            if task.officer_id:
                minutes[task.officer_id] += int(task.minutes)
    return minutes


def build_document(agency: str, day: str, seed_hex: str) -> dict[str, Any]:
    """Every input of a day's dispatch: the slots due that weekday, the officers on duty with
    their recent load, the rule's limits and the seed."""
    weekday = rota.weekday(day)
    slots = []
    for area in PatrolArea.by_agency.query(agency):
        if not area.active:
            continue
        for slot in area.slots:
            if weekday not in slot.get("weekdays", range(1, 8)):
                continue
            start, end = rota.slot_span(slot["start"], slot["end"])
            slots.append(
                {
                    "area_id": area.area_id,
                    "jurisdiction": area.jurisdiction,
                    "qualification": area.qualification or "",
                    "start": start,
                    "end": end,
                    "officers": int(slot.get("officers", 1)),
                }
            )
    loads = recent_minutes(agency, day)
    officers = [
        {
            "account_id": p.account_id,
            "jurisdiction": p.jurisdiction,
            "qualifications": sorted(p.qualifications),
            "recent_minutes": loads.get(p.account_id, 0),
        }
        for p in InspectorProfile.by_agency.query(agency)
        if p.on_duty
    ]
    return {
        "format": rota.ROTA_FORMAT,
        "agency": agency,
        "date": day,
        "utc_offset": local_time(day, 0)[-6:],
        "max_minutes_per_day": max_minutes_per_day(),
        "seed": seed_hex,
        "slots": sorted(slots, key=lambda s: (s["start"], s["area_id"])),
        "officers": sorted(officers, key=lambda o: o["account_id"]),
    }


def _tasks_of(agency: str, day: str, document: dict[str, Any]) -> list[DutyTask]:
    names = {a.area_id: a.name for a in PatrolArea.by_agency.query(agency)}
    jurisdictions = {s["area_id"]: s["jurisdiction"] for s in document["slots"]}
    tasks = []
    for placement in rota.from_document(document):
        tasks.append(
            DutyTask(
                day_key(agency, day),
                placement.task_id,
                agency=agency,
                jurisdiction=jurisdictions[placement.area_id],
                area_id=placement.area_id,
                area_name=names.get(placement.area_id, placement.area_id),
                starts_at=local_time(day, placement.start),
                ends_at=local_time(day, placement.end),
                minutes=placement.end - placement.start,
                officer_id=placement.officer_id,
                status="assigned" if placement.officer_id else "unstaffed",
            )
        )
    return tasks


def dispatch_day(agency: str, day: str, actor: str, trigger: str) -> dict[str, Any]:
    """Dispatch the day's tasks of an agency once; a day left `dispatching` by a failure is
    finished from its stored rota document."""
    try:
        existing: DutyDay | None = DutyDay.get(agency, day, consistent_read=True)
    except DutyDay.DoesNotExist:
        existing = None
    if existing is not None:
        if existing.status == "dispatching":
            return _finish(existing, documents.get(existing.rota_key))
        raise Conflict("already_dispatched", f"the duty tasks of {day} are already dispatched")
    document = build_document(agency, day, secrets.token_hex(32))
    digest = rota.document_hash(document)
    key = f"{ROTA_PREFIX}{agency}/{day}/{digest}.json"
    tasks = _tasks_of(agency, day, document)
    documents.put(key, document)
    item = DutyDay(
        agency,
        day,
        status="dispatching",
        trigger=trigger,
        requested_by=actor,
        requested_at=clock.iso(),
        rota_key=key,
        rota_hash=digest,
        tasks=len(tasks),
        unstaffed=sum(1 for t in tasks if not t.officer_id),
        officers=len(document["officers"]),
    )
    audit.commit(
        audit.AuditEvent(
            actor,
            "duty.dispatch",
            f"duty:{agency}/{day}",
            {
                "rota_hash": digest,
                "tasks": item.tasks,
                "unstaffed": item.unstaffed,
                "officers": item.officers,
                "trigger": trigger,
            },
        ),
        lambda tx: tx.save(item, condition=DutyDay.date.does_not_exist()),
        on_conflict=Conflict("already_dispatched", f"the duty tasks of {day} are dispatched"),
        agency=agency,
    )
    return _finish(item, document, tasks)


def _finish(
    item: DutyDay, document: dict[str, Any], fresh_tasks: list[DutyTask] | None = None
) -> dict[str, Any]:
    """Write the tasks (first time in batches; when resuming, only those missing), tell each
    officer once, mark the day dispatched."""
    fresh = fresh_tasks is not None
    tasks = fresh_tasks if fresh_tasks is not None else _tasks_of(item.agency, item.date, document)
    if fresh:
        with DutyTask.batch_write() as batch:
            for task in tasks:
                batch.save(task)
    else:
        for task in tasks:
            try:
                task.save(condition=DutyTask.task_id.does_not_exist())
            except PutError as exc:  # written by the interrupted attempt; may be acknowledged
                if getattr(exc, "cause_response_code", "") != "ConditionalCheckFailedException":
                    raise
    per_officer: dict[str, list[DutyTask]] = defaultdict(list)
    for task in tasks:
        if task.officer_id:
            per_officer[task.officer_id].append(task)
    notes = []
    for officer, own in sorted(per_officer.items()):
        note = notify.notification(
            officer,
            "duty.tasks",
            f"Duty tasks for {item.date}: {len(own)}",
            "; ".join(f"{t.starts_at[11:16]}-{t.ends_at[11:16]} {t.area_name}" for t in own),
            {"date": item.date, "tasks": [t.task_id for t in own]},
        )
        note.notification_key = f"{item.requested_at}#duty-{item.date}"  # once per officer
        note.save()
        notes.append(note)
    try:
        item.update(
            actions=[DutyDay.status.set("dispatched"), DutyDay.dispatched_at.set(clock.iso())],
            condition=DutyDay.status == "dispatching",
        )
    except UpdateError as exc:  # finished by a concurrent retry: nothing left to do
        if getattr(exc, "cause_response_code", "") != "ConditionalCheckFailedException":
            raise
        return day_summary(DutyDay.get(item.agency, item.date, consistent_read=True))
    notify.publish(notes)
    return day_summary(item)


def request_dispatch(principal: Principal, day: str) -> dict[str, Any]:
    agency = access.agency_admin(principal)
    _check_day(day)
    return dispatch_day(agency, day, principal.actor, "on_demand")


def scheduled_dispatch() -> list[dict[str, Any]]:
    """The daily schedule: today's tasks for every agency with an active patrol area."""
    day = local_today()
    agencies = sorted({a.agency for a in PatrolArea.scan(PatrolArea.active == True)})  # noqa: E712
    done = []
    for agency in agencies:
        try:
            done.append(dispatch_day(agency, day, "system:duty-schedule", "schedule"))
        except Conflict:
            done.append({"agency": agency, "date": day, "status": "already_dispatched"})
    return done


# ------------------------------------------------------------------ views


def day_summary(item: DutyDay) -> dict[str, Any]:
    return {
        "agency": item.agency,
        "date": item.date,
        "status": item.status,
        "trigger": item.trigger,
        "requested_by": item.requested_by,
        "requested_at": item.requested_at,
        "dispatched_at": item.dispatched_at,
        "rota_hash": item.rota_hash,
        "tasks": int(item.tasks),
        "unstaffed": int(item.unstaffed),
        "officers": int(item.officers),
    }


def task_view(task: DutyTask, now: datetime | None = None) -> dict[str, Any]:
    moment = now or clock.now()
    started = datetime.fromisoformat(task.starts_at) <= moment
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
        "late": task.status in ("assigned", "unstaffed") and started,
        "acknowledged_at": task.acknowledged_at,
        "closed_at": task.closed_at,
        "close_note": task.close_note,
        "close_distance_m": (
            round(float(task.close_distance_m), 1) if task.close_distance_m is not None else None
        ),
        "reassignments": task.reassignments or [],
    }


def day_view(principal: Principal, day: str) -> dict[str, Any]:
    """The command centre's view of a day: every task, its officer and status, and counts."""
    agency = access.agency_admin(principal)
    item = get_or_404(
        DutyDay, agency, day, code="day_not_dispatched", message=f"{day} is not dispatched"
    )
    now = clock.now()
    tasks = [task_view(t, now) for t in DutyTask.query(day_key(agency, day), consistent_read=True)]
    counts: dict[str, int] = defaultdict(int)
    for task in tasks:
        counts[str(task["status"])] += 1
    minutes: dict[str, int] = defaultdict(int)
    for task in tasks:
        if task["officer_id"]:
            minutes[str(task["officer_id"])] += int(task["minutes"])
    return {
        **day_summary(item),
        "counts": dict(counts),
        "late": sum(1 for t in tasks if t["late"]),
        "minutes_per_officer": dict(sorted(minutes.items())),
        "task_list": tasks,
    }


def rota_document(principal: Principal, day: str) -> dict[str, Any]:
    """The stored inputs of a day's dispatch, and whether re-running them gives the stored
    assignment (tasks reassigned since are listed, not counted as differences)."""
    agency = access.agency_admin(principal)
    item = get_or_404(
        DutyDay, agency, day, code="day_not_dispatched", message=f"{day} is not dispatched"
    )
    document = documents.get(item.rota_key)
    stored = {t.task_id: t for t in DutyTask.query(day_key(agency, day), consistent_read=True)}
    differences, reassigned = [], []
    for placement in rota.from_document(document):
        task = stored.get(placement.task_id)
        if task is None:
            differences.append(f"{placement.task_id}: missing")
        elif task.reassignments:
            reassigned.append(placement.task_id)
            first = task.reassignments[0].get("previous")
            if first != placement.officer_id:
                differences.append(f"{placement.task_id}: first officer {first}")
        elif task.officer_id != placement.officer_id:
            differences.append(f"{placement.task_id}: officer {task.officer_id}")
    return {
        "rota_hash": item.rota_hash,
        "hash_matches": rota.document_hash(document) == item.rota_hash,
        "identical": not differences,
        "differences": differences,
        "reassigned": reassigned,
        "document": document,
    }


def my_tasks(principal: Principal, day: str | None) -> list[dict[str, Any]]:
    access.require_role(principal, Role.OFFICER)
    wanted = day or local_today()
    found = DutyTask.by_officer.query(principal.account_id, DutyTask.starts_at.startswith(wanted))
    now = clock.now()
    return [task_view(t, now) for t in found]


# ------------------------------------------------------------------ one task


def load_task(principal: Principal, task_id: str) -> DutyTask:
    match = TASK_ID.match(task_id)
    if not match:
        raise NotFound("task_not_found", f"no duty task {task_id}")
    agency = access.member_agency(principal)  # tasks are looked up in the caller's agency only
    return get_or_404(
        DutyTask,
        day_key(agency, match[1]),
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
    if task.status == "assigned":
        raise Conflict("task_not_acknowledged", "acknowledge the task before closing it")
    if task.status != "acknowledged":
        raise Conflict("task_not_open", f"the task is {task.status}")
    if datetime.fromisoformat(task.starts_at) > clock.now():
        raise Conflict("slot_not_started", f"the slot starts at {task.starts_at}")
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
    view["within_area"] = distance <= float(area.radius_m)
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
    return rota.choose(slot, officers, today, busy, secrets.token_bytes(32), max_minutes_per_day())


def _span(task: DutyTask) -> tuple[int, int]:
    day_start = datetime.fromisoformat(local_time(task.task_id[:10], 0))
    start = datetime.fromisoformat(task.starts_at) - day_start
    end = datetime.fromisoformat(task.ends_at) - day_start
    return int(start.total_seconds() // 60), int(end.total_seconds() // 60)


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
        if profile.agency != task.agency or profile.jurisdiction != task.jurisdiction:
            raise Unprocessable("officer_not_eligible", f"{officer} serves another jurisdiction")
        area = PatrolArea.get(task.area_id)
        if area.qualification and area.qualification not in profile.qualifications:
            raise Unprocessable("officer_not_eligible", f"{officer} lacks {area.qualification}")
        if officer == previous:
            raise Unprocessable("same_officer", "the task is already this officer's")
        start, end = _span(task)
        if any(s < end and start < e for s, e in _day_load(task)[1].get(officer, [])):
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
