"""The delta objects of a 1:N face index (`enforcement.face.index` describes the layout), the part
that needs no numpy: their keys, their header, and a removal written whole.

The face package needs numpy and dlib, which only the face function's image carries; a removal
carries no vector, so a function without the engine (the e-ticket API when an admin removes a
driver's face, the registry import when a licence is revoked) writes it here, in the same
format `face.index_store` reads and writes (it takes the magic, the header and the keys from
this module).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from enforcement.config import settings

#: Where the indexes live in the upload bucket: `face-index/<name>/`.
PREFIX: Final = "face-index/"
MAGIC: Final = b"FACEIDX1\n"


def delta_key(name: str) -> str:
    """A new delta object's key in the named index: ordered by time (the order deltas apply
    in), unique by its random tail."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{PREFIX}{name}/delta/{stamp}-{secrets.token_hex(4)}.bin"


def header(op: str, subject_ids: Sequence[str]) -> bytes:
    """A delta's first lines: the magic, then `{"op": ..., "ids": [...]}` and a newline; an
    `add` delta's rows follow (len(ids) x 128 float32), a `remove` delta has none."""
    return MAGIC + json.dumps({"op": op, "ids": list(subject_ids)}).encode() + b"\n"


def remove(name: str, subject_ids: Sequence[str]) -> str:
    """Record that the subjects leave the named index (one delta object for all of them, in the
    upload bucket); returns its key. Removing a subject the index does not hold is harmless,
    so a retry may write it again."""
    from enforcement import uploads

    if not name or "/" in name:
        raise ValueError("an index name is one path segment")
    if not subject_ids:
        raise ValueError("no subject to remove")
    for subject_id in subject_ids:
        if not subject_id or "\n" in subject_id or subject_id.endswith("\0"):
            raise ValueError("a subject id is a non-empty line of text")  # as face.flat_index
    key = delta_key(name)
    uploads.s3_client().put_object(
        Bucket=settings().upload_bucket,
        Key=key,
        Body=header("remove", subject_ids),
        ServerSideEncryption="AES256",
    )
    return key
