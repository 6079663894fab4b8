"""Audit checkpoints on the local stack: the scheduled function writes them, and verification
names a chain dropped whole, a chain rolled back to an earlier head, and an edited checkpoint.

Each test runs on an audit log of its own (a new table and bucket shaped as the stack's, which the
functions and the command then use): verifying every chain reads the whole log, and the shared
one grows with the suite. Each test builds its own chain, tampers with it or with a checkpoint,
and puts everything back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from enforcement import audit, audit_checkpoints, audit_cli, config

from infra.local.stack import LocalStack


@pytest.fixture(autouse=True)
def own_log(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new, empty audit table and bucket, copies of the stack's in shape, for this test."""
    dynamodb, s3 = stack.boto3_client("dynamodb"), stack.boto3_client("s3")
    shape = dynamodb.describe_table(TableName=stack.env["AUDIT_TABLE"])["Table"]
    table = f"audit-{secrets.token_hex(4)}"
    dynamodb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=shape["KeySchema"],
        AttributeDefinitions=shape["AttributeDefinitions"],
        GlobalSecondaryIndexes=[
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in shape.get("GlobalSecondaryIndexes", [])
        ],
    )
    bucket = f"audit-{secrets.token_hex(4)}"
    s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": stack.region},
        ObjectLockEnabledForBucket=True,
    )
    monkeypatch.setitem(stack.env, "AUDIT_TABLE", table)
    monkeypatch.setitem(stack.env, "AUDIT_BUCKET", bucket)
    monkeypatch.setenv("AUDIT_TABLE", table)
    monkeypatch.setenv("AUDIT_BUCKET", bucket)
    config.settings.cache_clear()
    yield
    monkeypatch.undo()
    config.settings.cache_clear()
    dynamodb.delete_table(TableName=table)


def _chain_of(length: int) -> str:
    chain = f"test-cp-{secrets.token_hex(4)}"
    for n in range(length):
        audit.commit(audit.AuditEvent("system:test", "test.write", f"t:{n}", {"n": n}), chain=chain)
    return chain


def _checkpoint(stack: LocalStack) -> dict[str, Any]:
    [result] = stack.fire_schedule("AuditCheckpointFunction")
    assert result.error is None, result.error
    payload: dict[str, Any] = result.payload
    return payload


def _cli(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()  # the functions' own log lines
    status = audit_cli.main(
        [
            "--table",
            stack.env["AUDIT_TABLE"],
            "--bucket",
            stack.env["AUDIT_BUCKET"],
            "--endpoint-url",
            stack.moto_url,
        ]
    )
    return status, json.loads(capsys.readouterr().out)


@contextmanager
def _items_removed(stack: LocalStack, chain: str, seqs: list[int]) -> Iterator[Any]:
    """Delete these items of `chain` (0 is its head) and put them back afterwards."""
    dynamodb = stack.boto3_client("dynamodb")
    table = stack.env["AUDIT_TABLE"]
    keys = [{"chain": {"S": chain}, "seq": {"N": str(seq)}} for seq in seqs]
    saved = [dynamodb.get_item(TableName=table, Key=key)["Item"] for key in keys]
    for key in keys:
        dynamodb.delete_item(TableName=table, Key=key)
    try:
        yield dynamodb
    finally:
        for item in saved:
            dynamodb.put_item(TableName=table, Item=item)


def test_the_schedule_writes_a_checkpoint_of_every_chain_and_it_verifies(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _chain_of(2)
    first = _checkpoint(stack)
    second = _checkpoint(stack)
    assert second["number"] == first["number"] + 1
    assert second["previous"] == first["sha256"]
    s3 = stack.boto3_client("s3")
    body = s3.get_object(Bucket=stack.env["AUDIT_BUCKET"], Key=second["key"])["Body"].read()
    document = json.loads(body)
    assert audit_checkpoints.digest(body) == second["sha256"]
    assert document["chains"][chain] == {"seq": 2, "hash": audit.head(chain).last_hash}
    assert set(document["chains"]) == set(audit.chains()) - {audit_checkpoints.CHECKPOINT_CHAIN}
    status, report = _cli(stack, capsys)
    assert status == 0, report
    assert report["checkpoints"] >= 2


def test_a_chain_dropped_whole_is_named(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _chain_of(3)
    checkpoint = _checkpoint(stack)
    with _items_removed(stack, chain, [0, 1, 2, 3]):
        assert chain not in audit.chains()
        assert audit.verify_chain().ok  # every chain left verifies on its own
        status, report = _cli(stack, capsys)
        assert status == 1
        assert (
            f"chain {chain} is gone: checkpoint {checkpoint['number']} recorded 3 entries"
            in report["problems"]
        )
    assert _cli(stack, capsys)[0] == 0


def test_a_chain_rolled_back_to_an_earlier_head_is_named(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _chain_of(4)
    checkpoint = _checkpoint(stack)
    second = audit.AuditEntry.get(chain, 2, consistent_read=True)
    last = audit.head(chain)
    assert last is not None
    head = {"chain": {"S": chain}, "seq": {"N": "0"}}
    with _items_removed(stack, chain, [3, 4]) as dynamodb:
        dynamodb.update_item(
            TableName=stack.env["AUDIT_TABLE"],
            Key=head,
            UpdateExpression="SET last_seq = :s, last_hash = :h",
            ExpressionAttributeValues={":s": {"N": "2"}, ":h": {"S": second.hash}},
        )
        try:
            assert audit.verify_chain(chain).ok  # consistent on its own
            status, report = _cli(stack, capsys)
            assert status == 1
            assert (
                f"chain {chain} was rolled back: it has 2 entries, "
                f"checkpoint {checkpoint['number']} recorded 4" in report["problems"]
            )
        finally:
            dynamodb.update_item(
                TableName=stack.env["AUDIT_TABLE"],
                Key=head,
                UpdateExpression="SET last_seq = :s, last_hash = :h",
                ExpressionAttributeValues={
                    ":s": {"N": "4"},
                    ":h": {"S": str(last.last_hash)},
                },
            )
    assert _cli(stack, capsys)[0] == 0


def test_an_edited_checkpoint_is_named(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = _chain_of(1)
    checkpoint = _checkpoint(stack)
    s3 = stack.boto3_client("s3")
    bucket, key = stack.env["AUDIT_BUCKET"], checkpoint["key"]
    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    document = json.loads(original)
    del document["chains"][chain]  # hide a chain from the record
    s3.put_object(Bucket=bucket, Key=key, Body=audit_checkpoints.canonical_bytes(document))
    try:
        status, report = _cli(stack, capsys)
        assert status == 1
        assert (
            f"checkpoint {checkpoint['number']}: its document {key} was changed"
            in report["problems"]
        )
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=original)
    assert _cli(stack, capsys)[0] == 0
