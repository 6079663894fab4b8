"""S3 event notifications as S3 sends them from a versioned bucket: with the object's versionId.

moto's notification names the key but not the version the write created; S3 adds
`s3.object.versionId` when the bucket has versioning on. Handlers decide on that exact version
(`enforcement.upload_versions`), so the local stack must send it. The patch wraps moto's
`moto.s3.notifications._get_s3_event`, process-wide while any stack is started.

S3 invokes the function ARN the notification names, an alias's or a version's as well as a
function's; its delivery (`_invoke_awslambda`) is wrapped so the handler's context names that ARN
(`infra.local.lambdas.invoking`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from infra.local.lambdas import invoking

_lock = threading.Lock()
_users = 0
_original: Callable[..., dict[str, Any]] | None = None
_original_delivery: Callable[..., None] | None = None


def _with_version(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
    assert _original is not None
    event = _original(event_name, bucket, key, notification_id)
    if getattr(bucket, "is_versioned", False):
        version = getattr(key, "version_id", None)
        if version and version != "null":
            for record in event.get("Records", []):
                record["s3"]["object"]["versionId"] = version
    return event


def _deliver(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    assert _original_delivery is not None
    with invoking(fn_arn):
        _original_delivery(account_id, event_body, fn_arn, region_name)


def install() -> None:
    global _users, _original, _original_delivery
    from moto.s3 import notifications

    with _lock:
        _users += 1
        if _original is None:
            _original = notifications._get_s3_event
            _original_delivery = notifications._invoke_awslambda
            notifications._get_s3_event = _with_version
            notifications._invoke_awslambda = _deliver


def uninstall() -> None:
    global _users, _original, _original_delivery
    from moto.s3 import notifications

    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _original is not None:
            notifications._get_s3_event = _original
            if _original_delivery is not None:
                notifications._invoke_awslambda = _original_delivery
            _original = _original_delivery = None
