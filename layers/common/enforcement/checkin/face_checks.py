"""The face check of a check photo: measured here, judged by `enforcement.checkin.face_rules`.

A check photo must be a live, new photo of the enrolled face. `face_check` reads what the
measures need (the crew member's face record, the photos already used: `enforcement.face.replays`,
the photo digests of earlier decisions), puts each measure in its zones (`enforcement.face.zones`,
lines from Settings through `enforcement.face.configured`) and lets `face_rules.face_outcome`
combine them. `seen_records` are the `PhotoDigest` items a decision writes, by which a later
check recognises the same bytes or pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from enforcement.batch_reads import ItemKey, Reads, batch_get
from enforcement.checkin import enrolment_reviews, face_rules
from enforcement.checkin.models import CrewMember, FaceRecord, PhotoDigest
from enforcement.checkin.rules import Outcome
from enforcement.face import engine, liveness, replays
from enforcement.face.configured import match_zones, replay_zones


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


@dataclass(frozen=True)
class FaceReads:
    """What the face check reads, read together: the crew record (its enrolment may be under
    review), the face record, and whether a decision already used the photo's bytes or pixels."""

    crew: CrewMember | None
    reference: FaceRecord | None
    seen_digest: bool
    seen_pixels: bool


def face_keys(crew_id: str, photo: Photo) -> list[ItemKey]:
    """The items `face_check` reads, for a caller that reads them with others (one
    `batch_reads.batch_get`)."""
    keys = [ItemKey(CrewMember, crew_id), ItemKey(FaceRecord, f"crew#{crew_id}")]
    if photo.template is not None:
        pixels = pixel_digest(photo.template)
        keys += [
            ItemKey(PhotoDigest, f"{kind}#{value}")
            for kind, value in ((DIGEST, photo.digest), (PIXELS, pixels))
            if value
        ]
    return keys


def face_reads(crew_id: str, photo: Photo, reads: Reads) -> FaceReads:
    pixels = pixel_digest(photo.template) if photo.template is not None else None
    return FaceReads(
        crew=reads.item(CrewMember, crew_id),
        reference=reads.item(FaceRecord, f"crew#{crew_id}"),
        seen_digest=bool(photo.digest and reads.item(PhotoDigest, f"{DIGEST}#{photo.digest}")),
        seen_pixels=bool(pixels and reads.item(PhotoDigest, f"{PIXELS}#{pixels}")),
    )


def face_check(crew_id: str, photo: Photo, reads: Reads | None = None) -> Outcome:
    """The face check of a check photo: a live, new photo of the enrolled face.

    Three measures, each in its zones (`enforcement.face.zones`, lines from Settings): the
    photo's replay likeness to the reference photo, to the closest photo used for an earlier
    check, and its match distance from the enrolled face. An exact copy (the same bytes, or the
    same decoded pixels) of the reference or of a used photo is refused outright; otherwise the
    most severe zone decides (`face_rules.face_outcome`): refused (`replayed_reference_photo`,
    `replayed_photo`, `face_mismatch`), sent to a person (`possible_replay_of_reference`,
    `possible_replayed_photo`, `face_match_uncertain`), or passed (`face_matches`). A photo not
    refused is added to the crew member's used photos.

    `reads`: the items of `face_keys`, when the caller read them with its own (otherwise they
    are read here, in one request).
    """
    if photo.template is None:
        return Outcome(False, photo.error or "image_unreadable")
    loaded = face_reads(crew_id, photo, reads or batch_get(face_keys(crew_id, photo)))
    waiting = enrolment_reviews.waiting_answer(loaded.crew)  # the enrolled face is not usable yet
    if waiting is not None:
        return waiting
    reference = loaded.reference
    if reference is None:
        return Outcome(False, "face_not_enrolled")
    enrolled = engine.FaceTemplate.from_bytes(bytes(reference.template))
    probe = photo.template
    pixels = pixel_digest(probe)
    zones = replay_zones()
    lines = match_zones()
    match = engine.compare(enrolled, probe, lines.accept_max)
    reference_signature = (
        liveness.PhotoSignature.from_bytes(bytes(reference.reference_signature))
        if reference.reference_signature
        else None
    )
    likeness = liveness.signature_similarity(reference_signature, probe.signature)
    exact = bool(photo.digest and photo.digest == reference.reference_digest) or bool(
        pixels and pixels == reference.reference_pixels
    )
    of_reference = face_rules.Likeness(
        zones.zone(match.distance, likeness, exact), match.distance, likeness, exact
    )
    used = replays.UsedPhotoLog.load(f"crew#{crew_id}")
    of_earlier: face_rules.Likeness | None = None
    if loaded.seen_digest or loaded.seen_pixels:
        of_earlier = face_rules.Likeness(face_rules.REFUSE, 0.0, None, exact=True)
    else:
        found = used.likeness(probe, photo.digest, committed=_seen, zones=zones)
        if found is not None:
            digest, replay, zone = found
            of_earlier = face_rules.Likeness(
                str(zone), replay.distance, replay.similarity, False, digest
            )
    outcome = face_rules.face_outcome(
        str(lines.zone(match.distance)),
        match.distance,
        face_rules.MatchLines(lines.accept_max, lines.refuse_min),
        of_reference,
        of_earlier,
    )
    if (outcome.passed or outcome.review) and photo.digest:
        used.remember(photo.digest, probe)
    return outcome


DIGEST, PIXELS = "digest", "pixels"


def pixel_digest(template: engine.FaceTemplate) -> str | None:
    """SHA-256 of the photo's decoded pixels, when the engine gives it."""
    value = getattr(template, "pixel_digest", None)
    return str(value) if value else None


def _seen(digest: str, kind: str = DIGEST) -> bool:
    """Whether a decision already used the photo with this SHA-256 of its bytes (or, with
    `kind` PIXELS, of its decoded pixels): its `PhotoDigest` is written in the decision's
    transaction, so an attempt that failed does not count."""
    try:
        PhotoDigest.get(f"{kind}#{digest}", consistent_read=True)
    except PhotoDigest.DoesNotExist:
        return False
    return True


def seen_records(photo: Photo, object_key: str, at: str) -> list[PhotoDigest]:
    """The photo as a decision records it used: by the SHA-256 of its bytes and of its decoded
    pixels (when known), so that the same bytes or pixels again are an exact copy (`_seen`)."""
    pixels = pixel_digest(photo.template) if photo.template is not None else None
    return [
        PhotoDigest(f"{kind}#{value}", first_key=object_key, seen_at=at)
        for kind, value in ((DIGEST, photo.digest), (PIXELS, pixels))
        if value
    ]
