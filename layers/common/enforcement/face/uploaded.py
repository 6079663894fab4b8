"""An uploaded photo as the face function reads it, for every capability whose photos it
decides (check-in's crew photos, e-tickets' drivers): one object version read and encoded
(`read_photo`), and the upload ticket closed with what was read (`close_ticket`).

A photo that arrived after its grant expired (and a minute's grace) is not read; a file larger
than the ticket allows, or not an image at all, is deleted (that version only): nothing is kept
that is junk. A photo without one usable face keeps the engine's code (`no_face`, ...).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from pynamodb.transactions import TransactWrite

from enforcement import clock, uploads
from enforcement.face import engine
from enforcement.face.configured import engine_config
from enforcement.face.engine import EngineConfig
from enforcement.models import Upload
from enforcement.upload_versions import (
    Arrival,
    after_conflict,
    arrival,
    missing,
    refuse_replacement,
)

#: Errors after which the object is deleted: it is not a usable image at all.
JUNK: Final = frozenset(
    {"image_empty", "image_too_large", "image_too_many_pixels", "image_unreadable"}
)
UPLOAD_GRACE: Final = timedelta(seconds=60)


class Photo:
    """The outcome of reading one uploaded photo: a template, or the engine's error code."""

    def __init__(
        self,
        template: engine.FaceTemplate | None,
        error: str | None,
        digest: str | None,
        version: str | None = None,
    ) -> None:
        self.template = template
        self.error = error
        self.digest = digest
        self.version = version  # the object version read (None: not read)

    def evidence(self) -> dict[str, Any]:
        """The photo as the audit entry names it: object version and SHA-256."""
        return {"version_id": self.version, "sha256": self.digest}


def read_photo(
    ticket: Upload, version: str | None = None, config: EngineConfig | None = None
) -> Photo:
    """Read and encode that version of the ticket's object (`config`: the engine, by default the
    deployment's `engine_config()`); `uploads.ObjectMissing` when gone."""
    if clock.now() > clock.parse(ticket.expires_at) + UPLOAD_GRACE:
        return Photo(None, "upload_expired", None, version)
    data, _size = uploads.fetch(ticket.object_key, int(ticket.max_bytes), version)
    if data is None:
        uploads.discard(ticket.object_key, version)
        return Photo(None, "image_too_large", None, version)
    digest = engine.image_digest(data)
    try:
        template = engine.encode(data, config or engine_config())
    except engine.FaceError as exc:
        if exc.code in JUNK:
            uploads.discard(ticket.object_key, version)
        return Photo(None, exc.code, digest, version)
    return Photo(template, None, digest, version)


def arrived(ticket: Upload, version_id: str | None) -> tuple[str, dict[str, Any] | None]:
    """The object version a photo's event announced, and the event's outcome when there is
    nothing to decide (`upload_versions.arrival`): the object gone (the ticket stays pending), a
    second post of the grant (refused and deleted), a re-delivery (`duplicate`); None: decide."""
    state, version = arrival(ticket, version_id)
    if state is Arrival.MISSING:
        return version, missing(ticket)
    if state is Arrival.REPLACEMENT:
        return version, refuse_replacement(ticket, version)
    if state is Arrival.DECIDED:
        return version, {"key": ticket.object_key, "outcome": "duplicate", "status": ticket.status}
    return version, None


def overtaken(key: str, version: str) -> dict[str, Any] | None:
    """A decision's transaction found the ticket no longer pending: the outcome when another
    delivery decided it meanwhile (this version: `duplicate`; another one: this one refused and
    deleted); None when the ticket is still pending (the conflict was another, and stands)."""
    state, latest = after_conflict(key, version)
    if state is Arrival.REPLACEMENT and latest is not None:
        return refuse_replacement(latest, version)
    if state is Arrival.DECIDED and latest is not None:
        return {"key": key, "outcome": "duplicate", "status": latest.status}
    return None


def close_ticket(
    tx: TransactWrite, ticket: Upload, status: str, code: str | None, photo: Photo
) -> None:
    """The decision's write on the ticket, on condition that it is still pending: its status,
    why (`code`), and the version and SHA-256 of the photo decided on."""
    actions: list[Any] = [Upload.status.set(status), Upload.received_at.set(clock.iso())]
    if code:
        actions.append(Upload.result_code.set(code))
    if photo.version is not None:
        actions.append(Upload.version_id.set(photo.version))
    if photo.digest is not None:
        actions.append(Upload.sha256.set(photo.digest))
    tx.update(ticket, actions=actions, condition=Upload.status == "pending")
