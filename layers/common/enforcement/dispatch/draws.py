"""Draws: an on-demand draw, the agency's plan and the scheduled draws it starts, the start of a
draw's state machine, and the views of a draw (with its assignments) and of its documents.

The draw's own steps (freeze, reveal, select, publish) are `steps.py`; recording results and
redrawing a team are `results.py`; what the public sees is `public.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, documents, evidence, uploads, workflows
from enforcement.access import Action
from enforcement.auth import Principal
from enforcement.config import settings
from enforcement.dispatch import rules
from enforcement.dispatch.catalogue import load_head, model_of
from enforcement.dispatch.models import Assignment, Draw
from enforcement.dispatch.schemas import DrawIn, PlanIn
from enforcement.errors import Conflict, Forbidden, NotFound, UpstreamError

SNAPSHOT_PREFIX = "dispatch/snapshots/"
RESULT_PREFIX = "dispatch/results/"
PLAN_PREFIX = "plan#"
#: How long published snapshot links stay valid.
LINK_TTL_SECONDS = 3600


# ------------------------------------------------------------------ draws and plans


def load_draw(draw_id: str) -> Draw:
    if draw_id.startswith(PLAN_PREFIX):
        raise NotFound("draw_not_found", "no such draw")
    try:
        return Draw.get(draw_id, consistent_read=True)
    except Draw.DoesNotExist as exc:
        raise NotFound("draw_not_found", f"no draw {draw_id}") from exc


def draw_view(item: Draw, *, public: bool = False) -> dict[str, Any]:
    revealed = rules.revealed(item.status)
    view: dict[str, Any] = {
        "draw_id": item.draw_id,
        "agency": item.agency,
        "trigger": item.trigger,
        "status": item.status,
        "requested_at": item.requested_at,
        "model": {
            "model_id": item.model_id,
            "version": int(item.model_version) if item.model_version is not None else None,
            "hash": item.model_hash,
        },
        "team_size": int(item.team_size or 0),
        "snapshot_hash": item.snapshot_hash,
        "commitment": item.commitment,
        "committed_at": item.committed_at,
        "beacon": item.beacon,
        "secret": item.secret if revealed else None,
        "beacon_value": item.beacon_value if revealed else None,
        "seed": item.seed if revealed else None,
        "revealed_at": item.revealed_at,
        "result_hash": item.result_hash,
        "selected_count": int(item.selected_count) if item.selected_count is not None else None,
        "unstaffed_count": int(item.unstaffed_count) if item.unstaffed_count is not None else None,
        "drawn_at": item.drawn_at,
        "published_at": item.published_at,
    }
    if not public:
        view["requested_by"] = item.requested_by
        view["execution_arn"] = item.execution_arn
        view["error"] = item.error
    return view


def _new_draw(
    *,
    draw_id: str,
    agency: str,
    actor: str,
    trigger: str,
    body: DrawIn,
) -> Draw:
    item = load_head(body.model_id)  # the agency is on the head: no document read
    if item.agency != agency:  # the same answer as a model that does not exist
        raise NotFound("model_not_found", f"no risk model {body.model_id}")
    wait = body.reveal_wait_seconds
    return Draw(
        draw_id,
        agency=agency,
        requested_at=clock.iso(),
        requested_by=actor,
        trigger=trigger,
        model_id=body.model_id,
        team_size=body.team_size,
        reveal_wait_seconds=settings().draw_reveal_wait_seconds if wait is None else wait,
        status="requested",
    )


def _start(item: Draw) -> Draw:
    """Start the draw's state machine; the execution is named after the draw, so a draw can
    never run twice."""
    arn = settings().draw_state_machine_arn
    if not arn:
        raise UpstreamError("workflow_unavailable", "the draw workflow is not configured")
    try:
        execution_arn = workflows.start(
            arn,
            item.draw_id,
            {"draw_id": item.draw_id, "reveal_wait_seconds": int(item.reveal_wait_seconds or 0)},
        )
    except workflows.AlreadyStarted:
        return load_draw(item.draw_id)
    except workflows.WorkflowError as exc:
        item.update(actions=[Draw.status.set("failed"), Draw.error.set("failed_to_start")])
        raise UpstreamError("workflow_failed", "the draw workflow could not be started") from exc
    item.update(actions=[Draw.execution_arn.set(execution_arn)])
    return item


def request_draw(principal: Principal, body: DrawIn) -> dict[str, Any]:
    """An on-demand draw for the admin's agency."""
    agency = access.agency_admin(principal)
    item = _new_draw(
        draw_id=f"draw-{secrets.token_hex(8)}",
        agency=agency,
        actor=principal.actor,
        trigger="on_demand",
        body=body,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "draw.request",
            f"draw:{item.draw_id}",
            {"model_id": body.model_id, "team_size": body.team_size},
        ),
        lambda tx: tx.save(item, condition=Draw.draw_id.does_not_exist()),
        agency=agency,
    )
    return draw_view(_start(item))


def get_draw(principal: Principal, draw_id: str) -> dict[str, Any]:
    access.member_agency(principal)
    item = load_draw(draw_id)
    hidden = NotFound("draw_not_found", f"no draw {draw_id}")
    access.in_agency(principal, item.agency, Action.READ, hidden=hidden)
    view = draw_view(item)
    view["assignments"] = [assignment_view(a) for a in assignments(draw_id)]
    return view


def put_plan(principal: Principal, body: PlanIn) -> dict[str, Any]:
    """What the daily schedule draws for the admin's agency, with one of its own models."""
    agency = access.agency_admin(principal)
    model_of(principal, body.model_id, Action.ADMINISTER)
    plan = Draw(
        f"{PLAN_PREFIX}{agency}",
        agency=agency,
        model_id=body.model_id,
        team_size=body.team_size,
        reveal_wait_seconds=body.reveal_wait_seconds,
        enabled=body.enabled,
        requested_by=principal.actor,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor, "draw.plan", f"plan:{agency}", body.model_dump(mode="json")
        ),
        lambda tx: tx.save(plan),
        agency=agency,
    )
    return plan_view(plan)


def plan_view(plan: Draw) -> dict[str, Any]:
    return {
        "agency": plan.agency,
        "model_id": plan.model_id,
        "team_size": int(plan.team_size or 2),
        "reveal_wait_seconds": (
            int(plan.reveal_wait_seconds) if plan.reveal_wait_seconds is not None else None
        ),
        "enabled": bool(plan.enabled),
    }


def _save_new(item: Draw) -> Callable[[TransactWrite], None]:
    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=Draw.draw_id.does_not_exist())

    return writes


def scheduled_draws(fired_at: str) -> list[dict[str, Any]]:
    """Start the draw of every agency with an enabled plan. The draw id follows from the agency
    and the scheduled time, so a re-delivered schedule event starts nothing new."""
    started = []
    plans = [p for p in Draw.scan(Draw.draw_id.startswith(PLAN_PREFIX)) if p.enabled and p.agency]
    for plan in sorted(plans, key=lambda p: p.draw_id):
        agency = plan.agency or ""
        draw_id = rules.scheduled_draw_id(agency, fired_at)
        body = DrawIn(
            model_id=plan.model_id or "",
            team_size=int(plan.team_size or 2),
            reveal_wait_seconds=(
                int(plan.reveal_wait_seconds) if plan.reveal_wait_seconds is not None else None
            ),
        )
        try:
            item = _new_draw(
                draw_id=draw_id,
                agency=agency,
                actor="system:schedule",
                trigger="schedule",
                body=body,
            )
            audit.commit(
                audit.AuditEvent(
                    "system:schedule",
                    "draw.request",
                    f"draw:{draw_id}",
                    {"model_id": body.model_id, "scheduled_for": fired_at},
                ),
                _save_new(item),
                on_conflict=Conflict("draw_exists", "this scheduled draw was already started"),
                agency=agency,
            )
        except Conflict:
            started.append({"agency": agency, "draw_id": draw_id, "started": False})
            continue
        except (NotFound, Forbidden) as exc:
            started.append({"agency": agency, "error": exc.code, "started": False})
            continue
        _start(item)
        started.append({"agency": agency, "draw_id": draw_id, "started": True})
    return started


# ------------------------------------------------------------------ documents in S3


def snapshot_of(item: Draw) -> dict[str, Any]:
    if not item.snapshot_key:
        raise NotFound("snapshot_not_ready", "the population of this draw is not frozen yet")
    document: dict[str, Any] = documents.get(item.snapshot_key)
    return document


def published_of(item: Draw) -> dict[str, Any]:
    if not rules.drawn(item.status) or not item.result_key:
        raise NotFound("result_not_ready", "this draw has not been drawn yet")
    document: dict[str, Any] = documents.get(item.result_key)
    return document


def snapshot_link(item: Draw) -> str | None:
    if not item.snapshot_key:
        return None
    return uploads.link(item.snapshot_key, LINK_TTL_SECONDS)


# ------------------------------------------------------------------ assignments


def assignments(draw_id: str) -> list[Assignment]:
    return sorted(Assignment.query(draw_id, consistent_read=True), key=lambda a: int(a.order))


def assignment_view(item: Assignment) -> dict[str, Any]:
    """An assignment as its agency sees it (`public.assignment_public_view` is the public one)."""
    return {
        "target_id": item.target_id,
        "level": item.level,
        "ticket": item.ticket,
        "order": int(item.order),
        "status": item.status,
        "team": list(item.team),
        "result": item.result,
        "photo_keys": list(item.photo_keys or []),
        "photos": evidence.views(item.photos, links=False),
        "redraws": item.redraws or [],
        "inspected_at": item.inspected_at,
    }
