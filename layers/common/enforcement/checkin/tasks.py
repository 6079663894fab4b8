"""The steps of a remote check task, run by the state machine (notify, evaluate, close).

Each step is idempotent: Step Functions retries a failed step, and a retried step must not
notify twice or close twice.
"""

from __future__ import annotations

from typing import Any

from enforcement import audit, clock, jurisdictions, notify
from enforcement.checkin import crew
from enforcement.checkin.models import RemoteTask
from enforcement.db import transaction
from enforcement.errors import Conflict

SYSTEM = "system:remote-task"


def notify_crew(task_id: str) -> dict[str, Any]:
    task = crew.load_task(task_id)
    if task.notified:
        return {"state": "notified", "notified": len(task.notified)}
    vessel = crew.load_vessel(task.vessel_id)
    crew_ids = sorted({p.crew_id for p in crew.postings_of_vessel(task.vessel_id)})
    notes = [
        notify.notification(
            crew_id,
            "task.published",
            f"{vessel.name_zh}: remote check-in",
            f"Check in from your phone before {task.deadline} when navigation safety allows.",
            {"task_id": task_id, "vessel_id": task.vessel_id, "deadline": task.deadline},
        )
        for crew_id in crew_ids
    ]
    with transaction() as tx:
        for note in notes:
            tx.save(note)
        tx.update(
            task,
            actions=[RemoteTask.notified.set(set(crew_ids) or {"-"})],
            condition=RemoteTask.notified.does_not_exist(),
        )
    notify.publish(notes)
    return {"state": "notified", "notified": len(crew_ids)}


def evaluate(task_id: str) -> dict[str, Any]:
    task = crew.load_task(task_id)
    if task.status != "running":
        return {"state": task.status}
    outcome = crew.evaluate_task(task)
    return {"state": outcome.state, "manning_met": outcome.manning_met}


def close(task_id: str) -> dict[str, Any]:
    task = crew.load_task(task_id)
    if task.status != "running":
        return {"state": task.status, "outcome": task.outcome}
    outcome = crew.evaluate_task(task)
    final = "complete" if outcome.state == "complete" else "window_closed"
    closed_at = clock.iso()
    vessel = crew.load_vessel(task.vessel_id)
    note = notify.notification(
        task.created_by,
        f"task.{final}",
        f"{vessel.name_zh}: remote check {final.replace('_', ' ')}",
        "minimum safe manning met" if outcome.manning_met else "minimum safe manning NOT met",
        {"task_id": task_id, "manning_met": outcome.manning_met},
    )

    def writes(tx: Any) -> None:
        tx.update(
            task,
            actions=[
                RemoteTask.status.set(final),
                RemoteTask.outcome.set(outcome.as_dict()),
                RemoteTask.closed_at.set(closed_at),
            ],
            condition=RemoteTask.status == "running",
        )
        tx.save(note)

    try:
        audit.commit(
            audit.AuditEvent(
                SYSTEM, f"task.{final}", f"task:{task_id}", {"manning_met": outcome.manning_met}
            ),
            writes,
            agency=jurisdictions.owner(task.jurisdiction),
        )
    except Conflict:  # closed meanwhile by a retried step: report what is stored
        task = crew.load_task(task_id)
        return {"state": task.status, "outcome": task.outcome}
    notify.publish([note])
    return {"state": final, "outcome": outcome.as_dict()}
