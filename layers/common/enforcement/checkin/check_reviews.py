"""A check in review, decided by an officer (`enforcement.checkin.reviews.decide`).

Confirmed, the check becomes `verified` and its effects apply as if the photo had passed (a
link, an appointment, a discharge; a duty check's day of service, in the same transaction);
refused, it becomes `failed` with `face:refused_on_review`. Either way the crew member is told,
with the officer's reason. The face result keeps the figures that sent it to review and names the
review. `decided_at` stays the time the photo was judged: the check's validity runs from the
moment the crew member was photographed, not from the officer's decision.
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import notify, uploads
from enforcement.auth import Principal
from enforcement.checkin import checks, crew, loading, reviews, rules, service_days
from enforcement.checkin.models import Check, FaceRecord, PhotoDigest, Review
from enforcement.errors import Conflict
from enforcement.models import Notification

CONFIRMED, REFUSED = "confirmed_on_review", "refused_on_review"

#: Why a check waits for an officer, in words (the figures follow in the review).
MESSAGES = {
    "face_match_uncertain": "The face is neither clearly the enrolled person nor clearly "
    "another: its distance from the enrolled face lies between the two lines.",
    "possible_replay_of_reference": "The photo looks like a copy of the reference photo by one "
    "measure, not beyond doubt: compare it with the reference.",
    "possible_replayed_photo": "The photo looks like a copy of a photo used for an earlier "
    "check by one measure, not beyond doubt: compare the two.",
}


def open_check_review(
    tx: TransactWrite, check: Check, face: rules.Outcome, photo: reviews.PhotoRef, actor: str
) -> Review:
    """The review of a check whose face check is in a review zone, in the decision's
    transaction: the reference photo and the check photo (and the earlier photo it looks like,
    when that is the reason), the face check's figures, and where the check was made."""
    photos = [photo]
    try:
        reference = FaceRecord.get(f"crew#{check.crew_id}", consistent_read=True)
    except FaceRecord.DoesNotExist:
        reference = None
    if reference is not None and reference.reference_key:
        ref = reviews.PhotoRef(
            "reference",
            reference.reference_key,
            reference.reference_version,
            reference.reference_digest,
        )
        photos.insert(0, ref)
    figures = {k: v for k, v in face.detail.items() if k not in ("replay_sha256", "replay_pixels")}
    earlier = face.detail.get("replay_sha256")
    if face.detail.get("replay_of") == "earlier" and earlier:
        pixels = face.detail.get("replay_pixels")
        found = _earlier_photo(str(earlier), str(pixels) if pixels else None)
        if found is not None:
            photos.append(found)
    figures.update(purpose=check.purpose, vessel_id=check.vessel_id, post=check.post)
    return reviews.open_review(
        tx,
        kind="check",
        subject_id=check.check_id,
        crew_id=check.crew_id,
        jurisdiction=check.jurisdiction or loading.load_crew(check.crew_id).jurisdiction or "",
        reason=face.reason,
        message=MESSAGES.get(face.reason, face.reason),
        figures={k: v for k, v in figures.items() if v is not None},
        photos=photos,
        actor=actor,
    )


def _earlier_photo(sha256: str, pixels: str | None = None) -> reviews.PhotoRef | None:
    """The earlier check photo with this SHA-256 (of its decoded pixels `pixels`, when known):
    the key and version its decision stored in its `PhotoDigest` (by pixels; by bytes for a
    photo decided before the pixels' item was the only one)."""
    try:
        seen = PhotoDigest.get(
            f"pixels#{pixels}" if pixels else f"digest#{sha256}", consistent_read=True
        )
    except PhotoDigest.DoesNotExist:
        return None
    ticket = uploads.ticket(seen.first_key)
    return reviews.PhotoRef(
        "earlier", seen.first_key, ticket.version_id if ticket else None, sha256
    )


def decided_results(check: Check, review: Review, confirmed: bool) -> dict[str, Any]:
    """The check's results once reviewed: the face result passes or fails by the decision and
    keeps what sent it to review (`review_reason`, the figures)."""
    results: dict[str, Any] = dict(check.results or {})
    face = dict(results.get("face") or {})
    face.update(
        passed=confirmed,
        reason=CONFIRMED if confirmed else REFUSED,
        zone=face.get("zone", "review"),
        review_reason=review.reason,
        review_id=review.review_id,
    )
    results["face"] = face
    return results


def decide_check(
    tx: TransactWrite, review: Review, confirmed: bool, principal: Principal
) -> list[Notification]:
    check = loading.load_check(review.subject_id)
    if check.status != "pending_review":
        raise Conflict("check_changed", "the check is no longer waiting for review")
    status = "verified" if confirmed else "failed"
    reasons = [] if confirmed else [f"face:{REFUSED}"]
    tx.update(
        check,
        actions=[
            Check.status.set(status),
            Check.results.set(decided_results(check, review, confirmed)),
            Check.reasons.set(reasons),  # type: ignore[arg-type]
        ],
        condition=Check.status == "pending_review",
    )
    if confirmed:
        checks.apply_effects(tx, check)
        if check.purpose == "duty":
            _add_service_day(tx, check)
    word = "confirmed" if confirmed else "refused"
    title = checks.TITLES.get(check.purpose, "Check")
    return [
        notify.notification(
            check.crew_id,
            f"check.{status}",
            f"{title} {word} by an officer",
            review.decision_reason or "",
            {
                "check_id": check.check_id,
                "purpose": check.purpose,
                "status": status,
                "review_id": review.review_id,
            },
        )
    ]


def _add_service_day(tx: TransactWrite, check: Check) -> None:
    """A confirmed duty check's day of service, in the review's transaction (as a verified
    photo's is in its decision's): the day the photo was judged, unless already on record."""
    decided_at = check.decided_at or check.created_at
    day = crew.service_day_key(check, decided_at)
    looked = service_days.look_up(loading.load_crew(check.crew_id), day)
    if not looked.on_record:
        vessel = loading.load_vessel(check.vessel_id or "")
        crew.add_service_day(tx, crew.service_day(check, decided_at, vessel), looked)


reviews.register_effect("check", decide_check)
