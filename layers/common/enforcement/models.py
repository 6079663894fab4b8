"""The shared DynamoDB tables as pynamodb models: accounts, jurisdictions, uploads, the
notification inbox, and the photos a face subject already used (`enforcement.face.replays`).
A capability's own tables are in its `models.py`. Table names come from the environment
(template.yaml).

The face template table is read and written only by the face function: its IAM policy is the
only one that names it.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection
from pynamodb.models import Model

from enforcement.db import table_meta


def _index_meta(name: str) -> Any:
    class Meta:
        index_name = name
        projection = AllProjection()

    return Meta


# ------------------------------------------------------------------ accounts


class Account(Model):
    """A login: an officer/admin (username + password) or a mini-program user (openid)."""

    Meta = table_meta("ACCOUNTS_TABLE", "accounts")

    account_id = UnicodeAttribute(hash_key=True)
    role = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    agency = UnicodeAttribute(null=True)
    jurisdiction = UnicodeAttribute(null=True)
    username = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    openid = UnicodeAttribute(null=True)
    crew_id = UnicodeAttribute(null=True)
    disabled = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


class Jurisdiction(Model):
    """A jurisdiction (a maritime bureau's waters, a traffic police district, a port) and the one
    agency that owns it. Written by the deployment's seed (`python -m enforcement.jurisdictions`);
    every access decision reads it (`enforcement.access`)."""

    Meta = table_meta("JURISDICTIONS_TABLE", "jurisdictions")

    jurisdiction = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    registered_by = UnicodeAttribute()


# ------------------------------------------------------------------ uploads, inbox, used photos


class Upload(Model):
    """A presigned upload handed out: who may upload what, for which purpose, until when."""

    Meta = table_meta("UPLOADS_TABLE", "uploads")

    object_key = UnicodeAttribute(hash_key=True)  # also "digest#<sha256>" items: photos seen
    purpose = UnicodeAttribute()
    actor = UnicodeAttribute()  # who was given the upload, as in the audit log
    subject_id = UnicodeAttribute()
    max_bytes = NumberAttribute()
    status = UnicodeAttribute()  # pending | done | rejected
    result_code = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    purge_at = NumberAttribute()
    sha256 = UnicodeAttribute(null=True)  # of the file decided on
    received_at = UnicodeAttribute(null=True)
    # the one object version the upload was decided on: a later version under the key (the
    # grant posted again) is refused and deleted, and noted here (enforcement.upload_versions)
    version_id = UnicodeAttribute(null=True)
    refused_versions = UnicodeSetAttribute(null=True)
    # what processing the file reported to its uploader (a refused manifest: each bad line)
    details = JSONAttribute(null=True)


class EvidencePhoto(MapAttribute[str, object]):
    """What became of one evidence photo posted for a record (see `enforcement.evidence`)."""

    key = UnicodeAttribute()
    status = UnicodeAttribute()  # accepted | rejected
    code = UnicodeAttribute(null=True)  # why it was rejected
    sha256 = UnicodeAttribute(null=True)
    version_id = UnicodeAttribute(null=True)  # the S3 object version the SHA-256 is of
    size = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    received_at = UnicodeAttribute()


class Notification(Model):
    Meta = table_meta("NOTIFICATIONS_TABLE", "notifications")

    recipient = UnicodeAttribute(hash_key=True)
    notification_key = UnicodeAttribute(range_key=True)  # "<created_at>#<id>"
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    data = JSONAttribute(null=True)
    created_at = UnicodeAttribute()


class UsedPhotos(Model):
    """The former photo history: one item per subject ("used#crew#<crew_id>") in the face
    template table, rewritten whole on every check and growing to ~170 kB. No longer written
    nor read (`UsedPhoto` replaced it); the items left are deleted by
    `enforcement.face.replays.drop_legacy_histories`."""

    Meta = table_meta("FACE_TEMPLATES_TABLE", "face-templates")

    subject_id = UnicodeAttribute(hash_key=True)  # "used#crew#<crew_id>"
    templates = BinaryAttribute(legacy_encoding=False)  # n x 512 bytes, oldest first
    signatures = BinaryAttribute(legacy_encoding=False)  # n x 256 bytes
    digests = ListAttribute(of=UnicodeAttribute)  # SHA-256 of each photo
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class UsedPhoto(Model):
    """One photo a subject has already used for a check (biometric: its template and photo
    signature, as in `enforcement.face.liveness.PhotoHistory`), so that a copy of it is
    recognised as a replay (`enforcement.face.replays`). Written once, never updated; DynamoDB
    deletes it after `Settings.face_history_days` (`expires_at`, the table's TTL attribute).
    Read and written by the face function only.

    The sort key orders a subject's photos by time (a Query backwards reads the newest, no index
    needed) and is the same for a re-delivery of the same check: "<the check's created time>#
    <SHA-256>". A change of a table's key schema makes CloudFormation replace the table; the
    items lost that way are a history of at most `face_history_days` that TTL deletes anyway."""

    Meta = table_meta("USED_PHOTOS_TABLE", "used-photos")

    history = UnicodeAttribute(hash_key=True)  # "used#crew#<crew_id>"
    # "<ISO time of the check>#<SHA-256 of the photo's bytes>": `used_at` and `digest`, kept
    # in the key only, so that the item stays within one write unit (1 kB)
    used = UnicodeAttribute(range_key=True)
    template = BinaryAttribute(legacy_encoding=False)  # 512 bytes
    signature = BinaryAttribute(legacy_encoding=False, null=True)  # 256 bytes, when known
    # SHA-256 of the photo's decoded pixels (`FaceTemplate.pixel_digest`): the key of the
    # `PhotoDigest` its decision wrote ("pixels#<sha256>"), which makes the entry count
    pixels = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # epoch seconds (TTL)

    @property
    def used_at(self) -> str:
        """The ISO time of the check that used the photo."""
        return str(self.used).split("#", 1)[0]

    @property
    def digest(self) -> str:
        """The SHA-256 of the photo's bytes."""
        return str(self.used).split("#", 1)[1]
