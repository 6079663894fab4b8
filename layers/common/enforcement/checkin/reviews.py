"""Reviews: what the automatic face measures leave to a person.

A check photo whose match distance or replay likeness falls in a review zone
(`enforcement.face.zones`) is neither verified nor failed: the check becomes `pending_review`
and a `Review` is opened in the decision's own transaction (`open_review`). An enrolment that
may duplicate another crew member is opened the same way (kind "enrolment"). Reviews wait in the
queue of the record's jurisdiction (`queue`: a sparse index, oldest first); an officer of that
jurisdiction (or an admin of its agency) sees both photos through short-lived links (`view`)
and confirms or refuses with a reason (`decide`): conditional on the review still pending,
audited as `review.confirm` / `review.refuse` in the same transaction as its effects.

What a decision does to its subject is an *effect* registered per kind (`register_effect`):
`fn(tx, review, confirmed, principal)` adds its writes to the decision's transaction and
returns the notifications to store and send. Check-in registers "check" here
(`enforcement.checkin.check_reviews`); the enrolment's effect is registered by the module that
opens enrolment reviews.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, jurisdictions, notify, uploads
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin.models import PhotoRefAttribute, Review
from enforcement.config import settings
from enforcement.errors import Conflict, NotFound
from enforcement.models import Notification

#: What a decision does to a review's subject: its writes go into `tx` (the decision's own
#: transaction, with the review's update and the audit entry); the answer is the notifications
#: to store in it and send afterwards. Called again when the audit chain's head moved meanwhile.
Effect = Callable[[TransactWrite, Review, bool, Principal], list[Notification]]
#: What to do once a decision is stored (e.g. a service record, written on its own).
AfterDecision = Callable[[Review, bool], None]

_EFFECTS: dict[str, Effect] = {}
_AFTER: dict[str, AfterDecision] = {}

KINDS = ("check", "enrolment")


def register_effect(kind: str, fn: Effect, after: AfterDecision | None = None) -> None:
    """Make `fn` the effect of deciding reviews of `kind` (and `after` what follows once the
    decision is stored). Registering a kind again replaces its effect."""
    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind!r}")
    _EFFECTS[kind] = fn
    if after is not None:
        _AFTER[kind] = after


@dataclass(frozen=True)
class PhotoRef:
    """A photo a review shows: its role (reference, check, earlier, other), object key and
    version in the upload bucket, and its SHA-256."""

    role: str
    key: str
    version: str | None = None
    sha256: str | None = None

    def attribute(self) -> PhotoRefAttribute:
        return PhotoRefAttribute(
            role=self.role, key=self.key, version=self.version, sha256=self.sha256
        )


def open_review(
    tx: TransactWrite,
    *,
    kind: str,
    subject_id: str,
    crew_id: str,
    jurisdiction: str,
    reason: str,
    message: str,
    figures: dict[str, Any],
    photos: Sequence[PhotoRef],
    actor: str,
) -> Review:
    """A new pending review, saved in `tx` (the transaction of the decision that opens it), with
    a note in the jurisdiction's inbox. The caller writes its own audit entry."""
    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind!r}")
    at = clock.iso()
    review = Review(
        f"rev-{secrets.token_hex(8)}",
        kind=kind,
        subject_id=subject_id,
        crew_id=crew_id,
        jurisdiction=jurisdiction,
        status="pending",
        reason=reason,
        message=message,
        figures=figures,
        photos=[p.attribute() for p in photos],
        created_at=at,
        created_by=actor,
        # a record of no jurisdiction waits in nobody's queue (no officer may decide it)
        pending_jurisdiction=jurisdiction or None,
    )
    tx.save(review, condition=Review.review_id.does_not_exist())
    if jurisdiction:
        tx.save(
            notify.notification(
                f"jurisdiction:{jurisdiction}",
                "review.requested",
                f"A {kind} waits for review",
                message,
                {"review_id": review.review_id, "kind": kind, "subject_id": subject_id},
            )
        )
    return review


# ------------------------------------------------------------------ the officer's side


def _hidden(review_id: str) -> NotFound:
    return NotFound("review_not_found", f"no review {review_id}")


def load_review(principal: Principal, review_id: str, action: Action) -> Review:
    """The review, when `enforcement.access` lets the caller do `action` in its jurisdiction
    (another agency's: 404 like a review that does not exist)."""
    try:
        review = Review.get(review_id, consistent_read=True)
    except Review.DoesNotExist:
        review = None
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    if review is None:
        raise _hidden(review_id)
    access.in_jurisdiction(principal, review.jurisdiction, action, hidden=_hidden(review_id))
    return review


def review_view(review: Review, *, links: bool = False) -> dict[str, Any]:
    """A review as officers see it; with `links`, each photo with a presigned GET valid for
    `Settings.photo_link_ttl_seconds`."""
    ttl = settings().photo_link_ttl_seconds
    photos = []
    for photo in review.photos or []:
        shown: dict[str, Any] = {"role": photo.role, "sha256": photo.sha256}
        if links:
            shown["url"] = uploads.link(photo.key, ttl, photo.version)
            shown["expires_in"] = ttl
        photos.append(shown)
    return {
        "review_id": review.review_id,
        "kind": review.kind,
        "subject_id": review.subject_id,
        "crew_id": review.crew_id,
        "jurisdiction": review.jurisdiction,
        "status": review.status,
        "reason": review.reason,
        "message": review.message,
        "figures": review.figures or {},
        "photos": photos,
        "created_at": review.created_at,
        "decided_by": review.decided_by,
        "decided_at": review.decided_at,
        "decision_reason": review.decision_reason,
    }


def queue(principal: Principal, jurisdiction: str | None, limit: int = 50) -> list[dict[str, Any]]:
    """Reviews waiting in the officer's jurisdiction (admins: any of their agency's, their own
    by default), oldest first."""
    if jurisdiction:
        hidden = NotFound("jurisdiction_not_found", f"no jurisdiction {jurisdiction}")
        access.in_jurisdiction(principal, jurisdiction, Action.READ, hidden=hidden)
    else:
        jurisdiction = access.own_jurisdiction(principal)
    found = Review.by_pending.query(jurisdiction, scan_index_forward=True, limit=limit)
    return [review_view(r) for r in found]


def get(principal: Principal, review_id: str) -> dict[str, Any]:
    return review_view(load_review(principal, review_id, Action.READ), links=True)


def decide(principal: Principal, review_id: str, outcome: str, reason: str) -> dict[str, Any]:
    """Confirm or refuse a pending review, with a reason; its kind's effect is applied in the
    same transaction as the review's update and the audit entry. 409 `review_decided` when it is
    no longer pending."""
    review = load_review(principal, review_id, Action.ACT)
    if review.status != "pending":
        raise Conflict("review_decided", "this review is already decided")
    effect = _EFFECTS.get(review.kind)
    if effect is None:
        raise RuntimeError(f"no effect registered for reviews of kind {review.kind}")
    confirmed = outcome == "confirm"
    status = "confirmed" if confirmed else "refused"
    at = clock.iso()
    notes: list[Notification] = []

    def writes(tx: TransactWrite) -> None:
        tx.update(
            review,
            actions=[
                Review.status.set(status),
                Review.pending_jurisdiction.remove(),
                Review.decided_by.set(principal.account_id),
                Review.decided_at.set(at),
                Review.decision_reason.set(reason),
            ],
            condition=Review.status == "pending",
        )
        review.decision_reason = reason  # the effect's notifications quote it
        notes[:] = effect(tx, review, confirmed, principal)
        for note in notes:
            tx.save(note)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            f"review.{outcome}",
            f"review:{review_id}",
            {
                "kind": review.kind,
                "subject_id": review.subject_id,
                "crew_id": review.crew_id,
                "review_reason": review.reason,
                "reason": reason,
            },
        ),
        writes,
        on_conflict=Conflict("review_decided", "the review or its subject changed meanwhile"),
        agency=jurisdictions.owner(review.jurisdiction),
    )
    notify.publish(notes)
    review.status, review.decided_by, review.decided_at = status, principal.account_id, at
    after = _AFTER.get(review.kind)
    if after is not None:
        after(review, confirmed)
    return review_view(review)
