"""The photos a subject has already used for checks, kept so that a copy of one is refused.

One `UsedPhotos` item per subject in the face template table ("used#<subject>"), holding the
newest `PhotoHistory.LIMIT` photos' templates, signatures and SHA-256 digests. A check photo is
looked up here before it is accepted (`UsedPhotoLog.likeness`: the replay zones, measured by
`PhotoHistory.likeness`; this module only stores) and added once it passed or went to review
(`UsedPhotoLog.remember`).

The item is written before the check's own decision transaction, which may still fail (and the
S3 event be delivered again). An entry therefore only counts once the decision that used it is
stored: the caller passes `committed`, which looks the digest up among the photos seen
(`PhotoDigest`, written in the decision transaction). A photo processed again after a failed
attempt finds its own, uncommitted entry and is not taken for a replay of itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from pynamodb.exceptions import PutError

from enforcement import clock
from enforcement.face.engine import FaceTemplate
from enforcement.face.liveness import PhotoHistory, Replay
from enforcement.face.zones import ReplayZones, Zone
from enforcement.models import UsedPhotos

__all__ = ["UsedPhotoLog"]

#: Attempts at adding a photo while other checks of the same subject write the item.
WRITE_ATTEMPTS = 5


def _key(subject_id: str) -> str:
    return f"used#{subject_id}"


def _history(item: UsedPhotos | None) -> PhotoHistory:
    if item is None:
        return PhotoHistory()
    digests = tuple(str(digest) for digest in item.digests)
    return PhotoHistory(bytes(item.templates), bytes(item.signatures), digests)


@dataclass
class UsedPhotoLog:
    """The used photos of one subject (e.g. "crew#<crew_id>"), as read by `load`."""

    subject_id: str
    history: PhotoHistory
    item: UsedPhotos | None = field(default=None, repr=False)

    @classmethod
    def load(cls, subject_id: str) -> UsedPhotoLog:
        """Read the subject's used photos (consistent read; an empty log when none)."""
        try:
            item: UsedPhotos | None = UsedPhotos.get(_key(subject_id), consistent_read=True)
        except UsedPhotos.DoesNotExist:
            item = None
        return cls(subject_id, _history(item), item)

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
        """Add a photo (a no-op when its digest is there already), oldest dropped beyond the
        limit. Optimistic locking on the item's version; a concurrent write is re-read and
        retried."""
        for _attempt in range(WRITE_ATTEMPTS):
            updated = self.history.with_photo(digest, template)
            if updated is self.history:
                return
            item = self.item or UsedPhotos(_key(self.subject_id))
            item.templates = updated.templates
            item.signatures = updated.signatures
            item.digests = cast(Any, list(updated.digests))  # a list of str in DynamoDB
            item.updated_at = clock.iso()
            try:
                item.save()
            except PutError as exc:
                if exc.cause_response_code != "ConditionalCheckFailedException":
                    raise
                fresh = UsedPhotoLog.load(self.subject_id)
                self.history, self.item = fresh.history, fresh.item
                continue
            self.history, self.item = updated, item
            return
        raise RuntimeError(f"could not record a used photo after {WRITE_ATTEMPTS} attempts")
