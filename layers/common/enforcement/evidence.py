"""Evidence photos: inspection photos of drawn targets and photos of hazard reports.

The record (an inspection result, a hazard report) is created with upload tickets whose keys lie
under `evidence/`; the client posts each photo by presigned POST, and the bucket notification
invokes the evidence function, which runs `process`. A photo is accepted only when it is a
complete JPEG, PNG or WebP within the byte and pixel limits; the accepted file's SHA-256 goes
into the record and the audit chain (so a later swap of the object in S3 is detectable), a
refused file is deleted. Either way the ticket is closed and the record lists the photo with its
status, in one transaction with the audit entry: a re-delivered event finds the ticket closed
and does nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pynamodb.attributes import ListAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement import audit, clock, uploads
from enforcement.config import settings
from enforcement.dispatch.models import Assignment
from enforcement.duty.models import HazardReport
from enforcement.errors import Conflict
from enforcement.models import EvidencePhoto, Upload

PREFIX = "evidence/"
#: Largest declared width x height of an evidence photo (a 108 MP phone camera fits).
MAX_PIXELS = 120_000_000
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


def _subject(ticket: Upload) -> tuple[Model, ListAttribute[EvidencePhoto], Any]:
    """The record a ticket's photo belongs to, its photo list, and the condition it exists."""
    if ticket.purpose == "hazard":
        return (
            HazardReport(ticket.subject_id),
            HazardReport.photos,
            HazardReport.report_id.exists(),
        )
    if ticket.purpose == "inspection":
        draw_id, target_id = ticket.subject_id.split("/", 1)
        return Assignment(draw_id, target_id), Assignment.photos, Assignment.draw_id.exists()
    raise ValueError(f"no evidence record for purpose {ticket.purpose!r}")


def check_image(data: bytes, max_bytes: int) -> tuple[int, int]:
    """Width and height of a complete JPEG/PNG/WebP within the limits; `FaceError` otherwise."""
    from enforcement.face import images  # Pillow and numpy: only the evidence function has them

    decoded = images.read(data, max_bytes=max_bytes, max_pixels=MAX_PIXELS, max_side=CHECK_SIDE)
    width, height = decoded.image.size
    return int(width), int(height)


def process(key: str) -> dict[str, Any]:
    """Accept or refuse one uploaded evidence photo (idempotent: a closed ticket is a no-op)."""
    from enforcement.face.images import FaceError

    ticket = uploads.ticket(key)
    if ticket is None or not key.startswith(PREFIX):
        uploads.discard(key)  # nobody was given this upload
        return {"key": key, "outcome": "unknown_upload"}
    if ticket.status != "pending":
        return {"key": key, "outcome": "already_processed", "status": ticket.status}
    at = clock.iso()
    photo = EvidencePhoto(key=key, received_at=at)
    try:
        data, size = uploads.fetch(key, int(ticket.max_bytes))
        if data is None:
            raise FaceError("image_too_large", f"the photo has {size} bytes")
        width, height = check_image(data, int(ticket.max_bytes))
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
                {"key": key, "sha256": photo.sha256, "size": photo.size, "code": photo.code},
            ),
            writes,
            on_conflict=Conflict("already_processed", "this photo was processed meanwhile"),
        )
    except Conflict:
        return {"key": key, "outcome": "already_processed"}
    if photo.status == "rejected":
        uploads.discard(key)
    return {
        "key": key,
        "outcome": photo.status,
        "code": photo.code,
        "purpose": ticket.purpose,
        "subject_id": ticket.subject_id,
    }


def views(photos: list[EvidencePhoto] | None, *, links: bool) -> list[dict[str, Any]]:
    """The photos of a record as received, with a presigned GET of each accepted one."""
    out = []
    for photo in photos or []:
        view: dict[str, Any] = {
            "key": photo.key,
            "status": photo.status,
            "code": photo.code,
            "sha256": photo.sha256,
            "size": int(photo.size) if photo.size is not None else None,
            "received_at": photo.received_at,
        }
        if links and photo.status == "accepted":
            view["url"] = uploads.link(photo.key, settings().upload_url_ttl_seconds)
        out.append(view)
    return out
