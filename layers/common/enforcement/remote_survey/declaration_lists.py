"""A flight's declarations for the officers of its port, and the exports of a flight's or a
day's declarations (CSV or XLSX, `export`), stored in the upload bucket and handed out as a
short-lived link.

Reads: a flight's declarations are one Query of the `by_flight` index (pages followed); a day's
are one Query of the port's day on the flights table, then one such Query per flight (230
flights: 231 Queries). Only submitted declarations are listed or exported: a draft holds
answers nobody has checked yet.

An export holds health data: the object lives under `survey/exports/`, which the bucket's
lifecycle deletes after a day; the link lives `EXPORT_LINK_SECONDS`; each export, with whether
it shows whole document numbers, is an entry of the audit chain.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from enforcement import access, audit, clock, uploads
from enforcement.auth import Principal
from enforcement.config import settings
from enforcement.errors import NotFound, Unprocessable
from enforcement.forms import FormDefinition
from enforcement.forms.answers import language_of
from enforcement.masking import mask_document_number
from enforcement.remote_survey import export
from enforcement.remote_survey.models import Declaration, Flight, flight_key, port_day

SUBMITTED = "submitted"
EXPORT_PREFIX = "survey/exports/"
EXPORT_LINK_SECONDS = 900
#: Most declarations of one flight listed (the largest aircraft seat ~850).
FLIGHT_LIST_MAX = 1000
FORMATS = {"csv": export.CSV_MEDIA_TYPE, "xlsx": export.XLSX_MEDIA_TYPE}
#: Most rows of an XLSX export. openpyxl writes ~45,000 cells a second of one CPU (35 columns:
#: ~1,300 rows a second; docs/benchmarks.md), and the API function has a third of a CPU and
#: 29 s: a flight or a few fit, a day of a busy port does not. A day goes as CSV (~30 times
#: cheaper to write, and any spreadsheet opens it).
XLSX_MAX_ROWS = 2000

DefinitionOf = Callable[[str, int], FormDefinition]


def _port_only(principal: Principal, port: str, action: access.Action) -> None:
    access.in_jurisdiction(
        principal, port, action, hidden=NotFound("port_not_found", "no such port")
    )


def submitted_of(key: str, limit: int | None = None) -> Iterator[Declaration]:
    """The submitted declarations of the flight `key` (`flight_key`), by declaration id."""
    return Declaration.by_flight.query(
        key, filter_condition=Declaration.status == SUBMITTED, limit=limit
    )


def flight_declarations(
    principal: Principal, port: str, arrival_date: str, flight_number: str
) -> list[dict[str, Any]]:
    """A flight's submitted declarations for officers of the port (admins of its agency),
    document numbers masked. 403 `outside_jurisdiction`, 404 `port_not_found` (another
    agency's port)."""
    _port_only(principal, port, access.Action.READ)
    key = flight_key(port, arrival_date, flight_number)
    return [listed(d) for d in submitted_of(key, FLIGHT_LIST_MAX)]


def listed(declaration: Declaration) -> dict[str, Any]:
    number = declaration.document_number
    return {
        "declaration_id": declaration.declaration_id,
        "flight_number": declaration.flight_number,
        "arrival_date": declaration.arrival_date,
        "version": int(declaration.version or 0),
        "traveller_name": declaration.traveller_name,
        "document_number_masked": mask_document_number(number) if number else None,
        "submitted_at": declaration.submitted_at,
        "review": declaration.review,
        "outcome": declaration.outcome,
        "scanned_at": declaration.scanned_at,
        "released_at": declaration.released_at,
        "referred_at": declaration.referred_at,
    }


@dataclass(frozen=True)
class Exported:
    key: str
    url: str
    expires_at: str
    media_type: str
    rows: int
    bytes: int
    flights: int


def day_flights(port: str, arrival_date: str) -> list[str]:
    """The flight numbers of the port's day (one Query of the flights table)."""
    return [f.flight_number for f in Flight.query(port_day(port, arrival_date))]


def export_declarations(
    principal: Principal,
    port: str,
    arrival_date: str,
    flight_number: str | None,
    fmt: str,
    lang: str,
    *,
    full_numbers: bool,
    definition_of: DefinitionOf,
) -> Exported:
    """A flight's (or, without `flight_number`, the day's) submitted declarations as a file in
    `fmt` (csv, xlsx) labelled in `lang`, stored under `EXPORT_PREFIX` and linked. Officers of
    the port (admins of its agency); `full_numbers` shows whole document numbers (recorded in
    the audit entry). 422 `language_not_in_form` when a form of the rows lacks `lang`,
    `export_too_large` for an XLSX of more than `XLSX_MAX_ROWS` rows (refused at the first
    flight that takes it past them, without reading the rest)."""
    _port_only(principal, port, access.Action.READ)
    flights = [flight_number.upper()] if flight_number else day_flights(port, arrival_date)
    rows: list[Declaration] = []
    for number in flights:
        rows.extend(submitted_of(flight_key(port, arrival_date, number)))
        if fmt == "xlsx" and len(rows) > XLSX_MAX_ROWS:
            # refused as soon as it is too large: a busy day's 231 Queries are not all read
            raise Unprocessable(
                "export_too_large",
                f"more than {XLSX_MAX_ROWS} declarations (an XLSX export's most): export them "
                "as CSV, or one flight at a time",
                details={"rows_at_least": len(rows), "xlsx_max_rows": XLSX_MAX_ROWS},
            )
    versions = sorted({(d.form_id, int(d.form_version)) for d in rows}, key=lambda v: -v[1])
    forms_by_version = {v: definition_of(*v) for v in versions}
    code = lang
    for form in forms_by_version.values():
        code = language_of(form, lang)  # 422 when a form lacks it
    data = export.table(rows, forms_by_version, code, full_numbers=full_numbers)
    title = f"{flight_number.upper()} {arrival_date}" if flight_number else f"{port} {arrival_date}"
    body = export.to_csv(data) if fmt == "csv" else export.to_xlsx(data, title)
    name = f"declarations-{port}-{arrival_date}" + (
        f"-{flight_number.upper()}" if flight_number else ""
    )
    key = f"{EXPORT_PREFIX}{port}/{arrival_date}/{secrets.token_hex(8)}.{fmt}"
    uploads.s3_client().put_object(
        Bucket=settings().upload_bucket,
        Key=key,
        Body=body,
        ContentType=FORMATS[fmt],
        ContentDisposition=f'attachment; filename="{name}.{fmt}"',
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "declaration.export",
            f"flight:{flight_key(port, arrival_date, flight_number)}"
            if flight_number
            else f"port_day:{port_day(port, arrival_date)}",
            {
                "port": port,
                "arrival_date": arrival_date,
                "flight_number": flight_number,
                "format": fmt,
                "lang": code,
                "rows": len(rows),
                "full_numbers": full_numbers,
                "key": key,
            },
        ),
        chain=audit.chain_for("remote_survey", access.jurisdiction_scope(port).agency),
    )
    expires = clock.iso(clock.from_epoch(clock.now().timestamp() + EXPORT_LINK_SECONDS))
    return Exported(
        key=key,
        url=uploads.link(key, EXPORT_LINK_SECONDS),
        expires_at=expires,
        media_type=FORMATS[fmt],
        rows=len(rows),
        bytes=len(body),
        flights=len(flights),
    )
