"""A check in review, decided by an officer (`enforcement.checkin.reviews.decide`).

Confirmed, the check becomes `verified` and its effects apply as if the photo had passed (a
link, an appointment, a discharge; a duty check's day of service once stored); refused, it
becomes `failed` with `face:refused_on_review`. Either way the crew member is told, with the
officer's reason. The face result keeps the figures that sent it to review and names the
review. `decided_at` stays the time the photo was judged: the check's validity runs from the
moment the crew member was photographed, not from the officer's decision.
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import notify
from enforcement.auth import Principal
from enforcement.checkin import checks, crew, loading, reviews
from enforcement.checkin.models import Check, Review
from enforcement.errors import Conflict
from enforcement.models import Notification

CONFIRMED, REFUSED = "confirmed_on_review", "refused_on_review"


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


def after_decision(review: Review, confirmed: bool) -> None:
    """A confirmed duty check adds its day to the service record (once per day and post)."""
    if not confirmed:
        return
    check = loading.load_check(review.subject_id)
    if check.purpose == "duty" and check.status == "verified":
        crew.record_service(check, check.decided_at or check.created_at)


reviews.register_effect("check", decide_check, after_decision)
