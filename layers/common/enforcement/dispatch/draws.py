"""Random-dispatch operations: risk models, targets, inspectors, draws, results, public views.

Every function takes the verified `Principal` first (public views take none). Admins of an
agency maintain its models, targets, inspectors and plans and start draws; officers of the agency
(inspectors) declare conflicts, set their duty and record results. Writes go through
`audit.commit`, so a change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, documents, evidence, uploads, workflows
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.db import get_or_404
from enforcement.dispatch import draw, inspectors, risk
from enforcement.dispatch.models import (
    HEAD_VERSION,
    Assignment,
    DispatchTarget,
    Draw,
    RiskModelVersion,
)
from enforcement.dispatch.schemas import (
    ConflictIn,
    DrawIn,
    InspectorIn,
    PlanIn,
    RedrawIn,
    ResultIn,
    RiskModelIn,
    TargetIn,
)
from enforcement.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unprocessable,
    UpstreamError,
)
from enforcement.models import Account, Upload
from enforcement.officers import InspectorProfile

SNAPSHOT_PREFIX = "dispatch/snapshots/"
RESULT_PREFIX = "dispatch/results/"
PLAN_PREFIX = "plan#"
HISTORY_KEPT = 20
#: How long published snapshot links stay valid.
LINK_TTL_SECONDS = 3600


def reveal_wait_default() -> int:
    return int(os.environ.get("DRAW_REVEAL_WAIT_SECONDS", "600"))


def public_mask() -> str:
    """How names appear in public views: `masked` (first character, default), `full`, `none`."""
    return os.environ.get("DISPATCH_PUBLIC_NAMES", "masked")


def state_machine_arn() -> str:
    return os.environ.get("DRAW_STATE_MACHINE_ARN", "")


@lru_cache(maxsize=1)
def other_agency(what: str) -> Forbidden:
    """A write to an id another agency already uses (ids are one namespace for all agencies)."""
    return Forbidden("other_agency", f"this {what} id belongs to another agency; choose another")


def mask(name: str | None) -> str | None:
    if not name:
        return None
    mode = public_mask()
    if mode == "full":
        return name
    if mode == "none":
        return None
    return name[0] + "*" * max(1, len(name) - 1)


# ------------------------------------------------------------------ risk models


def _model_head(model_id: str) -> RiskModelVersion | None:
    try:
        return RiskModelVersion.get(model_id, HEAD_VERSION, consistent_read=True)
    except RiskModelVersion.DoesNotExist:
        return None


def load_model(model_id: str, version: int | None = None) -> RiskModelVersion:
    if version is None:
        head = _model_head(model_id)
        if head is None:
            raise NotFound("model_not_found", f"no risk model {model_id}")
        version = int(head.latest or 0)
    try:
        return RiskModelVersion.get(model_id, version, consistent_read=True)
    except RiskModelVersion.DoesNotExist as exc:
        raise NotFound("model_not_found", f"no version {version} of risk model {model_id}") from exc


def parsed(item: RiskModelVersion) -> risk.RiskModel:
    return risk.parse_model(dict(item.document or {}))


def model_view(item: RiskModelVersion) -> dict[str, Any]:
    model = parsed(item)
    return {
        "model_id": item.model_id,
        "version": int(item.version),
        "agency": item.agency,
        "hash": item.hash,
        "name": model.name,
        "target_kind": model.target_kind,
        "categories": len(model.categories),
        "indicators": model.indicator_count,
        "levels": [
            {
                "level": lv.level,
                "min_score": risk.decimal_text(lv.min_score, 12),
                "rate": risk.rate_text(lv.rate),
            }
            for lv in model.levels
        ],
        "document": item.document,
        "note": item.note,
        "created_at": item.created_at,
        "created_by": item.created_by,
    }


def put_model(principal: Principal, model_id: str, body: RiskModelIn) -> dict[str, Any]:
    """A new version of the model (version 1 when new). Old draws keep the version they used."""
    agency = access.agency_admin(principal)
    document = {"model_id": model_id, **body.model_dump(mode="json", exclude={"note"})}
    try:
        model = risk.parse_model(document)
    except risk.ModelError as exc:
        raise Unprocessable("invalid_model", str(exc)) from exc
    head = _model_head(model_id)
    if head is not None:
        access.in_agency(principal, head.agency, Action.ADMINISTER, hidden=other_agency("model"))
    version = int(head.latest or 0) + 1 if head else 1
    item = RiskModelVersion(
        model_id,
        version,
        agency=agency,
        document=document,
        hash=model.hash,
        note=body.note or None,
        created_at=clock.iso(),
        created_by=principal.account_id,
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(item, condition=RiskModelVersion.version.does_not_exist())
        if head is None:
            tx.save(
                RiskModelVersion(model_id, HEAD_VERSION, agency=agency, latest=version),
                condition=RiskModelVersion.model_id.does_not_exist(),
            )
        else:
            tx.update(
                head,
                actions=[RiskModelVersion.latest.set(version)],
                condition=RiskModelVersion.latest == head.latest,
            )

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "risk_model.version",
            f"risk_model:{model_id}/{version}",
            {"hash": model.hash, "indicators": model.indicator_count, "note": body.note},
        ),
        writes,
        on_conflict=Conflict("model_changed", "another version was saved meanwhile; try again"),
        agency=agency,
    )
    return model_view(item)


def get_model(principal: Principal, model_id: str, version: int | None = None) -> dict[str, Any]:
    access.member_agency(principal)
    item = model_of(principal, model_id, Action.READ, version)
    return model_view(item)


def model_of(
    principal: Principal, model_id: str, action: Action, version: int | None = None
) -> RiskModelVersion:
    """A risk model of the caller's own agency; another agency's is not found, like a model
    that does not exist."""
    item = load_model(model_id, version)
    hidden = NotFound("model_not_found", f"no risk model {model_id}")
    access.in_agency(principal, item.agency, action, hidden=hidden)
    return item


# ------------------------------------------------------------------ targets


def load_target(target_id: str) -> DispatchTarget:
    return get_or_404(
        DispatchTarget, target_id, code="target_not_found", message=f"no target {target_id}"
    )


def target_view(target: DispatchTarget) -> dict[str, Any]:
    return {
        "target_id": target.target_id,
        "agency": target.agency,
        "jurisdiction": target.jurisdiction,
        "kind": target.kind,
        "name": target.name,
        "company_id": target.company_id,
        "company_name": target.company_name,
        "model_id": target.model_id,
        "model_version": int(target.model_version),
        "indicators": target.indicators,
        "score": target.score,
        "level": target.level,
        "last_team": list(target.last_team or []),
        "history": target.history or [],
        "updated_at": target.updated_at,
    }


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


def put_target(principal: Principal, target_id: str, body: TargetIn) -> dict[str, Any]:
    """Create or update a target's record and indicator values; score and level follow."""
    agency = access.agency_admin(principal)
    item = model_of(principal, body.model_id, Action.ADMINISTER)
    jurisdiction = access.jurisdiction_for(principal, body.jurisdiction)
    model = parsed(item)
    if model.target_kind != body.kind:
        raise Unprocessable(
            "wrong_model_kind", f"model {model.model_id} scores {model.target_kind} targets"
        )
    values = {code: _decimal_text(value) for code, value in sorted(body.indicators.items())}
    try:
        score = model.score(values)
    except risk.ModelError as exc:
        raise Unprocessable("invalid_indicators", str(exc)) from exc
    try:
        existing: DispatchTarget | None = load_target(target_id)
    except NotFound:
        existing = None
    if existing is not None:
        access.in_agency(
            principal, existing.agency, Action.ADMINISTER, hidden=other_agency("target")
        )
    target = DispatchTarget(
        target_id,
        agency=agency,
        jurisdiction=jurisdiction,
        kind=body.kind,
        name=body.name,
        company_id=body.company_id,
        company_name=body.company_name,
        model_id=model.model_id,
        model_version=int(item.version),
        indicators=values,
        score=risk.decimal_text(score.score),
        level=score.level,
        last_team=list(existing.last_team or []) if existing else [],
        last_draw_id=existing.last_draw_id if existing else None,
        history=existing.history if existing else [],
        updated_at=clock.iso(),
        updated_by=principal.account_id,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "target.put",
            f"target:{target_id}",
            {
                "model": f"{model.model_id}/{int(item.version)}",
                "score": target.score,
                "level": score.level,
                "previous_level": existing.level if existing else None,
            },
        ),
        lambda tx: tx.save(target),
        agency=agency,
    )
    return target_view(target)


def get_target(principal: Principal, target_id: str) -> dict[str, Any]:
    access.member_agency(principal)
    target = load_target(target_id)
    hidden = NotFound("target_not_found", f"no target {target_id}")
    access.in_agency(principal, target.agency, Action.READ, hidden=hidden)
    return target_view(target)


# ------------------------------------------------------------------ inspectors


def load_profile(account_id: str) -> InspectorProfile:
    return get_or_404(
        InspectorProfile,
        account_id,
        code="inspector_not_found",
        message=f"{account_id} has no dispatch profile",
    )


def profile_view(profile: InspectorProfile) -> dict[str, Any]:
    return {
        "account_id": profile.account_id,
        "agency": profile.agency,
        "jurisdiction": profile.jurisdiction,
        "qualifications": list(profile.qualifications),
        "on_duty": bool(profile.on_duty),
        "open_assignments": int(profile.open_assignments or 0),
        "conflicts": list(profile.conflicts or []),
        "public_id": profile.public_id,
        "updated_at": profile.updated_at,
    }


def put_inspector(principal: Principal, account_id: str, body: InspectorIn) -> dict[str, Any]:
    agency = access.agency_admin(principal)
    hidden = NotFound("account_not_found", f"no account {account_id}")
    try:
        account = Account.get(account_id, consistent_read=True)
    except Account.DoesNotExist as exc:
        raise hidden from exc
    access.in_agency(principal, account.agency, Action.ADMINISTER, hidden=hidden)
    if account.role != Role.OFFICER.value or account.disabled:
        raise Unprocessable("not_an_officer", "inspectors are active officers of your agency")
    try:
        existing: InspectorProfile | None = load_profile(account_id)
    except NotFound:
        existing = None
    profile = InspectorProfile(
        account_id,
        agency=agency,
        jurisdiction=account.jurisdiction or "",
        qualifications=sorted(set(body.qualifications)),
        on_duty=body.on_duty,
        open_assignments=int(existing.open_assignments or 0) if existing else 0,
        conflicts=sorted(set(body.conflicts) | set(existing.conflicts or [] if existing else [])),
        last_draw_id=existing.last_draw_id if existing else None,
        updated_at=clock.iso(),
        public_id=(existing.public_id if existing else None) or inspectors.new_public_id(),
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.put",
            f"inspector:{account_id}",
            {"qualifications": profile.qualifications, "on_duty": body.on_duty},
        ),
        lambda tx: tx.save(profile),
        agency=agency,
    )
    return profile_view(profile)


def _own_profile(principal: Principal) -> InspectorProfile:
    access.require_role(principal, Role.OFFICER)
    profile = load_profile(principal.account_id)
    access.own_profile(principal, profile.account_id, profile.agency)
    return profile


def set_duty(principal: Principal, on_duty: bool) -> dict[str, Any]:
    """The roster: an officer goes on or off duty (a draw freezes whoever is on duty then)."""
    profile = _own_profile(principal)
    at = clock.iso()
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.duty",
            f"inspector:{profile.account_id}",
            {"on_duty": on_duty},
        ),
        lambda tx: tx.update(
            profile,
            actions=[InspectorProfile.on_duty.set(on_duty), InspectorProfile.updated_at.set(at)],
            condition=InspectorProfile.account_id.exists(),
        ),
        agency=profile.agency,
    )
    return profile_view(load_profile(profile.account_id))


def declare_conflict(principal: Principal, body: ConflictIn) -> dict[str, Any]:
    """An inspector declares a conflict of interest with a company: never drawn for it again."""
    profile = _own_profile(principal)
    conflicts = sorted(set(profile.conflicts or []) | {body.company_id})
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.conflict",
            f"inspector:{profile.account_id}",
            {"company_id": body.company_id, "reason": body.reason},
        ),
        lambda tx: tx.update(
            profile,
            actions=[
                InspectorProfile.conflicts.set(conflicts),
                InspectorProfile.updated_at.set(clock.iso()),
            ],
            condition=InspectorProfile.account_id.exists(),
        ),
        agency=profile.agency,
    )
    return profile_view(load_profile(profile.account_id))


def get_inspector(principal: Principal, account_id: str) -> dict[str, Any]:
    access.member_agency(principal)
    profile = load_profile(account_id)
    access.profile_visible(principal, account_id, profile.agency)
    return profile_view(profile)


# ------------------------------------------------------------------ draws and plans


def load_draw(draw_id: str) -> Draw:
    if draw_id.startswith(PLAN_PREFIX):
        raise NotFound("draw_not_found", "no such draw")
    try:
        return Draw.get(draw_id, consistent_read=True)
    except Draw.DoesNotExist as exc:
        raise NotFound("draw_not_found", f"no draw {draw_id}") from exc


def draw_view(item: Draw, *, public: bool = False) -> dict[str, Any]:
    revealed = item.status in ("revealed", "drawn", "published")
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
    item = load_model(body.model_id)
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
        reveal_wait_seconds=reveal_wait_default() if wait is None else wait,
        status="requested",
    )


def _start(item: Draw) -> Draw:
    """Start the draw's state machine; the execution is named after the draw, so a draw can
    never run twice."""
    arn = state_machine_arn()
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
        digest = hashlib.sha256(f"{agency}\x1f{fired_at}".encode()).hexdigest()[:16]
        draw_id = f"draw-{digest}"
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
    if item.status not in ("drawn", "published") or not item.result_key:
        raise NotFound("result_not_ready", "this draw has not been drawn yet")
    document: dict[str, Any] = documents.get(item.result_key)
    return document


def snapshot_link(item: Draw) -> str | None:
    if not item.snapshot_key:
        return None
    return uploads.link(item.snapshot_key, LINK_TTL_SECONDS)


# ------------------------------------------------------------------ assignments and results


def assignments(draw_id: str) -> list[Assignment]:
    return sorted(Assignment.query(draw_id, consistent_read=True), key=lambda a: int(a.order))


def load_assignment(draw_id: str, target_id: str) -> Assignment:
    return get_or_404(
        Assignment,
        draw_id,
        target_id,
        code="assignment_not_found",
        message=f"{target_id} was not drawn in {draw_id}",
    )


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


def record_result(
    principal: Principal, draw_id: str, target_id: str, body: ResultIn
) -> dict[str, Any]:
    """A team member records the inspection on the spot; photos go by presigned upload."""
    access.require_role(principal, Role.OFFICER)
    item = load_draw(draw_id)
    hidden = NotFound("draw_not_found", f"no draw {draw_id}")
    access.in_agency(principal, item.agency, Action.ACT, hidden=hidden)
    assignment = load_assignment(draw_id, target_id)
    access.on_team(principal, assignment.team)
    if assignment.status != "assigned":
        raise Conflict("already_recorded", "this inspection is already recorded")
    target = load_target(target_id)
    at = clock.iso()
    tickets, grants = evidence.prepare(
        "inspection", principal.actor, f"{draw_id}/{target_id}", body.photos
    )
    result = {
        "passed": body.passed,
        "findings": body.findings,
        "recorded_by": principal.account_id,
        "recorded_at": at,
    }
    entry = {
        "draw_id": draw_id,
        "at": at,
        "passed": body.passed,
        "findings": len(body.findings),
        "team": list(assignment.team),
    }
    history = [entry, *(target.history or [])][:HISTORY_KEPT]

    def writes(tx: TransactWrite) -> None:
        tx.update(
            assignment,
            actions=[
                Assignment.status.set("inspected"),
                Assignment.result.set(result),
                Assignment.photo_keys.set([t.object_key for t in tickets]),
                Assignment.inspected_at.set(at),
            ],
            condition=Assignment.status == "assigned",
        )
        tx.update(
            target,
            actions=[DispatchTarget.history.set(history)],
            condition=DispatchTarget.target_id.exists(),
        )
        for member in assignment.team:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(-1)],
                condition=InspectorProfile.account_id.exists(),
            )
        for ticket in tickets:
            tx.save(ticket, condition=Upload.object_key.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspection.result",
            f"draw:{draw_id}/target:{target_id}",
            {"passed": body.passed, "findings": body.findings, "photos": body.photos},
        ),
        writes,
        on_conflict=Conflict("already_recorded", "this inspection is already recorded"),
        agency=item.agency,
    )
    view = assignment_view(load_assignment(draw_id, target_id))
    view["uploads"] = grants
    return view


def redraw(principal: Principal, draw_id: str, target_id: str, body: RedrawIn) -> dict[str, Any]:
    """A new team for a drawn target, only with a reason; public like the draw.

    The new team is drawn like the first (least load, ties by hash order) from the frozen
    snapshot, without the previous team(s), with `SHA-256(seed ‖ "redraw" ‖ target ‖ n)` as the
    seed, so anyone can re-run it too.
    """
    agency = access.agency_admin(principal)
    item = load_draw(draw_id)
    hidden = NotFound("draw_not_found", f"no draw {draw_id}")
    access.in_agency(principal, item.agency, Action.ADMINISTER, hidden=hidden)
    if item.status != "published":
        raise Conflict("draw_not_published", "only a published draw's teams can be redrawn")
    assignment = load_assignment(draw_id, target_id)
    if assignment.status == "inspected":
        raise Conflict("already_recorded", "this inspection is already recorded")
    previous = list(assignment.team)
    history = list(assignment.redraws or [])
    excluded = set(previous) | {m for r in history for m in r.get("previous_team", [])}
    snapshot = snapshot_of(item)
    # the snapshot names inspectors by public id; assignments keep account ids
    named = inspectors.to_snapshot_ids(snapshot, excluded)
    drawn = draw.redraw_team(
        snapshot, item.seed or "", target_id, len(history) + 1, set(named.values())
    )
    if not drawn:
        raise Conflict("no_eligible_team", "not enough other eligible inspectors for this target")
    team = inspectors.to_accounts(snapshot, agency, drawn)
    entry = {
        "n": len(history) + 1,
        "at": clock.iso(),
        "by": principal.account_id,
        "reason": body.reason,
        "previous_team": previous,
        "team": team,
    }

    def writes(tx: TransactWrite) -> None:
        tx.update(
            assignment,
            actions=[Assignment.team.set(team), Assignment.redraws.set([*history, entry])],
            condition=(Assignment.status == "assigned") & (Assignment.team == previous),
        )
        for member in previous:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(-1)],
                condition=InspectorProfile.account_id.exists(),
            )
        for member in team:
            tx.update(
                InspectorProfile(member),
                actions=[InspectorProfile.open_assignments.add(1)],
                condition=InspectorProfile.account_id.exists(),
            )

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "draw.redraw",
            f"draw:{draw_id}/target:{target_id}",
            {"reason": body.reason, "previous_team": previous, "team": team},
        ),
        writes,
        on_conflict=Conflict("assignment_changed", "the assignment changed meanwhile"),
        agency=agency,
    )
    return assignment_view(load_assignment(draw_id, target_id))
