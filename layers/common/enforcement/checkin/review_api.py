"""Routes of the review queue (on check-in's router): the queue of a jurisdiction, one review
with its photos, and an officer's decision. The work is in `enforcement.checkin.reviews`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.checkin import check_reviews, reviews  # noqa: F401  (registers "check")
from enforcement.checkin.api import router
from enforcement.checkin.review_schemas import ReviewDecisionIn, ReviewOut
from enforcement.http import SECURED, caller

ReviewId = Annotated[str, Path(pattern=r"^rev-[0-9a-f]{16}$")]


@router.get(
    "/checkin/reviews",
    summary="Checks and enrolments waiting for an officer's review (officers: their own)",
    description="Officers see their own jurisdiction's pending reviews, admins any of their "
    "agency's (their own by default), oldest first, at most `limit`. 404 "
    "`jurisdiction_not_found`.",
    security=SECURED,
)
def list_reviews(
    jurisdiction: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReviewOut]:
    found = reviews.queue(caller(router), jurisdiction, limit)
    return [ReviewOut.model_validate(r) for r in found]


@router.get(
    "/checkin/reviews/<review_id>",
    summary="A review: both photos (short-lived links), the figures and the reason",
    description="Officers of the record's jurisdiction and admins of its agency. The photo "
    "links are presigned GETs valid for the deployment's photo link time. 404 "
    "`review_not_found`; 403 `outside_jurisdiction`.",
    security=SECURED,
)
def get_review(review_id: ReviewId) -> ReviewOut:
    return ReviewOut.model_validate(reviews.get(caller(router), review_id))


@router.post(
    "/checkin/reviews/<review_id>/decision",
    summary="Confirm or refuse a review, with a reason",
    description="An officer of the record's jurisdiction decides: a confirmed check is "
    "verified (its effects applied), a refused one failed; the crew member is told, and the "
    "decision is in the audit chain. 409 `review_decided` when already decided; 404 "
    "`review_not_found`.",
    security=SECURED,
)
def decide_review(review_id: ReviewId, body: ReviewDecisionIn) -> ReviewOut:
    result = reviews.decide(caller(router), review_id, body.outcome, body.reason)
    return ReviewOut.model_validate(result)
