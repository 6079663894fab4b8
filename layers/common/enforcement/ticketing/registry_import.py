"""A city's registry imported from a CSV file its traffic-police system uploads
(docs/ticketing.md, *Importing a registry*).

1. An admin of the city's agency asks for an upload (`grant`) of one registry (`vehicles`,
   `drivers` or `violations`): an upload ticket under
   `ticketing/registries/<city>/<registry>/<id>.csv`, a presigned POST of a `text/` file of at
   most `Settings.registry_max_bytes`, saved with its audit entry. The upload's id names the
   city, the registry and the ticket (`<city>.<registry>.<id>`).
2. The bucket notifies the registry import function, which runs `process` on the object version
   the event names (`enforcement.upload_imports`). A file refused as a whole
   (`registry_csv.RegistryFileRefused`: too large, not UTF-8, a bad header) writes nothing: the
   ticket is closed `rejected` with the reason and the file's version is deleted.
3. Otherwise every good row is kept and every bad row reported. Good rows are read 100 at a time
   against what is stored (one BatchGetItem) and only those that differ are written: a file
   imported again, or a row equal to the record, writes no value (`registry_store`, with the
   rule for files that cross). The ticket is then closed
   `done` in one transaction with the audit entry, with the counts and the bad rows (line,
   field, code, reason) for the uploader (`status`); past `INLINE_BAD_ROWS` the whole report is
   a JSON document in the bucket, linked from the status.
4. A stop before that transaction leaves the ticket pending; the retried event reads the file
   again and writes only what is not yet stored. Re-delivered events find the ticket decided; a
   second post of the same grant is refused and deleted (`enforcement.upload_versions`).

A registry file updates records (and adds new ones); a record the file does not list is left as
it is: a vehicle leaves the registry by its status (`deregistered`, `scrapped`), a violation by
`paid`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from aws_lambda_powertools import Logger

from enforcement import access, audit, clock, jurisdictions, upload_imports, uploads
from enforcement.auth import Principal
from enforcement.config import settings
from enforcement.errors import NotFound
from enforcement.models import Upload
from enforcement.ticketing import face_removal
from enforcement.ticketing.models import audit_chain
from enforcement.ticketing.registry_csv import BadRow, RegistryFileRefused
from enforcement.ticketing.registry_rows import (
    file_order,
    read_drivers,
    read_vehicles,
    read_violations,
)
from enforcement.ticketing.registry_store import Record, Tally, store

logger = Logger(child=True)

PREFIX = "ticketing/"
PURPOSE = "registries"
REPORTS = "ticketing/reports/"
REGISTRIES = ("vehicles", "drivers", "violations")
CONTENT_TYPE = "text/csv"
SUFFIX = ".csv"
#: Bad rows kept on the upload ticket (the uploader's report); the whole report goes to S3.
INLINE_BAD_ROWS = 100
REPORT_LINK_SECONDS = 900
UPLOAD_ID = re.compile(
    r"(?P<city>[a-z0-9][a-z0-9_.-]{0,63})\.(?P<registry>vehicles|drivers|violations)\."
    r"(?P<token>[0-9a-f]{24})"
)
_TOKEN = re.compile(r"[0-9a-f]{24}")


def _key(city: str, registry: str, token: str) -> str:
    return f"{PREFIX}{PURPOSE}/{city}/{registry}/{token}{SUFFIX}"


def _parts(key: str) -> tuple[str, str, str] | None:
    """City, registry and ticket id of a registry upload's key, else None."""
    head = f"{PREFIX}{PURPOSE}/"
    if not key.startswith(head) or not key.endswith(SUFFIX):
        return None
    parts = key[len(head) : -len(SUFFIX)].split("/")
    if len(parts) != 3:
        return None
    city, registry, token = parts
    if not jurisdictions.NAME.match(city) or registry not in REGISTRIES:
        return None
    return (city, registry, token) if _TOKEN.fullmatch(token) else None


def upload_id(key: str) -> str:
    parts = _parts(key)
    if parts is None:
        raise ValueError(f"{key} is not a registry upload's key")
    return ".".join(parts)


def _hidden() -> NotFound:
    return NotFound("city_not_found", "no such city")


def grant(principal: Principal, city: str, registry: str) -> dict[str, Any]:
    """A presigned POST for one registry file of `city`, for the admins of its agency."""
    access.in_jurisdiction(principal, city, access.Action.ADMINISTER, hidden=_hidden())
    ticket, post = uploads.prepare(
        PURPOSE,
        principal.actor,
        f"{city}/{registry}",
        prefix=PREFIX,
        content_type=CONTENT_TYPE,
        max_bytes=settings().registry_max_bytes,
        suffix=SUFFIX,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "registry.upload_granted",
            f"registry:{city}/{registry}",
            {"key": ticket.object_key},
        ),
        lambda tx: tx.save(ticket, condition=Upload.object_key.does_not_exist()),
        chain=audit_chain(city),
    )
    return {
        "upload_id": upload_id(ticket.object_key),
        "city": city,
        "registry": registry,
        **post.as_dict(),
    }


def status(principal: Principal, upload: str) -> dict[str, Any]:
    """What became of a registry upload: pending, done (counts, bad rows) or rejected (why)."""
    found = UPLOAD_ID.fullmatch(upload)
    not_found = NotFound("upload_not_found", "no such registry upload")
    if found is None:
        raise not_found
    city, registry, token = found.group("city", "registry", "token")
    access.in_jurisdiction(principal, city, access.Action.ADMINISTER, hidden=not_found)
    ticket = uploads.ticket(_key(city, registry, token))
    if ticket is None or ticket.purpose != PURPOSE or ticket.subject_id != f"{city}/{registry}":
        raise not_found
    details = dict(ticket.details or {})
    report_key = details.pop("report_key", None)
    return {
        "upload_id": upload,
        "city": city,
        "registry": registry,
        "status": ticket.status,
        "result": ticket.result_code,
        "received_at": ticket.received_at,
        "details": details,
        "report_url": uploads.link(report_key, REPORT_LINK_SECONDS) if report_key else None,
    }


# ------------------------------------------------------------------ the S3 event


def process(key: str, version_id: str | None = None) -> dict[str, Any]:
    """Import (or refuse) the registry file version an event announced. Idempotent."""
    parts = _parts(key)
    subject = f"{parts[0]}/{parts[1]}" if parts else None
    received = upload_imports.receive(key, version_id, purpose=PURPOSE, subject_id=subject)
    if not isinstance(received, upload_imports.Received):
        return received
    assert parts is not None
    city, registry, _ = parts
    ticket, version, data = received.ticket, received.version, received.data
    if data is None:
        refused = RegistryFileRefused(
            "registry_file_too_large",
            f"the file has {received.size} bytes, at most {ticket.max_bytes}",
        )
        return _refuse(ticket, version, refused, "")
    digest = hashlib.sha256(data).hexdigest()
    try:
        rows = _reader(registry)(data, int(ticket.max_bytes))
    except RegistryFileRefused as refused:
        return _refuse(ticket, version, refused, digest)
    tally = Tally()
    ended: list[str] = []  # licences the file revokes or cancels: their faces leave the index
    upload = upload_id(key)
    rows = face_removal.noting_ended(rows, ended)
    store(city, registry, rows, upload, file_order(ticket.created_at, upload), tally)
    face_removal.licences_ended(city, ended, ticket.actor, upload)
    return _done(ticket, version, city, registry, digest, tally)


def _reader(registry: str) -> Callable[[bytes, int], Iterator[Record | BadRow]]:
    if registry == "vehicles":
        return lambda data, most: read_vehicles(data, max_bytes=most)
    if registry == "drivers":
        return lambda data, most: read_drivers(data, today=clock.local_date(), max_bytes=most)
    return lambda data, most: read_violations(data, utc_offset=clock.local_zone(), max_bytes=most)


def _bad_row(row: BadRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "problems": [{"field": p.field, "code": p.code, "reason": p.reason} for p in row.problems],
    }


def _done(
    ticket: Upload, version: str, city: str, registry: str, digest: str, tally: Tally
) -> dict[str, Any]:
    summary = {"registry": registry, "city": city, "sha256": digest, **tally.as_dict()}
    details: dict[str, Any] = {
        **summary,
        "bad": [_bad_row(row) for row in tally.bad[:INLINE_BAD_ROWS]],
    }
    if len(tally.bad) > INLINE_BAD_ROWS:
        report_key = f"{REPORTS}{city}/{upload_id(ticket.object_key)}.json"
        report = {**summary, "bad": [_bad_row(row) for row in tally.bad]}
        uploads.put_document(report_key, json.dumps(report, ensure_ascii=False).encode())
        details["report_key"] = report_key
    event = audit.AuditEvent(
        ticket.actor,
        "registry.imported",
        f"registry:{city}/{registry}",
        {"key": ticket.object_key, "version_id": version, **summary},
    )
    code = "imported" if tally.written else "unchanged"
    writes = upload_imports.close_ticket(ticket, version, "done", code, digest, details)
    outcome = upload_imports.decide(ticket, version, event, writes, chain=audit_chain(city))
    logger.info(
        "registry imported",
        extra={"key": ticket.object_key, **summary, "read_calls": tally.read_calls},
    )
    return outcome or {
        "key": ticket.object_key,
        "outcome": code,
        **summary,
        "read_calls": tally.read_calls,
    }


def _refuse(
    ticket: Upload, version: str, refused: RegistryFileRefused, digest: str
) -> dict[str, Any]:
    city, registry = ticket.subject_id.split("/", 1)
    details = {
        "registry": registry,
        "city": city,
        "code": refused.code,
        "reason": refused.message,
        "line": refused.line,
    }
    event = audit.AuditEvent(
        ticket.actor,
        "registry.refused",
        f"registry:{city}/{registry}",
        {"key": ticket.object_key, "version_id": version, "code": refused.code},
    )
    writes = upload_imports.close_ticket(ticket, version, "rejected", refused.code, digest, details)
    outcome = upload_imports.decide(ticket, version, event, writes, chain=audit_chain(city))
    if not outcome:  # a refused file is not kept (the uploader has it, the reason is noted)
        uploads.discard(ticket.object_key, version)
    logger.info("registry refused", extra={"key": ticket.object_key, "code": refused.code})
    return outcome or {"key": ticket.object_key, "outcome": "refused", "code": refused.code}
