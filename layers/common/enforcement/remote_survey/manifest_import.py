"""A flight's manifest imported from a CSV the port's system uploads (docs/remote-survey.md).

1. An officer of the port (or an admin of its agency) asks for an upload (`grant`): an upload
   ticket under `survey/manifests/<port>/<id>` (a presigned POST of a `text/` file of at most
   `Settings.manifest_max_bytes`), saved with its audit entry.
2. The bucket notifies the manifest import function, which runs `process` on the object version
   the event names: the file is read and parsed whole (`manifests.parse`). A refused file writes
   no flight and no passenger: the ticket is closed `rejected` with every bad line in its
   `details`, where the uploader reads it (`status`), and the file's version is deleted.
3. An accepted file: its passengers are written (put, idempotent), the flight's passengers that
   the file no longer lists are deleted, then the flight item is written (its counters and
   clearance times kept: an update, not a put) in one transaction with the ticket's closing and
   the audit entry. A stop before that transaction leaves the ticket pending, and the retried
   event redoes every step; a flight only appears, or changes, once its passenger list is
   complete. A file whose SHA-256 is the flight's current manifest changes nothing.
4. Re-delivered events find the ticket decided (`already_processed`); a second post of the
   same grant is refused and deleted (`enforcement.upload_versions`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, jurisdictions, upload_imports, uploads
from enforcement.auth import Principal
from enforcement.config import settings
from enforcement.errors import NotFound
from enforcement.models import Upload
from enforcement.remote_survey import manifests
from enforcement.remote_survey.models import Flight, ManifestPassenger, flight_key, port_day

logger = Logger(child=True)

PREFIX = "survey/"
PURPOSE = "manifests"
CONTENT_TYPE = "text/csv"
CAPABILITY = "remote_survey"


def _key(port: str, upload_id: str) -> str:
    return f"{PREFIX}{PURPOSE}/{port}/{upload_id}"


def _port_of(key: str) -> str | None:
    """The port a manifest key names (`survey/manifests/<port>/<id>`), else None."""
    head = f"{PREFIX}{PURPOSE}/"
    if not key.startswith(head):
        return None
    port, _, upload_id = key[len(head) :].partition("/")
    return port if port and upload_id and "/" not in upload_id else None


def _hidden() -> NotFound:
    return NotFound("port_not_found", "no such port")


def _chain(agency: str | None) -> audit.Partition:
    return audit.chain_for(CAPABILITY, agency)


def grant(principal: Principal, port: str) -> dict[str, Any]:
    """A presigned POST for a manifest of `port`, for its officers and its agency's admins."""
    access.in_jurisdiction(principal, port, access.Action.ACT, hidden=_hidden())
    ticket, post = uploads.prepare(
        PURPOSE,
        principal.actor,
        port,
        prefix=PREFIX,
        content_type=CONTENT_TYPE,
        max_bytes=settings().manifest_max_bytes,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "manifest.upload_granted",
            f"port:{port}",
            {"key": ticket.object_key},
        ),
        lambda tx: tx.save(ticket, condition=Upload.object_key.does_not_exist()),
        chain=_chain(jurisdictions.owner(port)),
    )
    return {"upload_id": ticket.object_key.rsplit("/", 1)[1], "port": port, **post.as_dict()}


def status(principal: Principal, port: str, upload_id: str) -> dict[str, Any]:
    """What became of an upload: pending, done (with the flight) or rejected (every bad line)."""
    access.in_jurisdiction(principal, port, access.Action.READ, hidden=_hidden())
    ticket = uploads.ticket(_key(port, upload_id))
    if ticket is None or ticket.purpose != PURPOSE or ticket.subject_id != port:
        raise NotFound("upload_not_found", "no such manifest upload at this port")
    return {
        "upload_id": upload_id,
        "port": port,
        "status": ticket.status,
        "result": ticket.result_code,
        "received_at": ticket.received_at,
        "details": ticket.details or {},
    }


# ------------------------------------------------------------------ the S3 event


def process(key: str, version_id: str | None = None) -> dict[str, Any]:
    """Import (or refuse) the manifest object version an event announced. Idempotent."""
    received = upload_imports.receive(key, version_id, purpose=PURPOSE, subject_id=_port_of(key))
    if not isinstance(received, upload_imports.Received):
        return received
    ticket, version, data, size = received.ticket, received.version, received.data, received.size
    if data is None:
        problem = manifests.ManifestProblem(
            1, None, "too_large", f"the file has {size} bytes, at most {ticket.max_bytes}"
        )
        return _refuse(ticket, version, manifests.ManifestRefused([problem]), "")
    digest = hashlib.sha256(data).hexdigest()
    try:
        manifest = manifests.parse(data)
    except manifests.ManifestRefused as refused:
        return _refuse(ticket, version, refused, digest)
    return _import(ticket, version, manifest, digest)


def _commit(ticket: Upload, version: str, event: audit.AuditEvent, writes: Any) -> dict[str, Any]:
    chain = _chain(jurisdictions.owner(ticket.subject_id))
    return upload_imports.decide(ticket, version, event, writes, chain=chain)


def _refuse(
    ticket: Upload, version: str, refused: manifests.ManifestRefused, digest: str
) -> dict[str, Any]:
    details = {
        "problems": [problem.as_dict() for problem in refused.problems],
        "problem_count": refused.total,
    }
    event = audit.AuditEvent(
        ticket.actor,
        "manifest.refused",
        f"port:{ticket.subject_id}",
        {"key": ticket.object_key, "version_id": version, "problems": refused.total},
    )

    writes = upload_imports.close_ticket(
        ticket, version, "rejected", "manifest_refused", digest, details
    )
    outcome = _commit(ticket, version, event, writes)
    if not outcome:  # a refused file is not kept (the uploader has it, the problems are noted)
        uploads.discard(ticket.object_key, version)
    logger.info("manifest refused", extra={"key": ticket.object_key, "problems": refused.total})
    return outcome or {"key": ticket.object_key, "outcome": "refused", "problems": refused.total}


def expiry(arrival_date: str) -> dt.datetime:
    """When a manifest's passengers expire: the arrival date (its midnight, UTC) plus
    `Settings.manifest_retention_days`; the bucket expires the files after as many days."""
    day = dt.date.fromisoformat(arrival_date)
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return midnight + dt.timedelta(days=settings().manifest_retention_days)


def _set(attribute: Any, value: str | None) -> Any:
    return attribute.set(value) if value is not None else attribute.remove()


def _import(
    ticket: Upload, version: str, manifest: manifests.Manifest, digest: str
) -> dict[str, Any]:
    port = ticket.subject_id
    day, number = port_day(port, manifest.arrival_date), manifest.flight_number
    key = flight_key(port, manifest.arrival_date, number)
    try:
        current: Flight | None = Flight.get(day, number, consistent_read=True)
    except Flight.DoesNotExist:
        current = None
    target = f"flight:{key}"
    summary = {
        "flight_key": key,
        "passengers": len(manifest.passengers),
        "sha256": digest,
    }
    if current is not None and current.manifest_hash == digest:
        result = {**summary, "changed": False}
        event = audit.AuditEvent(
            ticket.actor, "manifest.unchanged", target, {"key": ticket.object_key, **result}
        )

        unchanged = upload_imports.close_ticket(
            ticket, version, "done", "unchanged", digest, result
        )
        return _commit(ticket, version, event, unchanged) or {
            "key": ticket.object_key,
            "outcome": "unchanged",
            **result,
        }
    listed = {p.document_number for p in manifest.passengers}
    previous = {p.document_number for p in ManifestPassenger.query(key, consistent_read=True)}
    expires = expiry(manifest.arrival_date)
    with ManifestPassenger.batch_write() as batch:
        for entry in manifest.passengers:
            batch.save(
                ManifestPassenger(
                    key,
                    entry.document_number,
                    name=entry.name,
                    seat=entry.seat,
                    nationality=entry.nationality,
                    expires_at=expires,
                )
            )
        for document in sorted(previous - listed):
            batch.delete(ManifestPassenger(key, document))
    now = clock.iso()
    flight_values = [
        Flight.port.set(port),
        Flight.agency.set(jurisdictions.owner(port) or ""),
        Flight.arrival_date.set(manifest.arrival_date),
        Flight.origin.set(manifest.origin),
        _set(Flight.departure_airport, manifest.departure_airport),
        Flight.scheduled_on_block.set(manifest.scheduled_on_block),
        _set(Flight.actual_on_block, manifest.actual_on_block),
        Flight.passengers.set(len(manifest.passengers)),
        Flight.manifest_key.set(ticket.object_key),
        Flight.manifest_hash.set(digest),
        Flight.imported_at.set(now),
        # counters start at 0 on a new flight; a replacing manifest keeps them
        Flight.declared.set(Flight.declared | 0),
        Flight.released.set(Flight.released | 0),
        Flight.held.set(Flight.held | 0),
    ]
    result = {
        **summary,
        "changed": True,
        "replaced": current is not None,
        "removed": len(previous - listed),
    }
    event = audit.AuditEvent(
        ticket.actor, "manifest.imported", target, {"key": ticket.object_key, **result}
    )

    close = upload_imports.close_ticket(ticket, version, "done", "imported", digest, result)

    def writes(tx: TransactWrite) -> None:
        close(tx)
        tx.update(Flight(day, number), actions=flight_values)

    outcome = _commit(ticket, version, event, writes)
    logger.info("manifest imported", extra={"key": ticket.object_key, **result})
    return outcome or {"key": ticket.object_key, "outcome": "imported", **result}
