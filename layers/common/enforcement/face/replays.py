"""The photos a subject has already used for checks, kept so that a copy of one is refused.

One small `UsedPhoto` item per photo (partition "used#<subject>", sort key "<the check's created
time>#<the photo's SHA-256>"; under 1 kB, one write unit: template 512 B, signature 256 B, the
pixels' digest, TTL), in its own table. A check photo is looked up here before it is accepted
(`UsedPhotoLog.likeness`: the replay zones, measured by `PhotoHistory.likeness`; this module only
stores) and added once it passed or went to review (`UsedPhotoLog.remember`).

Cost that does not grow with use: `load` is one Query of the newest
`Settings.face_history_photos` items (the table itself, backwards: its sort key begins with the
time; no index, so a put writes the item once), `remember` one conditional put of one item,
whatever the number of checks before. Items expire after `Settings.face_history_days` (the
table's TTL attribute `expires_at`; an item past it but not yet deleted by DynamoDB is ignored).
The table had a local index `newest` by time under a sort key of the SHA-256 alone; changing the
key schema makes CloudFormation replace the table, and what that loses is a history that TTL
deletes within `face_history_days` anyway.

The trade-off: a near copy (re-encoded, cropped, printed...) of a photo older than the newest
`face_history_photos` is no longer recognised here. The same bytes or the same decoded pixels
of any photo ever decided on still are: `PhotoDigest` items are global and kept
(`enforcement.checkin.face_checks`).

The item is written before the check's own decision transaction, which may still fail (and the
S3 event be delivered again). An entry therefore only counts once the decision that used it is
stored: the caller passes `committed`, which looks the photo up among the photos seen
(`PhotoDigest`, written in the decision transaction; the entry keeps the pixels' digest, its
key). A photo processed again after a failed attempt finds its own, uncommitted entry and is
not taken for a replay of itself; its second `remember` is a no-op (the put is conditional on
the key not existing, and the key, made of the check's time and the photo's digest, is the same).

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
    #: the SHA-256 of each photo's decoded pixels, by the SHA-256 of its bytes (when known)
    pixels: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for item in self.items:
            if item.pixels:
                self.pixels.setdefault(item.digest, item.pixels)

    def pixels_of(self, digest: str) -> str | None:
        """The pixels' SHA-256 of the used photo whose bytes have this SHA-256 (None: an entry
        stored without it)."""
        return self.pixels.get(digest)

    @classmethod
    def load(cls, subject_id: str) -> UsedPhotoLog:
        """Read the subject's newest used photos: one Query (an empty log when none), expired
        items left out.

        Eventually consistent (half the read units): a photo used by a check decided within
        about the last second may be missing. That widens by a second a window that exists
        whatever the consistency: two checks decided at the same time never see each other's
        photo (each entry counts only once its decision is stored). Exact copies are still
        refused by the photo digests, whose put in a decision's transaction is conditional on
        their absence."""
        now = clock.now().timestamp()
        items = [
            item
            for item in UsedPhoto.query(
                _key(subject_id),
                scan_index_forward=False,
                limit=settings().face_history_photos,
                consistent_read=False,
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

    def remember(self, digest: str, template: FaceTemplate, used_at: str | None = None) -> None:
        """Add a photo: one conditional put of its own item, a no-op when the photo is there
        already (read with the log, or written since by a re-delivery or a concurrent check).

        `used_at`: the ISO time of the check that used it (now by default), the first part of
        the item's key: a re-delivery of the same check passes the same time, so its put finds
        the item there and writes nothing."""
        if digest in self.history.digests:
            return
        now = clock.now()
        used_at = used_at or clock.iso(now)
        item = UsedPhoto(
            _key(self.subject_id),
            f"{used_at}#{digest}",
            template=template.to_bytes(),
            signature=template.signature.to_bytes() if template.signature else None,
            pixels=template.pixel_digest,
            expires_at=int(now.timestamp()) + settings().face_history_days * _DAY_SECONDS,
        )
        try:
            item.save(condition=UsedPhoto.used.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        self.history = self.history.with_photo(digest, template)
        if template.pixel_digest:
            self.pixels[digest] = template.pixel_digest


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
