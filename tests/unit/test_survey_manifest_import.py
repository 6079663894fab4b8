"""The manifest import under moto, in process (the S3 event's work without the stack): the
DynamoDB calls of a 300-passenger import, counted; a file larger than its ticket allows is
refused without being parsed; the same bytes again change nothing; a refusal writes no
flight and no passenger."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from enforcement import audit, clients, config, db, jurisdictions, models, uploads
from enforcement.auth import Principal, Role
from enforcement.remote_survey import flights, manifest_import
from enforcement.remote_survey.models import Flight, ManifestPassenger
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

from tests.integration.manifests import manifest

DAY = "2026-12-01"
#: a port of its own per test (the jurisdictions' registry is remembered per process)
PORT = AGENCY = ""
TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
OFFICER = Principal("officer-q", Role.OFFICER)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name.endswith("_TABLE"):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "UPLOAD_BUCKET": "uploads-unit",
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    db._connection.cache_clear()
    clients.reset()
    with mock_aws():
        for model in (
            models.Upload,
            models.Jurisdiction,
            audit.AuditEntry,
            Flight,
            ManifestPassenger,
        ):
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        s3 = uploads.s3_client()
        s3.create_bucket(
            Bucket="uploads-unit",
            CreateBucketConfiguration={"LocationConstraint": "cn-north-1"},
        )
        s3.put_bucket_versioning(
            Bucket="uploads-unit", VersioningConfiguration={"Status": "Enabled"}
        )
        global PORT, AGENCY, OFFICER
        suffix = secrets.token_hex(4)
        PORT, AGENCY = f"port-{suffix}", f"customs-{suffix}"
        OFFICER = Principal("officer-q", Role.OFFICER, agency=AGENCY, jurisdiction=PORT)
        jurisdictions.register("admin:seed", AGENCY, PORT)
        found: list[str] = []

        def count(event_name: str, **_: Any) -> None:
            found.append(event_name.rsplit(".", 1)[-1])

        db.connection().client.meta.events.register("before-call.dynamodb", count)
        yield found
    config.settings.cache_clear()
    db._connection.cache_clear()
    clients.reset()


def post(content: bytes) -> tuple[str, str]:
    """A granted upload and its posted object: key and version."""
    grant = manifest_import.grant(OFFICER, PORT)
    put = uploads.s3_client().put_object(
        Bucket="uploads-unit", Key=grant["key"], Body=content, ContentType="text/csv"
    )
    return grant["key"], put["VersionId"]


def people(count: int, first: int = 0) -> list[tuple[str, str, str]]:
    return [
        (f"P{n}/X", f"E{n:08d}", f"{n % 60 + 1}{'ABCDEFGHJK'[n % 10]}")
        for n in range(first, first + count)
    ]


def test_the_calls_of_a_300_passenger_import(calls: list[str]) -> None:
    key, version = post(manifest("NH921", DAY, people(300)))
    calls.clear()
    result = manifest_import.process(key, version)
    assert result["outcome"] == "imported"
    # the ticket; the flight; the flight's passengers before; 12 batches of 25 puts; the audit
    # chain's head; one transaction (ticket, flight, audit entry and head)
    assert calls == [
        "GetItem",
        "GetItem",
        "Query",
        *["BatchWriteItem"] * 12,
        "GetItem",
        "TransactWriteItems",
    ]
    listed = flights.passengers_of(PORT, DAY, "NH921")
    assert len(listed) == 300
    # kept for the retention days after the arrival date (DynamoDB TTL)
    assert {p.expires_at for p in listed} == {dt.datetime(2026, 12, 31, tzinfo=dt.UTC)}

    # a newer manifest: 100 passengers stay, 200 leave, 50 come
    key, version = post(manifest("NH921", DAY, people(150, first=200)))
    assert manifest_import.process(key, version)["removed"] == 200
    documents = {p.document_number for p in flights.passengers_of(PORT, DAY, "NH921")}
    assert documents == {f"E{n:08d}" for n in range(200, 350)}

    # the same bytes by another upload: nothing written but the ticket and its audit entry
    key, version = post(manifest("NH921", DAY, people(150, first=200)))
    calls.clear()
    assert manifest_import.process(key, version)["outcome"] == "unchanged"
    assert "BatchWriteItem" not in calls


def test_a_file_larger_than_its_ticket_is_refused_unread(
    calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANIFEST_MAX_BYTES", "200")
    config.settings.cache_clear()
    key, version = post(manifest("NH921", DAY, people(10)))
    result = manifest_import.process(key, version)
    assert result["outcome"] == "refused"
    status = manifest_import.status(OFFICER, PORT, key.rsplit("/", 1)[1])
    assert status["status"] == "rejected"
    assert status["details"]["problems"][0]["code"] == "too_large"
    assert flights.get_flight(PORT, DAY, "NH921") is None


def test_a_refused_file_writes_no_flight_and_no_passenger(calls: list[str]) -> None:
    bad = manifest("NH921", DAY, people(5)) + b"BROKEN/ROW,E1\r\n"
    key, version = post(bad)
    calls.clear()
    assert manifest_import.process(key, version)["outcome"] == "refused"
    assert calls == ["GetItem", "GetItem", "TransactWriteItems"]  # ticket, audit head, closing
    assert flights.get_flight(PORT, DAY, "NH921") is None
    assert flights.passengers_of(PORT, DAY, "NH921") == []
    assert manifest_import.process(key, version)["outcome"] == "already_processed"
    versions = uploads.s3_client().list_object_versions(Bucket="uploads-unit", Prefix=key)
    assert versions.get("Versions", []) == []  # the refused file is not kept


def test_the_retention_parameter_defaults_to_the_setting() -> None:
    template = yaml_parse(TEMPLATE.read_text())
    default = template["Parameters"]["ManifestRetentionDays"]["Default"]
    assert int(default) == config.Settings.model_fields["manifest_retention_days"].default
    rules = template["Resources"]["UploadBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (manifests,) = [rule for rule in rules if rule["Prefix"] == "survey/manifests/"]
    assert manifests["ExpirationInDays"] == {"Ref": "ManifestRetentionDays"}
