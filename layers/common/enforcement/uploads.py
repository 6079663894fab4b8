"""Photo and signature uploads: presigned POSTs out, S3 events back in.

The client posts the file straight to S3 with the presigned POST it got (as the mini-program
upload call does). The grant is recorded as an `Upload` ticket in the same transaction as the
record it belongs to; when the S3 event arrives the ticket says what the object is for and who
sent it. S3 enforces the POST policy in AWS, but the handler re-checks size and ownership itself
(an emulator may not enforce the policy, and a retry must never be processed twice).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

import boto3
from botocore.config import Config

from enforcement import clock
from enforcement.config import settings
from enforcement.models import Upload

PREFIX = "uploads/"


@lru_cache(maxsize=1)
def s3_client() -> Any:
    return boto3.client(
        "s3", region_name=settings().region, config=Config(signature_version="s3v4")
    )


@dataclass(frozen=True)
class UploadGrant:
    """What the client needs to post the file: the URL, the form fields, and the limits."""

    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "url": self.url,
            "fields": self.fields,
            "max_bytes": self.max_bytes,
            "expires_at": self.expires_at,
            "file_field": "file",
        }


def prepare(
    purpose: str, actor: str, subject_id: str, *, prefix: str = PREFIX
) -> tuple[Upload, UploadGrant]:
    """A new upload ticket (to be saved in the caller's transaction) and its presigned POST.

    The key's prefix says which function the bucket notifies: `uploads/` the face function,
    `evidence/` the evidence-photo function (see `enforcement.evidence`).
    """
    cfg = settings()
    now = clock.now()
    expires = now + timedelta(seconds=cfg.upload_url_ttl_seconds)
    key = f"{prefix}{purpose}/{subject_id}/{secrets.token_hex(12)}"
    post = s3_client().generate_presigned_post(
        Bucket=cfg.upload_bucket,
        Key=key,
        Conditions=[["content-length-range", 1, cfg.upload_max_bytes]],
        ExpiresIn=cfg.upload_url_ttl_seconds,
    )
    ticket = Upload(
        key,
        purpose=purpose,
        actor=actor,
        subject_id=subject_id,
        max_bytes=cfg.upload_max_bytes,
        status="pending",
        created_at=clock.iso(now),
        expires_at=clock.iso(expires),
        purge_at=int((now + timedelta(days=30)).timestamp()),
    )
    grant = UploadGrant(
        key, post["url"], dict(post["fields"]), cfg.upload_max_bytes, ticket.expires_at
    )
    return ticket, grant


def deliveries(records: Iterable[Any]) -> Iterator[dict[str, str]]:
    """The objects an S3 event announces (Powertools `S3Event.records`): bucket, decoded key and
    sequencer, the identity of one delivery for idempotency."""
    for record in records:
        obj = record.s3.get_object
        yield {
            "bucket": record.s3.bucket.name,
            "key": unquote_plus(obj.key),
            "sequencer": obj.sequencer,
        }


def fetch(key: str, max_bytes: int) -> tuple[bytes | None, int]:
    """The object's bytes, or None (with its size) when it is larger than allowed."""
    head = s3_client().head_object(Bucket=settings().upload_bucket, Key=key)
    size = int(head["ContentLength"])
    if size > max_bytes:
        return None, size
    body = (
        s3_client().get_object(Bucket=settings().upload_bucket, Key=key)["Body"].read(max_bytes + 1)
    )
    if len(body) > max_bytes:
        return None, len(body)
    return body, size


def discard(key: str) -> None:
    """Delete an object that was refused (too large, not an image): nothing kept that is junk."""
    s3_client().delete_object(Bucket=settings().upload_bucket, Key=key)


def put_document(key: str, body: bytes) -> None:
    """Store a JSON document the system itself writes (snapshots, results, rotas)."""
    s3_client().put_object(
        Bucket=settings().upload_bucket, Key=key, Body=body, ContentType="application/json"
    )


def get_document(key: str) -> bytes:
    body: bytes = s3_client().get_object(Bucket=settings().upload_bucket, Key=key)["Body"].read()
    return body


def link(key: str, ttl_seconds: int = 3600) -> str:
    """A presigned GET of an object, for people allowed to see it."""
    url: str = s3_client().generate_presigned_url(
        "get_object",
        Params={"Bucket": settings().upload_bucket, "Key": key},
        ExpiresIn=ttl_seconds,
    )
    return url


def ticket(key: str) -> Upload | None:
    try:
        return Upload.get(key, consistent_read=True)
    except Upload.DoesNotExist:
        return None
