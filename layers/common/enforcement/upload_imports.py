"""Files a system uploads to be imported (a flight's manifest, a city's registry): the steps every
importer takes around its own reading and writing.

1. `receive`: the S3 event's object version, judged against its upload ticket. An object nobody
   was given a ticket for is deleted (`unknown_upload`); a version whose object is gone leaves
   the ticket pending (`object_missing`); a second post of a decided grant is refused and deleted
   (`enforcement.upload_versions`); a re-delivered event finds the ticket decided
   (`already_processed`, deleting again a rejected file a stopped delivery may have left). Else
   the file's bytes, read with one GET (None when larger than the ticket allows).
2. The importer reads and writes what the file holds.
3. `decide`: the ticket closed (`close_ticket`: status, result, SHA-256, version, details for
   the uploader) in one transaction with the audit entry, on condition that it is still pending. A
   concurrent delivery that decided it first makes this one `already_processed` (or a refused
   replacement, if it decided another version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import audit, clock, uploads
from enforcement.errors import Conflict
from enforcement.models import Upload
from enforcement.upload_versions import (
    Arrival,
    after_conflict,
    arrival,
    discard_unknown,
    missing,
    refuse_replacement,
)


@dataclass(frozen=True, slots=True)
class Received:
    """A file to decide on: its ticket, the object version, and its bytes (None: larger than the
    ticket's `max_bytes`, which `size` then says)."""

    ticket: Upload
    version: str
    data: bytes | None
    size: int


def receive(
    key: str, version_id: str | None, *, purpose: str, subject_id: str | None
) -> Received | dict[str, Any]:
    """The file an event announced under `key` for a ticket of `purpose` and `subject_id` (what
    the key names; None when it names nothing), or the event's outcome when there is nothing to
    decide."""
    ticket = uploads.ticket(key) if subject_id else None
    if ticket is None or ticket.purpose != purpose or ticket.subject_id != subject_id:
        discard_unknown(key, version_id)  # nobody was given this upload
        return {"key": key, "outcome": "unknown_upload"}
    state, version = arrival(ticket, version_id)
    if state is Arrival.MISSING:
        return missing(ticket)
    if state is Arrival.REPLACEMENT:
        return refuse_replacement(ticket, version)
    if state is Arrival.DECIDED:
        if ticket.status == "rejected" and ticket.version_id:
            uploads.discard(key, ticket.version_id)  # a stopped delivery may have left it
        return {"key": key, "outcome": "already_processed", "status": ticket.status}
    try:
        data, size = uploads.fetch(key, int(ticket.max_bytes), version)
    except uploads.ObjectMissing:
        return missing(ticket)
    return Received(ticket, version, data, size)


def decide(
    ticket: Upload,
    version: str,
    event: audit.AuditEvent,
    writes: Callable[[TransactWrite], None],
    *,
    chain: audit.Partition,
) -> dict[str, Any]:
    """Commit `writes` (which close the ticket on condition that it is pending) with `event`.
    `{}` when committed; else the outcome of this delivery, which another one overtook."""
    try:
        audit.commit(
            event,
            writes,
            chain=chain,
            on_conflict=Conflict("upload_decided", "this upload was decided meanwhile"),
        )
    except Conflict as exc:
        if exc.code != "upload_decided":
            raise
        state, latest = after_conflict(ticket.object_key, version)
        if state is Arrival.REPLACEMENT and latest is not None:
            return refuse_replacement(latest, version)
        return {"key": ticket.object_key, "outcome": "already_processed"}
    return {}


def close_ticket(
    ticket: Upload, version: str, status: str, code: str, digest: str, details: dict[str, Any]
) -> Callable[[TransactWrite], None]:
    """The transaction's write that decides a pending ticket: `done` or `rejected`, why (`code`,
    `details` for the uploader), on which version, the file's SHA-256."""
    actions: list[Any] = [
        Upload.status.set(status),
        Upload.result_code.set(code),
        Upload.sha256.set(digest) if digest else Upload.sha256.remove(),
        Upload.version_id.set(version),
        Upload.received_at.set(clock.iso()),
        Upload.details.set(details),
    ]

    def writes(tx: TransactWrite) -> None:
        tx.update(ticket, actions=actions, condition=Upload.status == "pending")

    return writes
