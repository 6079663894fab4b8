"""Notifications: an inbox per recipient in DynamoDB, and a copy on the SNS topic.

The inbox item is written in the transaction of the change that causes it; the SNS copy (for
the mini-program subscription-message sender and the command centre) is published afterwards,
best effort: a failed publish is logged, never turned into a failed request.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from aws_lambda_powertools import Logger

from enforcement import clock
from enforcement.clients import make_client, per_process
from enforcement.config import settings
from enforcement.models import Notification

logger = Logger(child=True)


@per_process
def _sns() -> Any:
    return make_client("sns")


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


#: SNS PublishBatch takes at most ten messages (256 KiB in all).
BATCH = 10


def _message(item: Notification) -> dict[str, Any]:
    return {
        "Subject": item.title[:99],
        "Message": json.dumps(
            {
                "recipient": item.recipient,
                "kind": item.kind,
                "title": item.title,
                "body": item.body,
                "data": item.data,
            },
            ensure_ascii=False,
        ),
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": item.kind}},
    }


def publish(items: list[Notification]) -> None:
    """One Publish for one notification; several go ten to a PublishBatch (billed as one
    request per 64 KB, so up to ten times cheaper)."""
    topic = settings().notifications_topic_arn
    if not topic:
        return
    if len(items) == 1:
        try:
            _sns().publish(TopicArn=topic, **_message(items[0]))
        except Exception:
            logger.exception("notification publish failed", extra={"kind": items[0].kind})
        return
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        try:
            answer = _sns().publish_batch(
                TopicArn=topic,
                PublishBatchRequestEntries=[
                    {"Id": str(n), **_message(item)} for n, item in enumerate(chunk)
                ],
            )
        except Exception:
            logger.exception("notification publish failed", extra={"kind": chunk[0].kind})
            continue
        for failed in answer.get("Failed", []):
            logger.error(
                "notification publish failed",
                extra={"kind": chunk[int(failed["Id"])].kind, "code": failed.get("Code")},
            )


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
