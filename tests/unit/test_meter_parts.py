"""The meter's parts (benchmarks.metering.AwsMeter.part): the calls one thread makes inside a
part are counted in it as well as in the whole, with their DynamoDB units; other threads' are
not."""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws

from benchmarks.metering import AwsMeter


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> object:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="cn-north-1")
        dynamodb.create_table(
            TableName="things",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


def test_a_parts_calls_count_in_it_and_in_the_whole_and_other_threads_do_not(
    client: object,
) -> None:
    key = {"pk": {"S": "a"}}
    meter = AwsMeter()
    with meter.measure() as usage:
        client.put_item(TableName="things", Item={**key, "blob": {"B": b"x" * 2000}})  # type: ignore[attr-defined]
        with meter.part("step"):
            client.get_item(TableName="things", Key=key, ConsistentRead=True)  # type: ignore[attr-defined]
            other = threading.Thread(
                target=lambda: client.get_item(TableName="things", Key=key)  # type: ignore[attr-defined]
            )
            other.start()
            other.join()
        client.delete_item(TableName="things", Key=key)  # type: ignore[attr-defined]
    assert usage.calls == {
        "dynamodb:PutItem": 1,
        "dynamodb:GetItem": 2,
        "dynamodb:DeleteItem": 1,
    }
    assert list(usage.parts) == ["step"]
    step = usage.parts["step"]
    assert step.calls == {"dynamodb:GetItem": 1}
    assert (step.read_units, step.write_units) == (1.0, 0.0)
    assert step.by_table == {"things": [1.0, 0.0]}
    assert step.items == []  # the meter lists written items; this part wrote none
    assert [(op, kind) for op, _table, kind, _size, _units in usage.items] == [
        ("PutItem", "write"),
        ("DeleteItem", "write"),
    ]
    assert (usage.read_units, usage.write_units) == (1.5, 4.0)
