"""The catalogue of an agency: its risk models (versioned documents) and its inspection targets
(indicator values, with the score and level that follow under a model version).

Admins of the agency write them and its members read them; another agency's model or target is
not found, like one that does not exist. Writes go through `audit.commit`, so a change and its
audit entry are stored together or not at all.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock
from enforcement.access import Action
from enforcement.auth import Principal
from enforcement.db import get_or_404
from enforcement.dispatch import risk
from enforcement.dispatch.models import HEAD_VERSION, DispatchTarget, RiskModelVersion
from enforcement.dispatch.schemas import RiskModelIn, TargetIn
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable


@lru_cache(maxsize=1)
def other_agency(what: str) -> Forbidden:
    """A write to an id another agency already uses (ids are one namespace for all agencies)."""
    return Forbidden("other_agency", f"this {what} id belongs to another agency; choose another")


# ------------------------------------------------------------------ risk models


def _model_head(model_id: str) -> RiskModelVersion | None:
    try:
        return RiskModelVersion.get(model_id, HEAD_VERSION, consistent_read=True)
    except RiskModelVersion.DoesNotExist:
        return None


def load_head(model_id: str) -> RiskModelVersion:
    """A model's head item (its agency and latest version, no document): 404 if none."""
    head = _model_head(model_id)
    if head is None:
        raise NotFound("model_not_found", f"no risk model {model_id}")
    return head


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
