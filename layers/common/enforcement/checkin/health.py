"""Health reports: a crew member reports symptoms for themselves or a shipmate. The answers are
a form of the form engine (`health_form`: checked there, every problem at once, in the crew
member's language); an abnormal report (the one health model: `enforcement.health.assess`)
alerts the jurisdiction's officers.
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, jurisdictions, notify
from enforcement import health as health_model
from enforcement.auth import Principal
from enforcement.checkin import health_form
from enforcement.checkin.loading import postings_of_vessel, vessel_for_crew
from enforcement.checkin.models import HealthReport
from enforcement.checkin.schemas import HealthIn
from enforcement.config import settings
from enforcement.errors import Unprocessable


def health_view(r: HealthReport) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "vessel_id": r.vessel_id,
        "jurisdiction": r.jurisdiction,
        "reported_at": r.reported_at,
        "reporter_crew_id": r.reporter_crew_id,
        "subject_crew_id": r.subject_crew_id,
        "symptoms": list(r.symptoms),
        "temperature_c": float(r.temperature_c) if r.temperature_c is not None else None,
        "abnormal": r.abnormal,
        "reasons": list(r.reasons),
    }


def report_health(principal: Principal, body: HealthIn) -> dict[str, Any]:
    crew_id, vessel = vessel_for_crew(principal, body.vessel_id)
    subject = body.subject_crew_id or crew_id
    if subject != crew_id:
        access.shipmate(postings_of_vessel(vessel.vessel_id), subject, vessel.vessel_id)
    answers = {
        "symptoms": list(body.symptoms),
        "temperature": body.temperature_c,
        "note": body.note,
    }
    checked = health_form.check(answers, body.lang)
    if not checked.ok:
        first = checked.problems[0]
        raise Unprocessable(
            "health_report_invalid",
            first.message,
            details=[
                {"field": p.field, "code": p.code, "message": p.message} for p in checked.problems
            ],
        )
    reasons = health_model.assess(body.symptoms, body.temperature_c, settings().fever_threshold_c)
    report = HealthReport(
        f"hr-{secrets.token_hex(8)}",
        jurisdiction=vessel.jurisdiction,
        reported_at=clock.iso(),
        vessel_id=vessel.vessel_id,
        reporter_crew_id=crew_id,
        subject_crew_id=subject,
        symptoms=list(body.symptoms),
        temperature_c=body.temperature_c,
        abnormal=bool(reasons),
        reasons=reasons,
        note=body.note,
    )
    alert = (
        notify.notification(
            f"jurisdiction:{vessel.jurisdiction}",
            "health.abnormal",
            f"{vessel.name_zh}: abnormal health report",
            ", ".join(reasons),
            {"report_id": report.report_id, "vessel_id": vessel.vessel_id},
        )
        if reasons
        else None
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(report, condition=HealthReport.report_id.does_not_exist())
        if alert is not None:
            tx.save(alert)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "health.report",
            f"health:{report.report_id}",
            {"vessel_id": vessel.vessel_id, "subject": subject, "abnormal": bool(reasons)},
        ),
        writes,
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    if alert is not None:
        notify.publish([alert])
    return health_view(report)


def list_health(
    principal: Principal, abnormal_only: bool, limit: int = 100
) -> list[dict[str, Any]]:
    """Health reports of the officer's (or admin's) own jurisdiction, when their agency owns it."""
    jurisdiction = access.own_jurisdiction(principal)
    found = HealthReport.by_jurisdiction.query(
        jurisdiction,
        scan_index_forward=False,
        filter_condition=(HealthReport.abnormal == True) if abnormal_only else None,  # noqa: E712
        limit=limit,
    )
    return [health_view(r) for r in found]
