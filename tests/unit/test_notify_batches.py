"""Notifications to the SNS topic (`enforcement.notify.publish`) on moto in this process: one
notification is one Publish, several go ten to a PublishBatch, and every one arrives."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from enforcement import config, notify
from moto import mock_aws

from benchmarks.metering import AwsMeter


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    """The notifications topic, with a queue subscribed to read what arrives."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        sns = boto3.client("sns", region_name="cn-north-1")
        sqs = boto3.client("sqs", region_name="cn-north-1")
        topic = sns.create_topic(Name="notifications")["TopicArn"]
        url = sqs.create_queue(QueueName="copies")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        monkeypatch.setenv("NOTIFICATIONS_TOPIC_ARN", topic)
        config.settings.cache_clear()
        notify._sns.cache_clear()
        yield sqs, url
        config.settings.cache_clear()
        notify._sns.cache_clear()


def arrived(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        found += [json.loads(m["Body"]) for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def notes(n: int) -> list[Any]:
    return [
        notify.notification(f"off-{k:02d}", "duty.tasks", f"tasks {k}", "07:00-09:00 路口")
        for k in range(n)
    ]


def test_several_notifications_go_ten_to_a_batch_and_all_arrive(queue: tuple[Any, str]) -> None:
    sqs, url = queue
    meter = AwsMeter()
    with meter.measure() as usage:
        notify.publish(notes(23))
    assert usage.calls == {"sns:PublishBatch": 3}
    got = arrived(sqs, url)
    assert sorted(m["recipient"] for m in got) == [f"off-{k:02d}" for k in range(23)]
    assert {m["kind"] for m in got} == {"duty.tasks"}


def test_one_notification_is_one_publish(queue: tuple[Any, str]) -> None:
    sqs, url = queue
    meter = AwsMeter()
    with meter.measure() as usage:
        notify.publish(notes(1))
    assert usage.calls == {"sns:Publish": 1}
    [message] = arrived(sqs, url)
    assert (message["recipient"], message["body"]) == ("off-00", "07:00-09:00 路口")
