"""The photos a subject has already used for checks, kept so that a copy of one is refused.

One small `UsedPhoto` item per photo (partition "used#<subject>", sort key the photo's SHA-256;
about 0.9 kB: template 512 B, signature 256 B, digest, time, TTL), in its own table. A check
photo is looked up here before it is accepted (`UsedPhotoLog.likeness`: the replay zones,
measured by `PhotoHistory.likeness`; this module only stores) and added once it passed or went
to review (`UsedPhotoLog.remember`).

Cost that does not grow with use: `load` is one Query of the newest
`Settings.face_history_photos` items (the `newest` index, by the time each was used, backwards),
`remember` one conditional put of one item, whatever the number of checks before. Items expire
after `Settings.face_history_days` (the table's TTL attribute `expires_at`; an item past it but
not yet deleted by DynamoDB is ignored).

The trade-off: a near copy (re-encoded, cropped, printed...) of a photo older than the newest
`face_history_photos` is no longer recognised here. The same bytes or the same decoded pixels
of any photo ever decided on still are: `PhotoDigest` items are global and kept
(`enforcement.checkin.face_checks`).

The item is written before the check's own decision transaction, which may still fail (and the
S3 event be delivered again). An entry therefore only counts once the decision that used it is
stored: the caller passes `committed`, which looks the digest up among the photos seen
(`PhotoDigest`, written in the decision transaction). A photo processed again after a failed
attempt finds its own, uncommitted entry and is not taken for a replay of itself; its second
`remember` is a no-op (the put is conditional on the photo's key not existing).

The former format, one `UsedPhotos` item per subject in the face template table rewritten whole
on every check, is neither read nor written any more: a history starts empty in the new table,
and `drop_legacy_histories` deletes the old items (biometric data with no TTL) once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pynamodb.exceptions import PutError

from enforcement import clock
from enforcement.config import settings
from enforcement.face.engine import FaceTemplate
from enforcement.face.liveness import PhotoHistory, Replay
from enforcement.face.zones import ReplayZones, Zone
from enforcement.models import UsedPhoto, UsedPhotos

__all__ = ["UsedPhotoLog", "drop_legacy_histories"]

_DAY_SECONDS = 86_400
_SIGNATURE_BYTES = 256


def _key(subject_id: str) -> str:
    return f"used#{subject_id}"


def _history(items: list[UsedPhoto]) -> PhotoHistory:
    """The history of `items` given newest first, in PhotoHistory's order (oldest first)."""
    ordered = items[::-1]
    return PhotoHistory(
        b"".join(bytes(item.template) for item in ordered),
        b"".join(
            bytes(item.signature) if item.signature else bytes(_SIGNATURE_BYTES) for item in ordered
        ),
        tuple(item.digest for item in ordered),
    )


@dataclass
class UsedPhotoLog:
    """The used photos of one subject (e.g. "crew#<crew_id>"), as read by `load`: the newest
    `Settings.face_history_photos`."""

    subject_id: str
    history: PhotoHistory
    items: list[UsedPhoto] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, subject_id: str) -> UsedPhotoLog:
        """Read the subject's newest used photos: one consistent Query (an empty log when
        none), expired items left out."""
        now = clock.now().timestamp()
        items = [
            item
            for item in UsedPhoto.newest.query(
                _key(subject_id),
                scan_index_forward=False,
                limit=settings().face_history_photos,
                consistent_read=True,
            )
            if item.expires_at > now
        ]
        return cls(subject_id, _history(items), items)

    def likeness(
        self,
        probe: FaceTemplate,
        digest: str | None,
        committed: Callable[[str], bool],
        zones: ReplayZones,
    ) -> tuple[str, Replay, Zone] | None:
        """The used photo `probe` looks most like a copy of, by the replay zones: the most
        severe zone first, the closest photo among equals; its digest, figures and zone. None
        when every used photo is in the ACCEPT zone (a new photograph).

        Only entries whose digest `committed` confirms count; `digest` (the probe's own) is
        skipped, so processing the same upload again is not a replay of itself."""
        exclude = frozenset({digest}) if digest else frozenset()
        for replay, zone in self.history.likeness(probe, zones, exclude):
            used = self.history.digests[replay.index]
            if committed(used):
                return used, replay, zone
        return None

    def remember(self, digest: str, template: FaceTemplate) -> None:
        """Add a photo: one conditional put of its own item, a no-op when the photo is there
        already (read with the log, or written since by a re-delivery or a concurrent check)."""
        if digest in self.history.digests:
            return
        now = clock.now()
        item = UsedPhoto(
            _key(self.subject_id),
            digest,
            used_at=clock.iso(now),
            template=template.to_bytes(),
            signature=template.signature.to_bytes() if template.signature else None,
            expires_at=int(now.timestamp()) + settings().face_history_days * _DAY_SECONDS,
        )
        try:
            item.save(condition=UsedPhoto.digest.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        self.history = self.history.with_photo(digest, template)


def drop_legacy_histories() -> int:
    """Delete the former one-item-per-subject histories (`UsedPhotos`, "used#..." in the face
    template table): a one-off Scan after the change is deployed. The number deleted."""
    deleted = 0
    with UsedPhotos.batch_write() as batch:
        for item in UsedPhotos.scan(
            UsedPhotos.subject_id.startswith("used#"), attributes_to_get=["subject_id"]
        ):
            batch.delete(item)
            deleted += 1
    return deleted


if __name__ == "__main__":  # pragma: no cover - run once per deployment
    print(f"deleted {drop_legacy_histories()} former photo histories")
