"""Photo and signature uploads: presigned POSTs out, S3 events back in.

The client posts the file straight to S3 with the presigned POST it got (as the mini-program
upload call does). The grant is recorded as an `Upload` ticket in the same transaction as the
record it belongs to; when the S3 event arrives the ticket says what the object is for and who
sent it. S3 enforces the POST policy (bucket, the exact key, 1 byte to `upload_max_bytes`, an
image content type, a few minutes of life; the local stack enforces it the same way), and the
handler still re-checks size and ownership itself. A policy can be posted more than once while
it lives, and each post makes a new object version in the versioned bucket: the ticket is
decided on one version, and `enforcement.upload_versions` refuses and deletes any other.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from botocore.config import Config
from botocore.exceptions import ClientError

from enforcement import clock
from enforcement.clients import make_client, per_process
from enforcement.config import settings
from enforcement.models import Upload

PREFIX = "uploads/"
#: Content type posted with a photo: the grant presets it, the policy admits any `image/` type.
PHOTO_CONTENT_TYPE = "image/jpeg"
#: S3 error codes of an object (or object version) that is not there.
MISSING = frozenset({"404", "NoSuchKey", "NoSuchVersion", "NotFound"})


class ObjectMissing(Exception):
    """The object (version) an event announced is not in the bucket (deleted meanwhile)."""


@per_process
def s3_client() -> Any:
    return make_client("s3", config=Config(signature_version="s3v4"))


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
    purpose: str,
    actor: str,
    subject_id: str,
    *,
    prefix: str = PREFIX,
    content_type: str = PHOTO_CONTENT_TYPE,
    max_bytes: int | None = None,
    suffix: str = "",
) -> tuple[Upload, UploadGrant]:
    """A new upload ticket (to be saved in the caller's transaction) and its presigned POST.

    The key's prefix says which function the bucket notifies: `uploads/` the face function,
    `evidence/` the evidence-photo function (see `enforcement.evidence`), `survey/manifests/`
    the manifest import, `ticketing/registries/` the registry import. The policy admits the
    content type's family (`image/` for photos, `text/` for a CSV) and at most `max_bytes`
    (default `upload_max_bytes`). The key ends in a random id, then `suffix` (`.csv`).
    """
    cfg = settings()
    now = clock.now()
    limit = max_bytes or cfg.upload_max_bytes
    expires = now + timedelta(seconds=cfg.upload_url_ttl_seconds)
    key = f"{prefix}{purpose}/{subject_id}/{secrets.token_hex(12)}{suffix}"
    # boto3 adds {"bucket": ...} and {"key": key}: the exact key, never a prefix
    post = s3_client().generate_presigned_post(
        Bucket=cfg.upload_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            ["content-length-range", 1, limit],
            ["starts-with", "$Content-Type", content_type.split("/")[0] + "/"],
        ],
        ExpiresIn=cfg.upload_url_ttl_seconds,
    )
    ticket = Upload(
        key,
        purpose=purpose,
        actor=actor,
        subject_id=subject_id,
        max_bytes=limit,
        status="pending",
        created_at=clock.iso(now),
        expires_at=clock.iso(expires),
        purge_at=int((now + timedelta(days=30)).timestamp()),
    )
    grant = UploadGrant(key, post["url"], dict(post["fields"]), limit, ticket.expires_at)
    return ticket, grant


def deliveries(records: Iterable[Any]) -> Iterator[dict[str, str]]:
    """The objects an S3 event announces (Powertools `S3Event.records`): bucket, decoded key,
    sequencer (with bucket and key, the identity of one delivery) and the object
    version (None when the event names none: a bucket without versioning)."""
    for record in records:
        obj = record.s3.get_object
        yield {
            "bucket": record.s3.bucket.name,
            "key": unquote_plus(obj.key),
            "sequencer": obj.sequencer,
            "version_id": obj.version_id,
        }


def _version_args(version_id: str | None) -> dict[str, str]:
    return {"VersionId": version_id} if version_id and version_id != "null" else {}


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


def current_version(key: str) -> str:
    """The version id of the object now under `key` ("null" in a bucket without versioning)."""
    try:
        head = s3_client().head_object(Bucket=settings().upload_bucket, Key=key)
    except ClientError as exc:
        if _missing(exc):
            raise ObjectMissing(key) from exc
        raise
    return str(head.get("VersionId") or "null")


def version_exists(key: str, version_id: str) -> bool:
    try:
        s3_client().head_object(
            Bucket=settings().upload_bucket, Key=key, **_version_args(version_id)
        )
    except ClientError as exc:
        if _missing(exc):
            return False
        raise
    return True


def fetch(key: str, max_bytes: int, version_id: str | None = None) -> tuple[bytes | None, int]:
    """The bytes of the object (that version of it), or None (with its size) when it is larger
    than allowed; `ObjectMissing` when it is not there.

    One GET: its ContentLength gives the size, and an object larger than allowed is not read
    (the stream is closed unread); at most `max_bytes + 1` bytes are ever read."""
    bucket, version = settings().upload_bucket, _version_args(version_id)
    try:
        got = s3_client().get_object(Bucket=bucket, Key=key, **version)
        stream = got["Body"]
        try:
            size = int(got["ContentLength"])
            if size > max_bytes:
                return None, size
            body = stream.read(max_bytes + 1)
        finally:
            stream.close()
    except ClientError as exc:
        if _missing(exc):
            raise ObjectMissing(key) from exc
        raise
    if len(body) > max_bytes:
        return None, len(body)
    return body, size


def discard(key: str, version_id: str | None = None) -> None:
    """Delete an object that was refused (too large, not an image, a second post): nothing kept
    that is junk. With a version id that version is deleted for good (without one, a versioned
    bucket would only hide the object behind a delete marker)."""
    s3_client().delete_object(Bucket=settings().upload_bucket, Key=key, **_version_args(version_id))


def retain(key: str, version_id: str, until: datetime, mode: str) -> None:
    """Object Lock retention on one object version: it cannot be deleted or shortened before
    `until` (GOVERNANCE: except by a principal allowed to bypass it). Applied after a file is
    accepted, never by default, so that a refused or replacing version can still be deleted.
    Setting the same or a later date again is allowed, so a retry is harmless."""
    s3_client().put_object_retention(
        Bucket=settings().upload_bucket,
        Key=key,
        VersionId=version_id,
        Retention={"Mode": mode, "RetainUntilDate": until},
    )


def put_document(key: str, body: bytes) -> None:
    """Store a JSON document the system itself writes (snapshots, results, rotas)."""
    s3_client().put_object(
        Bucket=settings().upload_bucket, Key=key, Body=body, ContentType="application/json"
    )


def get_document(key: str) -> bytes:
    body: bytes = s3_client().get_object(Bucket=settings().upload_bucket, Key=key)["Body"].read()
    return body


def link(key: str, ttl_seconds: int = 3600, version_id: str | None = None) -> str:
    """A presigned GET of an object (of that version of it), for people allowed to see it."""
    url: str = s3_client().generate_presigned_url(
        "get_object",
        Params={"Bucket": settings().upload_bucket, "Key": key, **_version_args(version_id)},
        ExpiresIn=ttl_seconds,
    )
    return url


def ticket(key: str) -> Upload | None:
    try:
        return Upload.get(key, consistent_read=True)
    except Upload.DoesNotExist:
        return None
