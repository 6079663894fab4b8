"""Binding: a crew member declares the vessel they serve on and their post, and an officer of
the vessel's jurisdiction approves it before it gives any access.

- Within an appointment (the crew member is appointed on that vessel), a binding is effective at
  once, as it always was.
- Outside their appointments it is `pending`: it shows in the crew member's postings, and in the
  list of the vessel's jurisdiction (`GET /checkin/bindings`), and gives nothing else — not the
  vessel, its manning, its health reports nor a self check-in. An officer of the jurisdiction
  (and of the agency that owns it) approves it, or refuses it with a reason; either is audited
  and the crew member is told. An approved binding replaces the crew member's earlier one.

A crew member finds the vessel by its Chinese name (`find_vessels`): the answer carries only what
binding needs (id, name, home port, the posts' codes and titles).
"""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, jurisdictions, notify
from enforcement.access import Action
from enforcement.auth import Principal
from enforcement.checkin import loading
from enforcement.checkin.models import CrewMember, Posting, Vessel
from enforcement.checkin.schemas import ApproveBindingIn, BindingIn, RefuseBindingIn
from enforcement.errors import BadRequest, Conflict, NotFound, Unprocessable
from enforcement.models import Notification

APPROVED_WITHIN_APPOINTMENT = "appointment"


def resolve_vessel(name: str | None, vessel_id: str | None) -> Vessel:
    if vessel_id:
        vessel = loading.load_vessel(vessel_id)
        if name and vessel.name_zh != name:
            raise Unprocessable("vessel_name_mismatch", "the name does not match that vessel")
        return vessel
    if not name:
        raise BadRequest("vessel_required", "give vessel_name (Chinese name) or vessel_id")
    found = list(Vessel.by_name.query(name))
    if not found:
        raise NotFound("vessel_not_found", f"no vessel named {name}")
    if len(found) > 1:
        raise Conflict(
            "vessel_name_ambiguous",
            f"{len(found)} vessels are named {name}; give vessel_id too",
            details=[{"vessel_id": v.vessel_id, "home_port": v.home_port} for v in found],
        )
    return found[0]


def posting_view(posting: Posting, vessel_name: str) -> dict[str, Any]:
    return {
        "vessel_id": posting.vessel_id,
        "vessel_name": vessel_name,
        "post": posting.post,
        "status": posting.status,
        "since": posting.since,
        "binding_id": posting.binding_id,
    }


def bind(principal: Principal, body: BindingIn) -> dict[str, Any]:
    """The crew member declares the vessel they serve on and their post in its manning table."""
    crew_id = access.crew_of(principal)
    vessel = resolve_vessel(body.vessel_name, body.vessel_id)
    post = loading.find_post(vessel, body.post)
    mine = loading.postings_of_crew(crew_id, pending=True)
    if any(p.status == "appointed" and p.vessel_id != vessel.vessel_id for p in mine):
        raise Conflict("appointed_elsewhere", "apply for discharge from your current post first")
    existing = [p for p in mine if p.vessel_id == vessel.vessel_id and p.post == post.code]
    if existing:
        return posting_view(existing[0], vessel.name_zh)
    now = clock.iso()
    posting = Posting(
        vessel.vessel_id,
        f"{post.code}#{crew_id}",
        crew_id=crew_id,
        post=post.code,
        since=now,
        binding_id=f"bnd-{secrets.token_hex(8)}",
    )
    if len(loading.appointed_at(vessel.vessel_id, post.code)) >= post.count:
        raise Conflict("post_filled", f"post {post.code} is filled by appointed crew")
    notes: list[Notification] = []
    if access.binding_needs_approval(mine, crew_id, vessel.vessel_id):
        posting.status = "pending"
        posting.pending_jurisdiction = vessel.jurisdiction
        stale = [p for p in mine if p.status == "pending"]  # one request at a time
        notes.append(
            notify.notification(
                f"jurisdiction:{vessel.jurisdiction}",
                "binding.requested",
                f"{vessel.name_zh}: a binding waits for approval",
                f"post {post.code}",
                {"vessel_id": vessel.vessel_id, "binding_id": posting.binding_id},
            )
        )
    else:
        posting.status = "bound"
        posting.approved_by = APPROVED_WITHIN_APPOINTMENT
        posting.approved_at = now
        stale = [p for p in mine if p.status in ("bound", "pending")]

    def writes(tx: TransactWrite) -> None:
        for old in stale:
            tx.delete(old, condition=Posting.status == old.status)
        tx.save(posting, condition=Posting.posting_key.does_not_exist())
        for note in notes:
            tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "posting.bind",
            f"vessel:{vessel.vessel_id}/post:{post.code}",
            {
                "crew_id": crew_id,
                "status": posting.status,
                "binding_id": posting.binding_id,
                "replaces": [f"{p.vessel_id}/{p.post}" for p in stale],
            },
        ),
        writes,
        on_conflict=Conflict("binding_changed", "your postings changed meanwhile; retry"),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    notify.publish(notes)
    return posting_view(posting, vessel.name_zh)


# ------------------------------------------------------------------ the officer's side


def binding_view(
    posting: Posting,
    vessel: Vessel,
    crew: CrewMember | None,
    *,
    status: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """What the approving officer needs: who asks for which post, and their certificates."""
    return {
        "binding_id": posting.binding_id or "",
        "vessel_id": posting.vessel_id,
        "vessel_name": vessel.name_zh,
        "post": posting.post,
        "status": status or posting.status,
        "requested_at": posting.since,
        "crew_id": posting.crew_id,
        "crew_name": (crew.name or "") if crew else "",
        "id_number_masked": loading.mask_id_number(crew.id_number or "") if crew else "",
        "certificates": [c.as_dict() for c in (crew.certificates or [])] if crew else [],
        "decided_by": posting.approved_by,
        "decided_at": posting.approved_at,
        "reason": reason,
    }


def _crew(crew_id: str) -> CrewMember | None:
    try:
        return loading.load_crew(crew_id)
    except NotFound:
        return None


def pending(principal: Principal, jurisdiction: str | None) -> list[dict[str, Any]]:
    """Bindings waiting for approval in the officer's jurisdiction (admins: any jurisdiction of
    their agency, their own by default), oldest first."""
    if jurisdiction:
        hidden = NotFound("jurisdiction_not_found", f"no jurisdiction {jurisdiction}")
        access.in_jurisdiction(principal, jurisdiction, Action.READ, hidden=hidden)
    else:
        jurisdiction = access.own_jurisdiction(principal)
    vessels: dict[str, Vessel] = {}
    views = []
    for posting in Posting.by_pending.query(jurisdiction, limit=200):
        if posting.vessel_id not in vessels:
            vessels[posting.vessel_id] = loading.load_vessel(posting.vessel_id)
        views.append(binding_view(posting, vessels[posting.vessel_id], _crew(posting.crew_id)))
    return views


def _load(principal: Principal, vessel_id: str, binding_id: str) -> tuple[Vessel, Posting]:
    vessel = loading.vessel_for_officer(principal, vessel_id, Action.ACT)
    for posting in Posting.query(vessel_id, consistent_read=True):
        if posting.binding_id == binding_id:
            if posting.status != "pending":
                raise Conflict("binding_decided", "this binding is already decided")
            return vessel, posting
    raise NotFound("binding_not_found", f"no binding {binding_id} on vessel {vessel_id}")


def approve(
    principal: Principal, vessel_id: str, binding_id: str, body: ApproveBindingIn
) -> dict[str, Any]:
    """An officer of the vessel's jurisdiction approves a binding: it becomes `bound` and
    replaces the crew member's earlier binding."""
    vessel, posting = _load(principal, vessel_id, binding_id)
    post = loading.find_post(vessel, posting.post)
    others = loading.postings_of_crew(posting.crew_id)
    if any(p.status == "appointed" and p.vessel_id != vessel_id for p in others):
        raise Conflict("appointed_elsewhere", "the crew member is appointed on another vessel")
    if len(loading.appointed_at(vessel_id, post.code)) >= post.count:
        raise Conflict("post_filled", f"post {post.code} is filled by appointed crew")
    stale = [p for p in others if p.status == "bound"]
    at = clock.iso()
    note = notify.notification(
        posting.crew_id,
        "binding.approved",
        f"{vessel.name_zh}: binding approved",
        body.reason or f"you are bound to post {post.code}",
        {"vessel_id": vessel_id, "post": post.code, "binding_id": binding_id},
    )

    def writes(tx: TransactWrite) -> None:
        for old in stale:
            tx.delete(old, condition=Posting.status == "bound")
        tx.update(
            posting,
            actions=[
                Posting.status.set("bound"),
                Posting.pending_jurisdiction.remove(),
                Posting.approved_by.set(principal.account_id),
                Posting.approved_at.set(at),
            ],
            condition=Posting.status == "pending",
        )
        tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "posting.bind_approved",
            f"vessel:{vessel_id}/post:{post.code}",
            {
                "binding_id": binding_id,
                "crew_id": posting.crew_id,
                "reason": body.reason,
                "replaces": [f"{p.vessel_id}/{p.post}" for p in stale],
            },
        ),
        writes,
        on_conflict=Conflict("binding_changed", "the binding changed meanwhile"),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    notify.publish([note])
    posting.status, posting.approved_by, posting.approved_at = "bound", principal.account_id, at
    return binding_view(posting, vessel, _crew(posting.crew_id), reason=body.reason)


def refuse(
    principal: Principal, vessel_id: str, binding_id: str, body: RefuseBindingIn
) -> dict[str, Any]:
    """An officer of the vessel's jurisdiction refuses a binding, with a reason the crew member
    reads; the binding is removed (the audit chain keeps it)."""
    vessel, posting = _load(principal, vessel_id, binding_id)
    at = clock.iso()
    note = notify.notification(
        posting.crew_id,
        "binding.refused",
        f"{vessel.name_zh}: binding refused",
        body.reason,
        {"vessel_id": vessel_id, "post": posting.post, "binding_id": binding_id},
    )

    def writes(tx: TransactWrite) -> None:
        tx.delete(posting, condition=Posting.status == "pending")
        tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "posting.bind_refused",
            f"vessel:{vessel_id}/post:{posting.post}",
            {"binding_id": binding_id, "crew_id": posting.crew_id, "reason": body.reason},
        ),
        writes,
        on_conflict=Conflict("binding_changed", "the binding changed meanwhile"),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    notify.publish([note])
    posting.approved_by, posting.approved_at = principal.account_id, at
    return binding_view(
        posting, vessel, _crew(posting.crew_id), status="refused", reason=body.reason
    )
