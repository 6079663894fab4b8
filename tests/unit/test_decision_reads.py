"""The face function's reads: what a decision needs is read in one BatchGetItem (several tables,
strongly consistent) and no item is read twice in one invocation."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.checkin.models import CrewMember, FaceRecord, PhotoDigest

from scripts.check_face_image import FaceWorld
from tests import photos
from tests.unit.test_face_check import world  # noqa: F401 - the moto world fixture
from tests.unit.test_upload_versions import handle


@contextmanager
def batch_requests() -> Iterator[list[dict[str, Any]]]:
    """The RequestItems of every BatchGetItem sent from now on."""
    sent: list[dict[str, Any]] = []
    original = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "BatchGetItem":
            sent.append(params["RequestItems"])
        return original(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        yield sent


@contextmanager
def dynamodb_reads() -> Iterator[list[tuple[str, str]]]:
    """Every DynamoDB item read from now on: (operation, table and key), one entry per item."""
    reads: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "GetItem":
            reads.append((operation, json.dumps([params["TableName"], params["Key"]])))
        elif operation == "BatchGetItem":
            for table, asked in params["RequestItems"].items():
                reads.extend((operation, json.dumps([table, key])) for key in asked["Keys"])
        return original(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        yield reads


def test_items_of_several_tables_are_read_together(world: Any) -> None:  # noqa: F811
    CrewMember("c1", name="c1", face_status="enrolled", created_at="2026-01-01T00:00:00Z").save()
    PhotoDigest("digest#d1", first_key="k", seen_at="2026-01-01T00:00:00Z").save()
    with dynamodb_reads() as reads:
        found = batch_get(
            [
                ItemKey(CrewMember, "c1"),
                ItemKey(CrewMember, "c1"),  # asked twice, read once
                ItemKey(FaceRecord, "crew#c1"),  # not there
                ItemKey(PhotoDigest, "digest#d1"),
            ]
        )
    assert Counter(op for op, _ in reads) == Counter({"BatchGetItem": 3})
    crew = found.item(CrewMember, "c1")
    assert crew is not None
    assert crew.face_status == "enrolled"
    assert found.item(FaceRecord, "crew#c1") is None
    digest = found.item(PhotoDigest, "digest#d1")
    assert digest is not None
    assert digest.first_key == "k"
    assert len(found) == 2


def test_a_table_is_read_eventually_consistent_only_when_every_key_allows(
    world: Any,  # noqa: F811
) -> None:
    with batch_requests() as sent:
        batch_get(
            [
                ItemKey(CrewMember, "c1", consistent=False),
                ItemKey(FaceRecord, "crew#c1", consistent=False),
                ItemKey(FaceRecord, "crew#c2"),  # this one must be fresh: the table is
                ItemKey(PhotoDigest, "pixels#p1", consistent=False),
                ItemKey(PhotoDigest, "pixels#p1"),  # asked twice, once consistent
            ]
        )
    ((request,),) = [sent]
    consistent = {table: asked["ConsistentRead"] for table, asked in request.items()}
    assert consistent == {"crew": False, "face-templates": True, "uploads": True}
    assert len(request["uploads"]["Keys"]) == 1


def test_a_check_decision_reads_no_item_twice(world: Any) -> None:  # noqa: F811
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    with dynamodb_reads() as reads:
        decided = aws.check("li", photos.photo_bytes("obama2.jpg"), handle)
    assert decided["outcome"] == "verified", decided
    # (the world's own writes before the delivery read nothing)
    counted = Counter(item for _, item in reads)
    assert [item for item, n in counted.items() if n > 1] == []
    batched = {item for op, item in reads if op == "BatchGetItem"}
    # the ticket and the check; then the crew record, the face record, the one digest item of
    # the photo (by its pixels), the head of the decision's audit chain
    tables = {"uploads", "checks", "crew", "face-templates", "audit"}
    assert {json.loads(item)[0] for item in batched} == tables
    assert len(batched) == 6
    read = [json.loads(item) for item in batched]
    uploads = [key["object_key"]["S"] for table, key in read if table == "uploads"]
    digests = [key.split("#")[0] for key in uploads if key.startswith(("pixels#", "digest#"))]
    assert digests == ["pixels"]
    # one by one only what other steps read (the used photos)
    singly = [json.loads(item) for op, item in reads if op == "GetItem"]
    assert [t for t, _ in singly if t in ("crew", "checks", "uploads", "audit")] == []
    assert ["face-templates", {"subject_id": {"S": "crew#li"}}] not in singly


def digest_kinds() -> list[str]:
    """The kinds of the `PhotoDigest` items stored (they share the upload tickets' table)."""
    keys = [item.object_key for item in PhotoDigest.scan()]
    return sorted(key.split("#")[0] for key in keys if key.startswith(("pixels#", "digest#")))


def test_a_decision_records_its_photo_by_one_digest_item(world: Any) -> None:  # noqa: F811
    """The pixels' digest alone: the same bytes again, or another file of the same pixels, are
    refused by it as exact copies."""
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    assert aws.check("li", photos.photo_bytes("obama2.jpg"), handle)["outcome"] == "verified"
    assert digest_kinds() == ["pixels"]
    again = aws.check("li", photos.photo_bytes("obama2.jpg"), handle)
    assert (again["outcome"], again["reasons"]) == ("failed", ["face:replayed_photo"])
    assert digest_kinds() == ["pixels"]
