"""The photos a subject has already used for checks, kept so that a copy of one is refused.

One `UsedPhotos` item per subject in the face template table ("used#<subject>"), holding the
newest `PhotoHistory.LIMIT` photos' templates, signatures and SHA-256 digests. A check photo is
looked up here before it is accepted (`UsedPhotoLog.copy_of`) and added once it passed
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

import numpy as np
from pynamodb.exceptions import PutError

from enforcement import clock
from enforcement.face.engine import FaceTemplate
from enforcement.face.liveness import PhotoHistory, Replay, ReplayRule, similarity
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

    def copy_of(
        self,
        probe: FaceTemplate,
        digest: str | None,
        committed: Callable[[str], bool],
        rule: ReplayRule | None = None,
    ) -> str | None:
        """The digest of a used photo that `probe` is a copy of, or None when it is new.

        Only entries whose digest `committed` confirms count; `digest` (the probe's own) is
        never a match, so processing the same upload again is not a replay of itself.
        """
        chosen = rule or ReplayRule()
        skipped: set[str] = {digest} if digest else set()
        while True:
            found = self.history.find(probe, chosen, frozenset(skipped))
            if found is None:
                return None
            if committed(found[0]):
                return found[0]
            skipped.add(found[0])

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

        As in `copy_of`, only entries `committed` confirms count and the probe's own digest is
        skipped."""
        history = self.history
        keep = [i for i, d in enumerate(history.digests) if d != digest]
        if not keep:
            return None
        deltas = history.matrix()[keep].astype(np.float64) - probe.vector.astype(np.float64)
        distances = np.sqrt(np.einsum("ij,ij->i", deltas, deltas))
        found: list[tuple[Zone, Replay]] = []
        for row, index in enumerate(keep):
            stored = history.signature(index)
            score = (
                similarity(stored, probe.signature)
                if stored is not None and probe.signature is not None
                else None
            )
            zone = zones.zone(float(distances[row]), score)
            if zone is not Zone.ACCEPT:
                found.append((zone, Replay(index, float(distances[row]), score)))
        found.sort(key=lambda f: (-f[0].severity, f[1].distance))
        for zone, replay in found:
            if committed(history.digests[replay.index]):
                return history.digests[replay.index], replay, zone
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
