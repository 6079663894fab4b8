"""Evidence photos: inspection photos of drawn targets and photos of hazard reports.

The record (an inspection result, a hazard report) is created with upload tickets whose keys lie
under `evidence/`; the client posts each photo by presigned POST, and the bucket notification
invokes the evidence function, which runs `process`. A photo is accepted only when it is a
complete JPEG, PNG or WebP within the byte and pixel limits (the pixels from the header, before
any decoding); the accepted object version's id and SHA-256 go into the record and the audit
chain, links name that version, and the version is put under Object Lock retention: it cannot
be replaced or deleted. A refused file is deleted. Either way the ticket is closed and the record
lists the photo with its status, in one transaction with the audit entry. A re-delivered event
finds the ticket closed and does nothing; another object version under the key (the grant
posted again) is refused and deleted without touching the record (`enforcement.upload_versions`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from pynamodb.attributes import ListAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement import audit, clock, uploads
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.config import settings
from enforcement.errors import Conflict
from enforcement.models import EvidencePhoto, Upload
from enforcement.upload_versions import (
    Arrival,
    after_conflict,
    arrival,
    discard_unknown,
    missing,
    refuse_replacement,
)

logger = Logger(child=True)

PREFIX = "evidence/"
#: Working size the photo is decoded at to prove it is complete (JPEG decodes at reduced scale).
CHECK_SIDE = 1600


def prepare(
    purpose: str, actor: str, subject_id: str, count: int
) -> tuple[list[Upload], list[dict[str, Any]]]:
    """`count` upload tickets (to save in the caller's transaction) and their presigned POSTs."""
    tickets, grants = [], []
    for _ in range(count):
        ticket, grant = uploads.prepare(purpose, actor, subject_id, prefix=PREFIX)
        tickets.append(ticket)
        grants.append(grant.as_dict())
    return tickets, grants


#: Where the photos of each purpose go: purpose -> the record of a ticket's subject id, that
#: record's photo list, and the condition that the record exists. Filled by the capabilities
#: (`register`) when their models are imported; this module imports none of them.
Subject = tuple[Model, ListAttribute[EvidencePhoto], Any]
_PURPOSES: dict[str, Callable[[str], Subject]] = {}


def register(purpose: str, subject: Callable[[str], Subject]) -> None:
    """Photos of `purpose` belong to the record `subject(ticket.subject_id)` names."""
    known = _PURPOSES.get(purpose)
    if known is not None and known is not subject:
        raise ValueError(f"evidence purpose {purpose!r} is registered twice")
    _PURPOSES[purpose] = subject


def purposes() -> frozenset[str]:
    """The purposes registered so far."""
    return frozenset(_PURPOSES)


def _subject(ticket: Upload) -> Subject:
    """The record a ticket's photo belongs to, its photo list, and the condition it exists."""
    subject = _PURPOSES.get(ticket.purpose)
    if subject is None:
        raise ValueError(f"no evidence record for purpose {ticket.purpose!r}")
    return subject(ticket.subject_id)


def check_image(data: bytes, max_bytes: int) -> tuple[int, int]:
    """Width and height of a complete JPEG/PNG/WebP within the limits; `FaceError` otherwise.

    `Settings.evidence_max_pixels` is checked on the header, before any pixel is decoded.
    """
    from enforcement.face import images  # Pillow and numpy: only the evidence function has them

    decoded = images.read(
        data,
        max_bytes=max_bytes,
        max_pixels=settings().evidence_max_pixels,
        max_side=CHECK_SIDE,
    )
    width, height = decoded.image.size
    return int(width), int(height)


def audit_target(key: str) -> str | None:
    """The audit target of the photo under `key` (`<purpose>:<subject id>`), from the shape
    `prepare` gives evidence keys (`evidence/<purpose>/<subject id>/<token>`); None for a key
    of another shape."""
    if not key.startswith(PREFIX):
        return None
    purpose, _, rest = key[len(PREFIX) :].partition("/")
    subject_id, _, token = rest.rpartition("/")
    if not (purpose and subject_id and token):
        return None
    return f"{purpose}:{subject_id}"


def _chain(target: str) -> str:
    """The audit chain a decision about `target` goes to (accepted and rejected alike)."""
    return audit.chain_of(audit.AuditEvent("", "evidence.accepted", target, {}), None, None)


def process(key: str, version_id: str | None = None) -> dict[str, Any]:
    """Accept or refuse one uploaded evidence photo, the object version an event announced
    (None: the one now under the key). Idempotent: a decided ticket is a no-op for its version
    and refuses any other.

    The ticket and the head of the audit chain its decision goes to (named by the key) are read
    in one BatchGetItem; the head is handed to `audit.commit` when the ticket names the same
    record as the key."""
    target = audit_target(key)
    ticket, head = None, None
    if target is not None:
        chain = _chain(target)
        reads = batch_get([ItemKey(Upload, key), audit.head_key(chain)])
        ticket = reads.item(Upload, key)
        head = reads.item(audit.AuditEntry, chain, audit.HEAD_SEQ)
    if ticket is None:
        discard_unknown(key, version_id)  # nobody was given this upload
        return {"key": key, "outcome": "unknown_upload"}
    state, version = arrival(ticket, version_id)
    if state is Arrival.MISSING:
        return missing(ticket)
    if state is Arrival.REPLACEMENT:
        return refuse_replacement(ticket, version)
    if state is Arrival.DECIDED:
        # finish what the first delivery may have been stopped before: lock or delete
        if ticket.status == "done" and ticket.version_id:
            _retain(ticket, ticket.version_id)
        elif ticket.status == "rejected" and ticket.version_id:
            uploads.discard(key, ticket.version_id)
        return {"key": key, "outcome": "already_processed", "status": ticket.status}
    named = f"{ticket.purpose}:{ticket.subject_id}" == target
    return _decide(ticket, version, head if named else audit.UNREAD)


def _decide(ticket: Upload, version: str, head: Any = audit.UNREAD) -> dict[str, Any]:
    """Decide the ticket on `version`; `head`: the audit chain's head as read with the ticket
    (None: the chain has none yet), or `audit.UNREAD`."""
    from enforcement.face.images import FaceError

    key = ticket.object_key
    at = clock.iso()
    photo = EvidencePhoto(key=key, received_at=at, version_id=version)
    try:
        data, size = uploads.fetch(key, int(ticket.max_bytes), version)
        if data is None:
            raise FaceError("image_too_large", f"the photo has {size} bytes")
        width, height = check_image(data, int(ticket.max_bytes))
    except uploads.ObjectMissing:
        return missing(ticket)
    except FaceError as exc:
        photo.status, photo.code = "rejected", exc.code
    else:
        photo.status = "accepted"
        photo.sha256 = hashlib.sha256(data).hexdigest()
        photo.size, photo.width, photo.height = len(data), width, height
    record, photos, exists = _subject(ticket)

    def writes(tx: TransactWrite) -> None:
        tx.update(
            ticket,
            actions=[
                Upload.status.set("done" if photo.status == "accepted" else "rejected"),
                Upload.result_code.set(photo.code or photo.status),
                Upload.sha256.set(photo.sha256),
                Upload.version_id.set(version),
                Upload.received_at.set(at),
            ],
            condition=Upload.status == "pending",
        )
        tx.update(record, actions=[photos.set((photos | []).append([photo]))], condition=exists)

    try:
        audit.commit(
            audit.AuditEvent(
                ticket.actor,
                f"evidence.{photo.status}",
                f"{ticket.purpose}:{ticket.subject_id}",
                {
                    "key": key,
                    "version_id": version,
                    "sha256": photo.sha256,
                    "size": photo.size,
                    "code": photo.code,
                },
            ),
            writes,
            on_conflict=Conflict("already_processed", "this photo was processed meanwhile"),
            known_head=head,
        )
    except Conflict:
        state, latest = after_conflict(key, version)
        if state is Arrival.REPLACEMENT and latest is not None:
            return refuse_replacement(latest, version)  # another version was decided meanwhile
        return {"key": key, "outcome": "already_processed"}
    ticket.received_at = at
    if photo.status == "accepted":
        _retain(ticket, version)
    elif photo.status == "rejected":
        uploads.discard(key, version)
    return {
        "key": key,
        "outcome": photo.status,
        "code": photo.code,
        "version_id": version,
        "purpose": ticket.purpose,
        "subject_id": ticket.subject_id,
    }


def _retain(ticket: Upload, version: str) -> None:
    """Object Lock retention of an accepted version, counted from its acceptance (the same date
    on every retry, so a re-delivery can apply it again)."""
    if version == "null":
        return  # a bucket without versioning has no Object Lock
    cfg = settings()
    accepted = clock.parse(ticket.received_at) if ticket.received_at else clock.now()
    until = accepted + timedelta(days=cfg.evidence_retention_days)
    try:
        uploads.retain(ticket.object_key, version, until, cfg.evidence_lock_mode)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code")) not in uploads.MISSING:
            raise
        logger.error(
            "an accepted evidence version is gone before its retention was set",
            extra={"key": ticket.object_key, "version_id": version},
        )


def views(photos: list[EvidencePhoto] | None, *, links: bool) -> list[dict[str, Any]]:
    """The photos of a record as received, with a presigned GET of each accepted one."""
    out = []
    for photo in photos or []:
        view: dict[str, Any] = {
            "key": photo.key,
            "status": photo.status,
            "code": photo.code,
            "sha256": photo.sha256,
            "version_id": photo.version_id,
            "size": int(photo.size) if photo.size is not None else None,
            "received_at": photo.received_at,
        }
        if links and photo.status == "accepted":
            # the accepted version, never whatever is under the key now
            view["url"] = uploads.link(
                photo.key, settings().photo_link_ttl_seconds, photo.version_id
            )
        out.append(view)
    return out
