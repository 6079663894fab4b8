"""Dispatching a day: the day's patrol slots to the officers on duty, once per agency and day.

Every day (schedule) or on demand, the day's slots are dispatched to the officers on duty by the
rule of `enforcement.duty.rota`, from a rota document stored with its hash, so the dispatch can be
re-run and checked (`rota_document`). The command centre sees the day's board (`day_view`).
A day left `dispatching` by a failure is finished from its stored document. Every change is
audited.

The day's item and the head of the audit chain its dispatch goes to are read in one
BatchGetItem; the patrol areas once (the schedule's scan hands each agency its own); the tasks
and the officers' inbox notes are written in batches, and the notes published ten at a time.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from enforcement import access, audit, clock, documents, notify
from enforcement.auth import Principal
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.config import settings
from enforcement.db import get_or_404
from enforcement.duty import rota, rules
from enforcement.duty.models import DutyDay, DutyTask, PatrolArea
from enforcement.duty.rules import day_key
from enforcement.duty.tasks import local_time, local_today, recent_minutes, task_view
from enforcement.errors import Conflict
from enforcement.models import Notification
from enforcement.officers import InspectorProfile

ROTA_PREFIX = "duty/rotas/"


def build_document(
    agency: str, day: str, seed_hex: str, areas: Iterable[PatrolArea] | None = None
) -> dict[str, Any]:
    """Every input of a day's dispatch: the slots due that weekday, the officers on duty with
    their recent load, the rule's limits and the seed. `areas`: the agency's patrol areas when
    the caller has read them (else they are queried)."""
    weekday = rota.weekday(day)
    slots = []
    for area in PatrolArea.by_agency.query(agency) if areas is None else areas:
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
        "max_minutes_per_day": settings().duty_max_minutes_per_day,
        "seed": seed_hex,
        "slots": sorted(slots, key=lambda s: (s["start"], s["area_id"])),
        "officers": sorted(officers, key=lambda o: o["account_id"]),
    }


def _tasks_of(
    agency: str, day: str, document: dict[str, Any], names: dict[str, str] | None = None
) -> list[DutyTask]:
    if names is None:
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


def _event(actor: str, agency: str, day: str, details: dict[str, Any]) -> audit.AuditEvent:
    return audit.AuditEvent(actor, "duty.dispatch", f"duty:{agency}/{day}", details)


def dispatch_day(
    agency: str,
    day: str,
    actor: str,
    trigger: str,
    areas: list[PatrolArea] | None = None,
) -> dict[str, Any]:
    """Dispatch the day's tasks of an agency once; a day left `dispatching` by a failure is
    finished from its stored rota document. `areas`: the agency's patrol areas, when read."""
    chain = audit.chain_of(_event(actor, agency, day, {}), None, agency)
    reads = batch_get([ItemKey(DutyDay, agency, day), audit.head_key(chain)])
    existing = reads.item(DutyDay, agency, day)
    if existing is not None:
        if existing.status == "dispatching":
            return _finish(existing, documents.get(existing.rota_key))
        raise Conflict("already_dispatched", f"the duty tasks of {day} are already dispatched")
    if areas is None:
        areas = list(PatrolArea.by_agency.query(agency))
    document = build_document(agency, day, secrets.token_hex(32), areas)
    digest = rota.document_hash(document)
    key = f"{ROTA_PREFIX}{agency}/{day}/{digest}.json"
    tasks = _tasks_of(agency, day, document, {a.area_id: a.name for a in areas})
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
        _event(
            actor,
            agency,
            day,
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
        known_head=reads.item(audit.AuditEntry, chain, audit.HEAD_SEQ),
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
        notes.append(note)
    with Notification.batch_write() as batch:  # plain puts under keys fixed per officer and day
        for note in notes:
            batch.save(note)
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
    rules.check_dispatchable(day, local_today())
    return dispatch_day(agency, day, principal.actor, "on_demand")


def scheduled_dispatch() -> list[dict[str, Any]]:
    """The daily schedule: today's tasks for every agency with an active patrol area."""
    day = local_today()
    by_agency: dict[str, list[PatrolArea]] = defaultdict(list)
    for area in PatrolArea.scan(PatrolArea.active == True):  # noqa: E712
        by_agency[area.agency].append(area)
    done = []
    for agency, areas in sorted(by_agency.items()):
        try:
            done.append(dispatch_day(agency, day, "system:duty-schedule", "schedule", areas))
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
