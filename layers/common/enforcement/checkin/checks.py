"""Checks: a self check-in, an officer's on-site check, and an application for appointment or
discharge each start a check and hand out its photo upload; the photo's decision
(`enforcement.checkin.decisions`) verifies or fails it and, when verified, applies its effects
here (`apply_effects`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, jurisdictions, uploads
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.batch_reads import ItemKey, Reads, batch_get
from enforcement.checkin import rules
from enforcement.checkin.loading import (
    appointed_at,
    find_post,
    jurisdiction_hint,
    load_check,
    load_crew,
    load_vessel,
    no_crew,
    no_vessel,
    postings_at,
    postings_of_crew,
    remember_jurisdiction,
)
from enforcement.checkin.models import Check, CrewMember, GpsAttribute, Posting, RemoteTask, Vessel
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.models import Account

if TYPE_CHECKING:  # the request models: the face function's decisions import this module too
    from enforcement.checkin.schemas import ApplicationIn, OnsiteCheckIn, SelfCheckIn

#: How a check's purpose is named to the crew member in notifications.
TITLES = {
    "duty": "Check-in",
    "link": "Account link",
    "appointment": "Appointment",
    "discharge": "Discharge",
}


def check_view(check: Check, grant: uploads.UploadGrant | None = None) -> dict[str, Any]:
    return {
        "check_id": check.check_id,
        "purpose": check.purpose,
        "mode": check.mode,
        "status": check.status,
        "vessel_id": check.vessel_id,
        "post": check.post,
        "crew_id": check.crew_id,
        "task_id": check.task_id,
        "created_at": check.created_at,
        "decided_at": check.decided_at,
        "results": check.results,
        "reasons": list(check.reasons or []),
        "review_id": check.review_id,
        "upload": grant.as_dict() if grant else None,
    }


def new_check(
    principal: Principal,
    *,
    purpose: str,
    crew_id: str,
    mode: str | None = None,
    vessel: Vessel | None = None,
    post: str | None = None,
    gps: Any = None,
    task_id: str | None = None,
    jurisdiction: str | None = None,
    check_id: str | None = None,
) -> tuple[Check, Any, uploads.UploadGrant]:
    """A new check and its photo upload; it belongs to the vessel's jurisdiction (a link check,
    which names no vessel, to `jurisdiction`: the crew record's)."""
    check_id = check_id or new_check_id()
    check = Check(
        check_id,
        purpose=purpose,
        mode=mode,
        vessel_id=vessel.vessel_id if vessel else None,
        jurisdiction=vessel.jurisdiction if vessel else jurisdiction,
        post=post,
        crew_id=crew_id,
        account_id=principal.account_id,
        officer_id=principal.account_id if principal.role is not Role.CREW else None,
        task_id=task_id,
        gps=GpsAttribute(lat=gps.lat, lon=gps.lon, accuracy_m=gps.accuracy_m) if gps else None,
        status="awaiting_photo",
        reasons=[],
        created_at=clock.iso(),
    )
    ticket, grant = uploads.prepare("check", principal.actor, check_id)
    check.photo_key = ticket.object_key
    return check, ticket, grant


def new_check_id() -> str:
    return f"chk-{secrets.token_hex(8)}"


def audit_chain(check_id: str, purpose: str, jurisdiction: str | None) -> str:
    """The audit chain a new check's entry goes to: the check-in partition of the agency owning
    `jurisdiction`, the shard of the check (as `commit_check` files it)."""
    event = audit.AuditEvent("", f"check.start.{purpose}", f"check:{check_id}", {})
    return audit.chain_of(event, None, jurisdictions.owner(jurisdiction))


def commit_check(
    principal: Principal,
    check: Check,
    ticket: Any,
    details: dict[str, Any],
    *,
    known_head: audit.AuditEntry | audit._Unread | None = audit.UNREAD,
) -> None:
    """Store a new check, its upload ticket and its audit entry (in the partition of the agency
    owning the check's jurisdiction); `known_head`: that chain's head as the caller read it
    (`audit.commit`)."""

    def writes(tx: TransactWrite) -> None:
        tx.save(check, condition=Check.check_id.does_not_exist())
        tx.save(ticket, condition=type(ticket).object_key.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor, f"check.start.{check.purpose}", f"check:{check.check_id}", details
        ),
        writes,
        agency=jurisdictions.owner(check.jurisdiction),
        known_head=known_head,
    )


def holder_posting(crew_id: str, vessel_id: str, post: str) -> Posting | None:
    try:
        return Posting.get(vessel_id, f"{post}#{crew_id}", consistent_read=True)
    except Posting.DoesNotExist:
        return None


def admitted(
    crew_id: str,
    post: rules.Post,
    posting: Posting | None,
    appointed: Callable[[], list[Posting]],
) -> Posting:
    """A crew member checks in at a post they hold (`posting`, read consistently); once
    appointed crew fill it (`appointed()`: who is appointed there), only them."""
    if posting is None or posting.status not in access.SERVING:  # a pending binding is not yet
        raise Conflict("not_posted", f"crew {crew_id} is not at post {post.code} of this vessel")
    if posting.status != "appointed" and len(appointed()) >= post.count:
        raise Conflict("post_filled", f"post {post.code} is filled by appointed crew")
    return posting


def task_open(task: RemoteTask, vessel_id: str) -> RemoteTask:
    if task.vessel_id != vessel_id:
        raise Unprocessable("task_other_vessel", "that task is for another vessel")
    if task.status != "running" or clock.parse(task.deadline) <= clock.now():
        raise Conflict("task_closed", "that task's window has closed")
    return task


def _known_head(
    reads: Reads, hinted: str | None, chain: str
) -> audit.AuditEntry | audit._Unread | None:
    """The head of `chain` from a batch that read `hinted`'s, or UNREAD when it read another."""
    if hinted != chain:
        return audit.UNREAD
    return reads.item(audit.AuditEntry, chain, audit.HEAD_SEQ)


def start_self_check(principal: Principal, body: SelfCheckIn) -> dict[str, Any]:
    """The crew member's posting from their postings (one Query of the crew index), then in one
    BatchGetItem the vessel, the audit chain's head and the remote task if named (and the
    posting again, strongly consistent, when it is an appointment); a binding's post and who
    else holds it in one consistent Query of that post. No item is read twice."""
    crew_id = access.crew_of(principal)
    mine = postings_of_crew(crew_id)
    if body.vessel_id or body.post:
        mine = [
            p
            for p in mine
            if (not body.vessel_id or p.vessel_id == body.vessel_id)
            and (not body.post or p.post == body.post)
        ]
    if not mine:
        raise Conflict("not_posted", "bind the vessel you serve on and your post first")
    if len(mine) > 1:
        raise Unprocessable("post_ambiguous", "you hold several posts; name vessel_id and post")
    chosen = mine[0]
    vessel_id = chosen.vessel_id
    appointment = chosen.status == "appointed"
    check_id = new_check_id()
    hint = jurisdiction_hint(vessel_id)
    hinted = audit_chain(check_id, "duty", hint) if hint else None
    # the vessel eventually consistent: a copy a second old (its manning table, its agency) is
    # the vessel as it was when the crew member tapped a second earlier; the posting that admits
    # them is read strongly consistent
    keys = [ItemKey(Vessel, vessel_id, consistent=False)]
    if hinted:
        keys.append(audit.head_key(hinted))
    if body.task_id:
        keys.append(ItemKey(RemoteTask, body.task_id))
    if appointment:  # the crew index lags the table: read the posting itself
        keys.append(ItemKey(Posting, vessel_id, chosen.posting_key))
    reads = batch_get(keys)
    vessel = reads.item(Vessel, vessel_id)
    if vessel is None:
        raise no_vessel(vessel_id)
    remember_jurisdiction(vessel)
    post = find_post(vessel, chosen.post)
    if appointment:
        posting = reads.item(Posting, vessel_id, chosen.posting_key)
        admitted(crew_id, post, posting, lambda: appointed_at(vessel_id, post.code))
    else:
        at_post = postings_at(vessel_id, post.code)
        posting = next((p for p in at_post if p.crew_id == crew_id), None)
        admitted(crew_id, post, posting, lambda: [p for p in at_post if p.status == "appointed"])
    task = None
    if body.task_id:
        found = reads.item(RemoteTask, body.task_id)
        if found is None:
            raise NotFound("task_not_found", f"no task {body.task_id}")
        task = task_open(found, vessel_id)
    check, ticket, grant = new_check(
        principal,
        purpose="duty",
        mode="remote" if task else "self",
        crew_id=crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
        task_id=task.task_id if task else None,
        check_id=check_id,
    )
    chain = audit_chain(check_id, "duty", vessel.jurisdiction)
    commit_check(
        principal,
        check,
        ticket,
        {"vessel_id": vessel_id, "post": post.code},
        known_head=_known_head(reads, hinted, chain),
    )
    return check_view(check, grant)


def start_onsite_check(principal: Principal, vessel_id: str, body: OnsiteCheckIn) -> dict[str, Any]:
    """An officer's check of a crew member at their post: the vessel, the crew record, their
    posting there and the audit chain's head in one BatchGetItem; judged in this order: the
    vessel (404, then the officer's jurisdiction), the crew record, the post, the posting."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    check_id = new_check_id()
    hint = jurisdiction_hint(vessel_id) or principal.jurisdiction
    hinted = audit_chain(check_id, "duty", hint) if hint else None
    posting_key = f"{body.post}#{body.crew_id}"
    keys = [ItemKey(Vessel, vessel_id), ItemKey(Posting, vessel_id, posting_key)]
    if not body.crew_id.startswith("idn#"):  # ID-number claims share the table (`load_crew`)
        keys.append(ItemKey(CrewMember, body.crew_id))
    if hinted:
        keys.append(audit.head_key(hinted))
    reads = batch_get(keys)
    vessel = reads.item(Vessel, vessel_id)
    if vessel is None:
        raise no_vessel(vessel_id)
    remember_jurisdiction(vessel)
    access.in_jurisdiction(principal, vessel.jurisdiction, Action.ACT, hidden=no_vessel(vessel_id))
    if reads.item(CrewMember, body.crew_id) is None:
        raise no_crew(body.crew_id)
    post = find_post(vessel, body.post)
    posting = reads.item(Posting, vessel_id, posting_key)
    admitted(body.crew_id, post, posting, lambda: appointed_at(vessel_id, post.code))
    check, ticket, grant = new_check(
        principal,
        purpose="duty",
        mode="onsite",
        crew_id=body.crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
        check_id=check_id,
    )
    chain = audit_chain(check_id, "duty", vessel.jurisdiction)
    commit_check(
        principal,
        check,
        ticket,
        {"vessel_id": vessel_id, "post": post.code, "crew_id": body.crew_id},
        known_head=_known_head(reads, hinted, chain),
    )
    return check_view(check, grant)


def start_application(principal: Principal, body: ApplicationIn) -> dict[str, Any]:
    """Apply to take up (appointment) or leave (discharge) a post; decided by the checks."""
    crew_id = access.crew_of(principal)
    vessel = load_vessel(body.vessel_id)
    post = find_post(vessel, body.post)
    posting = holder_posting(crew_id, vessel.vessel_id, post.code)
    if body.kind == "appointment":
        if posting is not None and posting.status == "appointed":
            raise Conflict("already_appointed", "you are already appointed to this post")
        if len(appointed_at(vessel.vessel_id, post.code)) >= post.count:
            raise Conflict("post_filled", f"post {post.code} is filled")
        others = [p for p in postings_of_crew(crew_id) if p.status == "appointed"]
        if others:
            raise Conflict(
                "appointed_elsewhere", "apply for discharge from your current post first"
            )
    elif posting is None or posting.status != "appointed":
        raise Conflict("not_appointed", "you are not appointed to this post")
    check, ticket, grant = new_check(
        principal,
        purpose=body.kind,
        crew_id=crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
    )
    commit_check(principal, check, ticket, {"vessel_id": vessel.vessel_id, "post": post.code})
    return check_view(check, grant)


def polled_check(check_id: str) -> Check:
    """A check as its polling client reads it: eventually consistent (half the units), since a
    copy a second old only shows the answer one poll later; a check not found that way is read
    again strongly consistent (one just made may not have reached every copy yet)."""
    try:
        return Check.get(check_id, consistent_read=False)
    except Check.DoesNotExist:
        return load_check(check_id)


def get_check(principal: Principal, check_id: str, purposes: tuple[str, ...]) -> dict[str, Any]:
    check = polled_check(check_id)
    if check.purpose not in purposes:
        raise NotFound("check_not_found", f"no such record {check_id}")
    if principal.role is Role.CREW:
        access.own_check(principal, check.account_id)
        return check_view(check)
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    # a check of a vessel belongs to its jurisdiction; a link check to the crew member's
    jurisdiction = check.jurisdiction or load_crew(check.crew_id).jurisdiction
    hidden = NotFound("check_not_found", f"no such record {check_id}")
    access.in_jurisdiction(principal, jurisdiction, Action.READ, hidden=hidden)
    return check_view(check)


def apply_effects(tx: TransactWrite, check: Check) -> None:
    """What an approved check changes: a linked account, an appointment, a discharge."""
    if check.purpose == "link":
        tx.update(
            Account(check.account_id),
            actions=[Account.crew_id.set(check.crew_id)],
            condition=Account.crew_id.does_not_exist(),
        )
        tx.update(
            CrewMember(check.crew_id),
            actions=[CrewMember.account_id.set(check.account_id)],
            condition=CrewMember.account_id.does_not_exist(),
        )
    elif check.purpose == "appointment":
        vessel_id, post = check.vessel_id or "", check.post or ""
        since = clock.iso()
        for old in postings_of_crew(check.crew_id, pending=True):
            if (old.vessel_id, old.post) == (vessel_id, post):
                if old.status == "bound":
                    since = old.since  # the same posting goes on, now appointed
            elif old.status != "appointed":
                tx.delete(old, condition=Posting.status == old.status)
        tx.save(
            Posting(
                vessel_id,
                f"{post}#{check.crew_id}",
                crew_id=check.crew_id,
                post=post,
                status="appointed",
                since=since,
            )
        )
    elif check.purpose == "discharge":
        tx.delete(
            Posting(check.vessel_id or "", f"{check.post}#{check.crew_id}"),
            condition=Posting.status == "appointed",
        )
