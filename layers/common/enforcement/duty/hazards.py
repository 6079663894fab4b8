"""Hazard reports: what officers on patrol see (accidents, road works, broken signals, road
hazards), with photos and the phone's GPS fix, in a queue the command centre works through.

Place comes from the GPS fix and time from the server, never typed. The report and its photo
upload tickets are stored in one transaction with the audit entry and the command centre's
inbox note; photos arrive through the evidence function (`enforcement.evidence`). The queue is
ordered by priority (accidents first), then oldest first.
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, evidence, notify
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.db import get_or_404
from enforcement.duty.models import DutyTask, HazardReport
from enforcement.duty.rules import HAZARD_OPEN, HAZARD_PRIORITY, hazard_order
from enforcement.duty.rules import hazard_queue_key as queue_key
from enforcement.duty.schemas import HazardCloseIn, HazardIn
from enforcement.duty.tasks import load_task
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.models import Upload


def report_view(report: HazardReport, *, links: bool = False) -> dict[str, Any]:
    expected = len(report.photo_keys or [])
    photos = evidence.views(report.photos, links=links)
    return {
        "report_id": report.report_id,
        "agency": report.agency,
        "jurisdiction": report.jurisdiction,
        "kind": report.kind,
        "priority": int(report.priority),
        "description": report.description,
        "gps": report.gps,
        "task_id": report.task_id,
        "reported_by": report.reported_by,
        "reported_at": report.reported_at,
        "status": report.status,
        "photos_expected": expected,
        "photos_accepted": sum(1 for p in photos if p["status"] == "accepted"),
        "photos": photos,
        "handled_by": report.handled_by,
        "taken_at": report.taken_at,
        "closed_at": report.closed_at,
        "resolution": report.resolution,
    }


def report(principal: Principal, body: HazardIn) -> dict[str, Any]:
    """An officer reports what they see; answers with a presigned POST per photo."""
    access.require_role(principal, Role.OFFICER)
    agency = access.member_agency(principal)
    if body.task_id is not None:
        try:
            task: DutyTask | None = load_task(principal, body.task_id)
        except NotFound:
            task = None
        if task is None or task.officer_id != principal.account_id:
            raise Unprocessable("task_not_yours", "the report can name only one of your tasks")
    report_id = f"hz-{secrets.token_hex(8)}"
    tickets, grants = evidence.prepare("hazard", principal.actor, report_id, body.photos)
    at = clock.iso()
    item = HazardReport(
        report_id,
        agency=agency,
        jurisdiction=principal.jurisdiction or "",
        kind=body.kind,
        priority=HAZARD_PRIORITY[body.kind],
        description=body.description,
        gps=body.gps.model_dump(mode="json"),
        task_id=body.task_id,
        reported_by=principal.account_id,
        reported_at=at,
        status="open",
        queue=queue_key(agency, "open"),
        photo_keys=[t.object_key for t in tickets],
        photos=[],
    )
    note = notify.notification(
        f"centre:{agency}",  # the command centre console's inbox
        "hazard.reported",
        f"{body.kind.replace('_', ' ')} reported",
        body.description[:200],
        {"report_id": report_id, "gps": item.gps, "priority": int(item.priority)},
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=HazardReport.report_id.does_not_exist())
        for ticket in tickets:
            tx.save(ticket, condition=Upload.object_key.does_not_exist())
        tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "hazard.report",
            f"hazard:{report_id}",
            {"kind": body.kind, "gps": item.gps, "photos": body.photos, "task_id": body.task_id},
        ),
        writes,
        agency=agency,
    )
    notify.publish([note])
    return {**report_view(item), "uploads": grants}


def load(report_id: str) -> HazardReport:
    return get_or_404(
        HazardReport, report_id, code="report_not_found", message=f"no hazard report {report_id}"
    )


def get(principal: Principal, report_id: str) -> dict[str, Any]:
    access.member_agency(principal)
    item = load(report_id)
    access.report_visible(principal, item.reported_by, item.agency)
    return report_view(item, links=True)


def _centre_load(principal: Principal, report_id: str) -> tuple[str, HazardReport]:
    """A report of the command centre's own agency (another agency's is not found)."""
    agency = access.agency_admin(principal)
    item = load(report_id)
    hidden = NotFound("report_not_found", f"no hazard report {report_id}")
    access.in_agency(principal, item.agency, Action.ADMINISTER, hidden=hidden)
    return agency, item


def queue(principal: Principal, status: str, limit: int) -> list[dict[str, Any]]:
    """The command centre's queue: priority first (accidents), then the oldest first."""
    agency = access.agency_admin(principal)
    found = list(HazardReport.by_queue.query(queue_key(agency, status)))
    found.sort(key=lambda r: hazard_order(int(r.priority), r.reported_at))
    return [report_view(r) for r in found[:limit]]


def mine(principal: Principal, limit: int) -> list[dict[str, Any]]:
    access.require_role(principal, Role.OFFICER)
    found = HazardReport.by_reporter.query(
        principal.account_id, scan_index_forward=False, limit=limit
    )
    return [report_view(r) for r in found]


def take(principal: Principal, report_id: str) -> dict[str, Any]:
    """A command-centre operator takes an open report: it leaves the open queue."""
    agency, item = _centre_load(principal, report_id)
    if item.status != "open":
        raise Conflict("report_not_open", f"the report is {item.status}")
    audit.commit(
        audit.AuditEvent(principal.actor, "hazard.take", f"hazard:{report_id}", {}),
        lambda tx: tx.update(
            item,
            actions=[
                HazardReport.status.set("in_progress"),
                HazardReport.queue.set(queue_key(agency, "in_progress")),
                HazardReport.handled_by.set(principal.account_id),
                HazardReport.taken_at.set(clock.iso()),
            ],
            condition=HazardReport.status == "open",
        ),
        on_conflict=Conflict("report_not_open", "the report was taken meanwhile"),
        agency=agency,
    )
    return report_view(load(report_id), links=True)


def close(principal: Principal, report_id: str, body: HazardCloseIn) -> dict[str, Any]:
    """Resolve or dismiss a report, with what was done; the reporter is told."""
    agency, item = _centre_load(principal, report_id)
    if item.status not in HAZARD_OPEN:
        raise Conflict("report_closed", f"the report is already {item.status}")
    if item.status == "in_progress" and item.handled_by != principal.account_id:
        raise Conflict("report_taken", f"{item.handled_by} is handling this report")
    note = notify.notification(
        item.reported_by,
        f"hazard.{body.outcome}",
        f"Your {item.kind.replace('_', ' ')} report: {body.outcome}",
        body.resolution[:200],
        {"report_id": report_id},
    )

    def writes(tx: TransactWrite) -> None:
        tx.update(
            item,
            actions=[
                HazardReport.status.set(body.outcome),
                HazardReport.queue.set(queue_key(agency, body.outcome)),
                HazardReport.handled_by.set(principal.account_id),
                HazardReport.closed_at.set(clock.iso()),
                HazardReport.resolution.set(body.resolution),
            ],
            condition=HazardReport.status == item.status,
        )
        tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            f"hazard.{body.outcome}",
            f"hazard:{report_id}",
            {"resolution": body.resolution},
        ),
        writes,
        on_conflict=Conflict("report_changed", "the report changed meanwhile"),
        agency=agency,
    )
    notify.publish([note])
    return report_view(load(report_id), links=True)
