"""The evidence function's work for one hazard photo (`enforcement.evidence.process`) on moto's
in-process DynamoDB and a versioned S3 bucket with Object Lock, as template.yaml makes it: what
it reads and writes, metered (`benchmarks.metering`), and what a re-delivery does."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from enforcement import audit, evidence
from enforcement.duty import hazards
from enforcement.duty.models import HazardReport
from enforcement.duty.schemas import HazardIn
from enforcement.models import Upload

from benchmarks.metering import AwsMeter
from tests import photos
from tests.unit.duty.conftest import BUCKET, on_duty

pytestmark = pytest.mark.usefixtures("tables")


@pytest.fixture
def bucket(tables: None) -> Any:
    """The upload bucket made again with Object Lock (and so versioning), as in the template."""
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.delete_bucket(Bucket=BUCKET)
    s3.create_bucket(
        Bucket=BUCKET,
        CreateBucketConfiguration={"LocationConstraint": "cn-north-1"},
        ObjectLockEnabledForBucket=True,
    )
    return s3


def posted(s3: Any, photos_count: int = 1) -> tuple[str, list[tuple[str, str]]]:
    """A hazard report with photo grants, each posted: its id and each photo's key and version."""
    report = hazards.report(
        on_duty("wang"),
        HazardIn.model_validate(
            {
                "kind": "road_hazard",
                "description": "路面散落货物",
                "gps": {"lat": 37.54, "lon": 121.35, "accuracy_m": 8},
                "photos": photos_count,
            }
        ),
    )
    sent = []
    for grant in report["uploads"]:
        put = s3.put_object(Bucket=BUCKET, Key=grant["key"], Body=photos.background())
        sent.append((grant["key"], put["VersionId"]))
    return report["report_id"], sent


def chain_of(report_id: str) -> str:
    return audit.chain_of(
        audit.AuditEvent("", "evidence.accepted", f"hazard:{report_id}", {}), None, None
    )


def writes(calls: dict[str, int]) -> dict[str, int]:
    return {
        op: n
        for op, n in calls.items()
        if op.split(":")[1] in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")
        or op.startswith("dynamodb:BatchWrite")
    }


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("evidence/hazard/hz-0123/abcd", "hazard:hz-0123"),
        ("evidence/inspection/draw-01/ship-7/abcd", "inspection:draw-01/ship-7"),
        ("uploads/hazard/hz-0123/abcd", None),
        ("evidence/hazard/abcd", None),
        ("evidence/hazard/hz-0123/", None),
    ],
)
def test_the_audit_target_of_a_photo_follows_from_its_key(key: str, target: str | None) -> None:
    assert evidence.audit_target(key) == target


def test_a_photo_is_decided_on_one_batched_read_and_one_transaction(bucket: Any) -> None:
    report_id, [(key, version)] = posted(bucket)
    meter = AwsMeter()
    with meter.measure() as usage:
        outcome = evidence.process(key, version)
    assert outcome["outcome"] == "accepted"
    # the ticket and the chain's head in one read; no HeadObject, no second GetItem
    assert usage.calls == {
        "dynamodb:BatchGetItem": 1,
        "s3:GetObject": 1,
        "dynamodb:TransactWriteItems": 1,
        "s3:PutObjectRetention": 1,
    }
    [photo] = HazardReport.get(report_id).photos
    assert (photo.status, photo.version_id) == ("accepted", version)
    assert Upload.get(key).status == "done"
    chain = chain_of(report_id)
    assert [e.action for e in audit.entries(chain)] == ["evidence.accepted"]
    assert audit.verify_entries(audit.entries(chain), audit.head(chain), chain).ok


def test_a_redelivered_event_reads_once_and_writes_nothing(bucket: Any) -> None:
    report_id, [(key, version)] = posted(bucket)
    assert evidence.process(key, version)["outcome"] == "accepted"
    chain = chain_of(report_id)
    entries = len(list(audit.entries(chain)))
    meter = AwsMeter()
    with meter.measure() as usage:
        again = evidence.process(key, version)
    assert again == {"key": key, "outcome": "already_processed", "status": "done"}
    assert writes(usage.calls) == {}
    assert usage.write_units == 0
    # what a stopped first delivery may have left undone (the retention) is done again
    assert usage.calls == {"dynamodb:BatchGetItem": 1, "s3:PutObjectRetention": 1}
    assert len(list(audit.entries(chain))) == entries
    assert len(HazardReport.get(report_id).photos) == 1


def test_a_head_that_moved_after_the_batched_read_only_costs_a_retry(
    bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another change about the same report lands in the chain between the read and the
    decision: the decision's transaction loses the race, reads the head afresh and commits."""
    report_id, [(key, version)] = posted(bucket)
    real = evidence.batch_get

    def read_then_move_on(keys: Any) -> Any:
        reads = real(keys)
        audit.commit(audit.AuditEvent("system:test", "evidence.note", f"hazard:{report_id}", {}))
        return reads

    monkeypatch.setattr(evidence, "batch_get", read_then_move_on)
    meter = AwsMeter()
    with meter.measure() as usage:
        assert evidence.process(key, version)["outcome"] == "accepted"
    assert usage.calls["dynamodb:TransactWriteItems"] == 3  # the note, the lost try, the retry
    chain = chain_of(report_id)
    assert [e.action for e in audit.entries(chain)] == ["evidence.note", "evidence.accepted"]
    assert audit.verify_entries(audit.entries(chain), audit.head(chain), chain).ok
