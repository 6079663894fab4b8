"""S3 event notifications as S3 sends them from a versioned bucket: with the object's versionId.

moto's notification names the key but not the version the write created; S3 adds
`s3.object.versionId` when the bucket has versioning on. Handlers decide on that exact version
(`enforcement.upload_versions`), so the local stack must send it. The patch wraps moto's
`moto.s3.notifications._get_s3_event`, process-wide while any stack is started.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_users = 0
_original: Callable[..., dict[str, Any]] | None = None


def _with_version(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
    assert _original is not None
    event = _original(event_name, bucket, key, notification_id)
    if getattr(bucket, "is_versioned", False):
        version = getattr(key, "version_id", None)
        if version and version != "null":
            for record in event.get("Records", []):
                record["s3"]["object"]["versionId"] = version
    return event


def install() -> None:
    global _users, _original
    from moto.s3 import notifications

    with _lock:
        _users += 1
        if _original is None:
            _original = notifications._get_s3_event
            notifications._get_s3_event = _with_version


def uninstall() -> None:
    global _users, _original
    from moto.s3 import notifications

    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _original is not None:
            notifications._get_s3_event = _original
            _original = None
