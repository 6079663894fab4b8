"""The meter (`benchmarks.metering.AwsMeter`) under moto: a write is billed on the table and on
each secondary index the item lands in, local indexes included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from benchmarks.metering import AwsMeter

REGION = "cn-north-1"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in list(__import__("os").environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def table(client: Any, name: str, local_index: bool) -> None:
    extra: dict[str, Any] = {}
    attributes = [
        {"AttributeName": "history", "AttributeType": "S"},
        {"AttributeName": "digest", "AttributeType": "S"},
    ]
    if local_index:
        attributes.append({"AttributeName": "used_at", "AttributeType": "S"})
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": "newest",
                "KeySchema": [
                    {"AttributeName": "history", "KeyType": "HASH"},
                    {"AttributeName": "used_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "history", "KeyType": "HASH"},
            {"AttributeName": "digest", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


ITEM = {
    "history": {"S": "used#crew#li"},
    "digest": {"S": "d" * 64},
    "used_at": {"S": "2026-12-01T00:00:00.000Z"},
    "template": {"B": b"\x01" * 512},
}


def test_a_write_to_a_table_with_a_local_index_is_billed_twice(dynamodb: Any) -> None:
    table(dynamodb, "plain", local_index=False)
    table(dynamodb, "indexed", local_index=True)
    meter = AwsMeter()
    with meter.measure() as usage:
        dynamodb.put_item(TableName="plain", Item=ITEM)
        dynamodb.put_item(TableName="indexed", Item=ITEM)
        # an item without the index's sort key is not in the index: the table only
        unindexed = {k: v for k, v in ITEM.items() if k != "used_at"}
        dynamodb.put_item(TableName="indexed", Item={**unindexed, "digest": {"S": "e" * 64}})
    assert usage.by_table["plain"] == [0.0, 1.0]
    assert usage.by_table["indexed"] == [0.0, 3.0]  # 1 + its index's 1, then 1
    assert [units for _op, _table, _kind, _size, units in usage.items] == [1, 2, 1]
