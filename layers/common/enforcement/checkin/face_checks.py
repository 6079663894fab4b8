"""The face check of a check photo: measured here, judged by `enforcement.checkin.face_rules`.

A check photo must be a live, new photo of the enrolled face. `face_check` reads what the
measures need (the crew member's face record, the photos already used: `enforcement.face.replays`,
the photo digests of earlier decisions), puts each measure in its zones (`enforcement.face.zones`,
lines from Settings through `enforcement.face.configured`) and lets `face_rules.face_outcome`
combine them. `seen_records` is the `PhotoDigest` item a decision writes (one per photo, by the
SHA-256 of its decoded pixels), by which a later check recognises the same bytes or pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from enforcement.batch_reads import ItemKey, Reads, batch_get
from enforcement.checkin import enrolment_reviews, face_rules
from enforcement.checkin.models import CrewMember, FaceRecord, PhotoDigest
from enforcement.checkin.rules import Outcome
from enforcement.face import engine, liveness, replays
from enforcement.face.configured import match_zones, replay_zones
from enforcement.face.uploaded import Photo


@dataclass(frozen=True)
class FaceReads:
    """What the face check reads, read together: the crew record (its enrolment may be under
    review), the face record, and whether a decision already used the photo (`seen_key`)."""

    crew: CrewMember | None
    reference: FaceRecord | None
    seen: bool


def seen_key(photo: Photo) -> str | None:
    """The key of the one `PhotoDigest` item by which a decision records a photo used: the
    SHA-256 of its decoded pixels when the engine gives it, else of its bytes.

    The pixels' digest alone suffices: the same bytes decode to the same pixels, and a
    re-encoding of the same pixels is caught as well. Items written before this (a bytes item
    and a pixels item per photo) are still found: every decision that wrote a bytes item wrote
    the pixels item beside it when the pixels' digest was known."""
    pixels = pixel_digest(photo.template) if photo.template is not None else None
    if pixels:
        return f"{PIXELS}#{pixels}"
    return f"{DIGEST}#{photo.digest}" if photo.digest else None


def face_keys(crew_id: str, photo: Photo) -> list[ItemKey]:
    """The items `face_check` reads, for a caller that reads them with others (one
    `batch_reads.batch_get`)."""
    keys = [ItemKey(CrewMember, crew_id), ItemKey(FaceRecord, f"crew#{crew_id}")]
    seen = seen_key(photo) if photo.template is not None else None
    if seen is not None:
        # eventually consistent: the decision's transaction puts this item on condition that
        # it does not exist, so a photo decided a second ago and read as unseen is still
        # refused (that transaction is cancelled; the event's retry reads the item)
        keys.append(ItemKey(PhotoDigest, seen, consistent=False))
    return keys


def face_reads(crew_id: str, photo: Photo, reads: Reads) -> FaceReads:
    seen = seen_key(photo) if photo.template is not None else None
    return FaceReads(
        crew=reads.item(CrewMember, crew_id),
        reference=reads.item(FaceRecord, f"crew#{crew_id}"),
        seen=bool(seen and reads.item(PhotoDigest, seen)),
    )


def face_check(
    crew_id: str, photo: Photo, reads: Reads | None = None, used_at: str | None = None
) -> Outcome:
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
    are read here, in one request). `used_at`: the time the photo is used at, the same for a
    re-delivery (the check's created time; now by default).
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
    if loaded.seen:
        of_earlier = face_rules.Likeness(face_rules.REFUSE, 0.0, None, exact=True)
    else:
        found = used.likeness(probe, photo.digest, committed=_committed(used), zones=zones)
        if found is not None:
            digest, replay, zone = found
            of_earlier = face_rules.Likeness(
                str(zone), replay.distance, replay.similarity, False, digest, used.pixels_of(digest)
            )
    outcome = face_rules.face_outcome(
        str(lines.zone(match.distance)),
        match.distance,
        face_rules.MatchLines(lines.accept_max, lines.refuse_min),
        of_reference,
        of_earlier,
    )
    if (outcome.passed or outcome.review) and photo.digest:
        used.remember(photo.digest, probe, used_at)
    return outcome


DIGEST, PIXELS = "digest", "pixels"


def pixel_digest(template: engine.FaceTemplate) -> str | None:
    """SHA-256 of the photo's decoded pixels, when the engine gives it."""
    value = getattr(template, "pixel_digest", None)
    return str(value) if value else None


def _seen(key: str) -> bool:
    """Whether a decision already used the photo of this `PhotoDigest` key (`seen_key`): the
    item is written in the decision's transaction, so an attempt that failed does not count."""
    try:
        PhotoDigest.get(key, consistent_read=True)
    except PhotoDigest.DoesNotExist:
        return False
    return True


def _committed(used: replays.UsedPhotoLog) -> Callable[[str], bool]:
    """Whether the decision that used the photo of this SHA-256 (an entry of `used`) is stored:
    its `PhotoDigest` by pixels (by bytes for an entry stored without its pixels' digest)."""

    def committed(digest: str) -> bool:
        pixels = used.pixels_of(digest)
        return _seen(f"{PIXELS}#{pixels}" if pixels else f"{DIGEST}#{digest}")

    return committed


def seen_records(photo: Photo, object_key: str, at: str) -> list[PhotoDigest]:
    """The photo as a decision records it used: one item, by `seen_key` (the SHA-256 of its
    decoded pixels when known), so that the same bytes or pixels again are an exact copy."""
    key = seen_key(photo)
    return [PhotoDigest(key, first_key=object_key, seen_at=at)] if key else []
