"""Exports of declarations (`python -m benchmarks survey_exports`): a port's day at ten times
the seed's peak, 230 flights x 80 submitted declarations (18,400) of the 12-language arrival
form, as CSV and as XLSX in Japanese.

Two measures:
- the whole export (reads, table, file, put, link, audit) with the tables and the bucket under
  moto in this process, on `METERED_FLIGHTS` flights of 80: its AWS calls and DynamoDB read
  units (counted by `AwsMeter`: exact; a day's are one Query of the flights plus one Query per
  flight, so they scale with the flights). moto answers a GSI Query by scanning the table, so
  a whole day under moto measures moto, not the export;
- our own work on the whole day (18,400 declarations in memory): building the table, the CSV
  and the XLSX, in this process's CPU (`time.process_time()`), and the files' sizes.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from importlib import resources
from typing import Any

from benchmarks.metering import AwsMeter

FLIGHTS = 230
METERED_FLIGHTS = 10
PER_FLIGHT = 80
DAY = "2026-12-01"
REGION = "cn-north-1"


def _answers(n: int) -> dict[str, Any]:
    return {
        "surname": f"TRAVELLER{n:05d}",
        "given_names": "ANNA MARIA",
        "sex": "F" if n % 2 else "M",
        "date_of_birth": "1974-08-12",
        "nationality": ("JPN", "KOR", "CHN", "USA", "FRA")[n % 5],
        "document_type": "passport",
        "document_number": f"E{n:08d}",
        "seat_number": f"{n % 40 + 1}{'ABCDEF'[n % 6]}",
        "countries_visited": ["JPN", "KOR"],
        "contact_confirmed": "no",
        "contact_symptomatic": "no",
        "symptoms": ["fever", "dry_cough"] if n % 50 == 0 else ["none"],
        "temperature": "36.6",
        "medicine_taken": "no",
        "address": "上海市浦东新区世纪大道100号",
        "phone": "+8613800138000",
        "declaration": "yes",
    }


def main() -> int:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name.endswith("_TABLE"):
            del os.environ[name]
    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's
    )
    from moto import mock_aws

    with mock_aws():
        return _run()


def _run() -> int:
    import boto3
    from enforcement import audit, clock, config, db, forms, jurisdictions, models
    from enforcement.auth import Principal, Role
    from enforcement.remote_survey import declaration_lists
    from enforcement.remote_survey import models as survey_models
    from enforcement.remote_survey.models import Declaration, Flight, flight_key, port_day

    config.settings.cache_clear()
    db._connection.cache_clear()
    tables = [*vars(models).values(), *vars(survey_models).values(), audit.AuditEntry]
    made: set[str] = set()
    for model in tables:
        if isinstance(model, type) and hasattr(model, "Meta") and hasattr(model, "create_table"):
            name = getattr(model.Meta, "table_name", None)
            if name and name not in made:
                made.add(name)
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=config.settings().upload_bucket,
        CreateBucketConfiguration={"LocationConstraint": REGION},
    )
    agency, port = "customs-bench", "pvg-bench"
    jurisdictions.register("admin:seed", agency, port)
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    form = forms.publish(json.loads(source.read_text(encoding="utf-8")))
    now = clock.iso()

    def declaration(n: int, number: str) -> Declaration:
        answers = _answers(n)
        return Declaration(
            f"dc-{secrets.token_hex(8)}",
            owner=f"acc-{n}",
            port=port,
            agency=agency,
            flight_key=flight_key(port, DAY, number),
            flight_number=number,
            arrival_date=DAY,
            form_id=form.form_id,
            form_version=1,
            lang="ja",
            status="submitted",
            version=1,
            answers=answers,
            computed={"has_symptoms": "no", "has_fever": "no"},
            started_at=now,
            updated_at=now,
            submitted_at=now,
            document_number=answers["document_number"],
            outcome="release",
            review="received",
        )

    numbers = [f"MU{5000 + f}" for f in range(FLIGHTS)]
    with Flight.batch_write() as flights, Declaration.batch_write() as declarations:
        for f, number in enumerate(numbers[:METERED_FLIGHTS]):
            flights.save(
                Flight(
                    port_day(port, DAY),
                    number,
                    port=port,
                    agency=agency,
                    arrival_date=DAY,
                    origin="JPN",
                    scheduled_on_block=f"{DAY}T02:00:00.000Z",
                )
            )
            for i in range(PER_FLIGHT):
                declarations.save(declaration(f * PER_FLIGHT + i, number))
    officer = Principal("officer-bench", Role.OFFICER, agency=agency, jurisdiction=port)
    meter = AwsMeter()
    print(f"whole exports under moto, {METERED_FLIGHTS} flights x {PER_FLIGHT}:")
    for fmt in ("csv", "xlsx"):
        with meter.measure() as usage:
            done = declaration_lists.export_declarations(
                officer, port, DAY, None, fmt, "ja",
                full_numbers=False, definition_of=lambda *_: form,
            )  # fmt: skip
        calls = ", ".join(f"{k} {v}" for k, v in sorted(usage.calls.items()))
        print(
            f"  {fmt}: {done.rows} rows, {done.bytes / 1e6:.2f} MB; calls: {calls}; "
            f"DynamoDB read units {usage.read_units:.1f}, write units {usage.write_units:.1f}"
        )
    rows = [declaration(n, numbers[n // PER_FLIGHT]) for n in range(FLIGHTS * PER_FLIGHT)]
    built = in_memory(rows, {(form.form_id, 1): form}, "ja", DAY)
    print(
        f"a whole day in memory, {len(rows)} declarations x {built['columns']} columns, CPU: "
        f"table {built['table_s']:.2f} s, CSV {built['csv_s']:.2f} s "
        f"({built['csv_mb']:.1f} MB), XLSX {built['xlsx_s']:.2f} s ({built['xlsx_mb']:.1f} MB)"
    )
    return 0


def in_memory(rows: list[Any], versions: dict[Any, Any], lang: str, title: str) -> dict[str, Any]:
    """Our own work on `rows` (declarations in memory): the table, the CSV and the XLSX, each
    in this process's CPU seconds (`time.process_time()`), and the files' sizes."""
    from enforcement.remote_survey import export

    cpu = time.process_time()
    data = export.table(rows, versions, lang)
    table_s = time.process_time() - cpu
    cpu = time.process_time()
    csv_bytes = export.to_csv(data)
    csv_s = time.process_time() - cpu
    cpu = time.process_time()
    xlsx_bytes = export.to_xlsx(data, title)
    xlsx_s = time.process_time() - cpu
    return {
        "columns": len(data.header),
        "table_s": table_s,
        "csv_s": csv_s,
        "xlsx_s": xlsx_s,
        "csv_mb": len(csv_bytes) / 1e6,
        "xlsx_mb": len(xlsx_bytes) / 1e6,
    }


if __name__ == "__main__":
    raise SystemExit(main())
