"""One upload, one object version: what makes a presigned upload single-use.

S3 cannot refuse a presigned POST posted a second time while its policy lives. The upload bucket
keeps versions, so a second post does not overwrite anything: it adds a version under the same
key. The handler decides a ticket on exactly one version, the first one it sees; that version's
id is stored on the ticket, on the record with the file's SHA-256, and in the audit entry, and
links to the photo name it. Any other version under the key is a replacement: it is deleted (that
version only), noted on the ticket with an audit entry, and the record is not touched. A
re-delivered event of either kind finds it settled and changes nothing.
"""

from __future__ import annotations

from contextlib import suppress
from enum import Enum
from typing import Any

from aws_lambda_powertools import Logger

from enforcement import audit, uploads
from enforcement.errors import Conflict
from enforcement.models import Upload

logger = Logger(child=True)


class Arrival(Enum):
    """What an S3 event means for its ticket."""

    #: the ticket is pending and this version is the one to decide on
    DECIDE = "decide"
    #: the ticket was decided on this version (or before versions were recorded): a re-delivery
    DECIDED = "decided"
    #: the ticket was decided on another version: this one is a second post of the grant
    REPLACEMENT = "replacement"
    #: the ticket is pending and the object is not in the bucket (deleted meanwhile)
    MISSING = "missing"


def arrival(ticket: Upload, version_id: str | None) -> tuple[Arrival, str]:
    """Classify the version an event announced for `ticket`'s key (None: the event names no
    version, so the one now under the key is meant), and name it ("" when none is there)."""
    if version_id is None:
        try:
            version_id = uploads.current_version(ticket.object_key)
        except uploads.ObjectMissing:
            pending = ticket.status == "pending"
            return (Arrival.MISSING if pending else Arrival.DECIDED), ""
    if ticket.status == "pending":
        return Arrival.DECIDE, version_id
    if ticket.version_id is None or ticket.version_id == version_id:
        return Arrival.DECIDED, version_id
    return Arrival.REPLACEMENT, version_id


def after_conflict(key: str, version_id: str) -> tuple[Arrival, Upload | None]:
    """A decision's transaction found the ticket no longer pending: another delivery decided it
    meanwhile. The fresh ticket says whether that was this version or another one."""
    latest = uploads.ticket(key)
    if latest is None or latest.status == "pending":
        return Arrival.DECIDE, latest
    if latest.version_id is None or latest.version_id == version_id:
        return Arrival.DECIDED, latest
    return Arrival.REPLACEMENT, latest


def refuse_replacement(ticket: Upload, version_id: str) -> dict[str, Any]:
    """Delete a version posted under a decided ticket's key, leaving the record as it is.

    The refusal is noted on the ticket (`refused_versions`) with an audit entry, once per
    version; then the version is deleted. A re-delivery of the event, or a retry after a failed
    delete, notes nothing twice and deletes again (deleting a version that is gone is not an
    error). An event naming a version that is not there and was never refused changes nothing.
    """
    key = ticket.object_key
    outcome = {"key": key, "outcome": "replacement_refused", "version_id": version_id}
    if version_id in (ticket.refused_versions or set()):
        uploads.discard(key, version_id)
        return outcome
    if not uploads.version_exists(key, version_id):
        return {"key": key, "outcome": "object_missing", "version_id": version_id}

    def note(tx: Any) -> None:
        tx.update(
            ticket,
            actions=[Upload.refused_versions.add({version_id})],
            condition=(Upload.status != "pending") & ~Upload.refused_versions.contains(version_id),  # type: ignore[operator]
        )

    # a Conflict: noted already, by a concurrent delivery of the same event
    with suppress(Conflict):
        audit.commit(
            audit.AuditEvent(
                ticket.actor,
                "upload.replacement_refused",
                f"upload:{key}",
                {
                    "key": key,
                    "version_id": version_id,
                    "decided_version_id": ticket.version_id,
                    "purpose": ticket.purpose,
                    "subject_id": ticket.subject_id,
                },
            ),
            note,
            on_conflict=Conflict("already_refused", "this version was refused before"),
        )
    uploads.discard(key, version_id)
    logger.warning(
        "a second post of an upload grant was refused and its version deleted",
        extra={"key": key, "version_id": version_id, "decided_version_id": ticket.version_id},
    )
    return outcome


def missing(ticket: Upload) -> dict[str, Any]:
    """An event for a pending ticket whose object is gone: nothing to decide. The ticket stays
    pending (a post of the grant while it lives is still decided), nothing is written."""
    logger.warning(
        "the uploaded object is not in the bucket; the upload stays pending",
        extra={"key": ticket.object_key, "purpose": ticket.purpose},
    )
    return {"key": ticket.object_key, "outcome": "object_missing"}


def discard_unknown(key: str, version_id: str | None) -> None:
    """Delete an object nobody was given a ticket for: the version the event names, or the one
    now under the key."""
    if version_id is None:
        try:
            version_id = uploads.current_version(key)
        except uploads.ObjectMissing:
            return
    uploads.discard(key, version_id)
