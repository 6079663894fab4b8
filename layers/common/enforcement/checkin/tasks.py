"""Remote check tasks: an officer publishes one for a vessel (`publish_task`), its state
machine notifies the crew, evaluates the checks received and closes it when complete or when
its window ends (`notify_crew`, `evaluate`, `close`); the rule is
`enforcement.checkin.rules.task_outcome`.

Each step is idempotent: Step Functions retries a failed step, and a retried step must not
notify twice or close twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from enforcement import access, audit, clock, jurisdictions, notify, workflows
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin import rules
from enforcement.checkin.loading import (
    load_task,
    load_vessel,
    postings_of_vessel,
    posts_of,
    vessel_for_officer,
)
from enforcement.checkin.manning import check_summaries
from enforcement.checkin.models import Check, RemoteTask
from enforcement.checkin.schemas import TaskIn
from enforcement.config import settings
from enforcement.db import transaction
from enforcement.errors import Conflict, NotFound, UpstreamError

SYSTEM = "system:remote-task"


def task_view(task: RemoteTask, outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "vessel_id": task.vessel_id,
        "status": task.status,
        "created_at": task.created_at,
        "deadline": task.deadline,
        "window_seconds": int(task.window_seconds),
        "notified": len(task.notified or ()),
        "outcome": outcome if outcome is not None else task.outcome,
        "closed_at": task.closed_at,
    }


def evaluate_task(task: RemoteTask, now: datetime | None = None) -> rules.TaskOutcome:
    vessel = load_vessel(task.vessel_id)
    checks = list(Check.by_task.query(task.task_id))
    closed = (now or clock.now()) >= clock.parse(task.deadline)
    return rules.task_outcome(posts_of(vessel), check_summaries(checks), closed)


def publish_task(principal: Principal, vessel_id: str, body: TaskIn) -> dict[str, Any]:
    vessel = vessel_for_officer(principal, vessel_id, Action.ACT)
    cfg = settings()
    window = body.window_seconds or cfg.remote_task_window_seconds
    now = clock.now()
    task = RemoteTask(
        f"task-{secrets.token_hex(8)}",
        vessel_id=vessel_id,
        jurisdiction=vessel.jurisdiction,
        created_by=principal.account_id,
        created_at=clock.iso(now),
        window_seconds=window,
        deadline=clock.iso(now + timedelta(seconds=window)),
        status="running",
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "task.publish",
            f"task:{task.task_id}",
            {"vessel_id": vessel_id, "window_seconds": window},
        ),
        lambda tx: tx.save(task, condition=RemoteTask.task_id.does_not_exist()),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    try:
        execution_arn = workflows.start(
            cfg.remote_task_state_machine_arn,
            task.task_id,  # one execution per task, whatever retries happen
            {"task_id": task.task_id, "poll_seconds": min(cfg.remote_task_poll_seconds, window)},
        )
    except workflows.WorkflowError as exc:
        # never leave a task "running" that nothing will close
        task.update(
            actions=[
                RemoteTask.status.set("failed_to_start"),
                RemoteTask.closed_at.set(clock.iso()),
            ]
        )
        raise UpstreamError("workflow_unavailable", "the task could not be started; retry") from exc
    task.update(actions=[RemoteTask.execution_arn.set(execution_arn)])
    return task_view(task)


def get_task(principal: Principal, task_id: str) -> dict[str, Any]:
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    task = load_task(task_id)
    hidden = NotFound("task_not_found", f"no task {task_id}")
    access.in_jurisdiction(principal, task.jurisdiction, Action.READ, hidden=hidden)
    if task.status == "running":
        return task_view(task, evaluate_task(task).as_dict())
    return task_view(task)


# ------------------------------------------------------------------ the state machine's steps


def notify_crew(task_id: str) -> dict[str, Any]:
    task = load_task(task_id)
    if task.notified:
        return {"state": "notified", "notified": len(task.notified)}
    vessel = load_vessel(task.vessel_id)
    crew_ids = sorted({p.crew_id for p in postings_of_vessel(task.vessel_id)})
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
    task = load_task(task_id)
    if task.status != "running":
        return {"state": task.status}
    outcome = evaluate_task(task)
    return {"state": outcome.state, "manning_met": outcome.manning_met}


def close(task_id: str) -> dict[str, Any]:
    task = load_task(task_id)
    if task.status != "running":
        return {"state": task.status, "outcome": task.outcome}
    outcome = evaluate_task(task)
    final = "complete" if outcome.state == "complete" else "window_closed"
    closed_at = clock.iso()
    vessel = load_vessel(task.vessel_id)
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
        task = load_task(task_id)
        return {"state": task.status, "outcome": task.outcome}
    notify.publish([note])
    return {"state": final, "outcome": outcome.as_dict()}
