"""Notifications: an inbox per recipient in DynamoDB, and a copy on the SNS topic.

The inbox item is written in the transaction of the change that causes it; the SNS copy (for
the mini-program subscription-message sender and the command centre) is published afterwards,
best effort: a failed publish is logged, never turned into a failed request.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from enforcement import clock
from enforcement.clients import per_process
from enforcement.config import settings
from enforcement.models import Notification

logger = Logger(child=True)


@per_process
def _sns() -> Any:
    return boto3.client("sns", region_name=settings().region)


def notification(
    recipient: str, kind: str, title: str, body: str, data: dict[str, Any] | None = None
) -> Notification:
    at = clock.iso()
    return Notification(
        recipient,
        f"{at}#{secrets.token_hex(4)}",
        kind=kind,
        title=title,
        body=body,
        data=data or {},
        created_at=at,
    )


def publish(items: list[Notification]) -> None:
    topic = settings().notifications_topic_arn
    if not topic:
        return
    for item in items:
        try:
            _sns().publish(
                TopicArn=topic,
                Subject=item.title[:99],
                Message=json.dumps(
                    {
                        "recipient": item.recipient,
                        "kind": item.kind,
                        "title": item.title,
                        "body": item.body,
                        "data": item.data,
                    },
                    ensure_ascii=False,
                ),
                MessageAttributes={"kind": {"DataType": "String", "StringValue": item.kind}},
            )
        except Exception:
            logger.exception("notification publish failed", extra={"kind": item.kind})


def inbox(recipient: str, limit: int = 50) -> list[Notification]:
    return list(Notification.query(recipient, scan_index_forward=False, limit=limit))


def view(item: Notification) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "data": item.data or {},
        "created_at": item.created_at,
    }
