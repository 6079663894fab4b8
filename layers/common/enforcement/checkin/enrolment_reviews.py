"""An enrolment under review, and what an officer's decision does to it.

An enrolment whose face is already enrolled for another crew member of the agency (a possible
duplicate identity, `enforcement.checkin.enrolment`) keeps its template but leaves the crew
record `pending_review`: the face is not used for checks (`under_review`) until an officer of
the record's jurisdiction decides (`enforcement.checkin.reviews.decide`):

- confirmed (two people who look alike, or the same seafarer rightly holding both records):
  the face is `enrolled`; it is already in the agency's index;
- refused (one face under two identities): the face status is `failed` with the code
  `duplicate_identity`; its index entry no longer counts (the search counts only enrolled faces
  and faces under review) and is replaced when the crew member is enrolled again.

This module runs in the check-in API function, which decides reviews: it imports nothing of
`enforcement.face` (numpy and the engine live only in the face function's image).
"""

from __future__ import annotations

from typing import Any, Final

from pynamodb.transactions import TransactWrite

from enforcement import clock, notify
from enforcement.auth import Principal
from enforcement.checkin import reviews, rules
from enforcement.checkin.models import CrewMember, Review
from enforcement.errors import Conflict
from enforcement.models import Notification

KIND: Final = "enrolment"
#: Why an enrolment waits for review, and why a refused one failed (`crew.ENROLMENT_MESSAGES`).
POSSIBLE_DUPLICATE: Final = "possible_duplicate_identity"
DUPLICATE: Final = "duplicate_identity"
#: What face_check answers while the crew member's enrolment is under review.
UNDER_REVIEW: Final = "face_enrolment_under_review"


def under_review(crew_id: str) -> rules.Outcome | None:
    """The face check's answer while the crew member's enrolment waits for an officer (the
    enrolled face is kept but not usable), or None when the face may be used."""
    try:
        crew = CrewMember.get(crew_id, consistent_read=True)
    except CrewMember.DoesNotExist:
        return None
    return waiting_answer(crew)


def waiting_answer(crew: CrewMember | None) -> rules.Outcome | None:
    """`under_review`, of a crew record already read (None: there is no such record)."""
    if crew is None:
        return None
    if crew.face_status == "pending_review":
        return rules.Outcome(False, UNDER_REVIEW, {"review_reason": crew.face_error})
    return None


def decide_enrolment(
    tx: TransactWrite, review: Review, confirmed: bool, principal: Principal
) -> list[Notification]:
    """The decision's writes to the crew record: enrolled, or failed as `duplicate_identity`.

    Only the enrolment the review was opened for is decided: the crew record must still be
    `pending_review` from that enrolment (`figures.face_updated_at`), not enrolled again since.
    """
    del principal  # reviews.decide checked access and audits the decision
    crew = CrewMember.get(review.subject_id, consistent_read=True)
    enrolled_at = (review.figures or {}).get("face_updated_at")
    if crew.face_status != "pending_review" or crew.face_updated_at != enrolled_at:
        raise Conflict("enrolment_changed", "the crew member's enrolment changed since the review")
    now = clock.iso()
    actions: list[Any]
    if confirmed:
        actions = [
            CrewMember.face_status.set("enrolled"),
            CrewMember.face_error.remove(),
            CrewMember.face_updated_at.set(now),
        ]
    else:
        actions = [
            CrewMember.face_status.set("failed"),
            CrewMember.face_error.set(DUPLICATE),
            CrewMember.face_updated_at.set(now),
        ]
    tx.update(
        crew,
        actions=actions,
        condition=(CrewMember.face_status == "pending_review")
        & (CrewMember.face_updated_at == enrolled_at),
    )
    if not crew.account_id:
        return []  # no mini-program account to tell
    word = "confirmed" if confirmed else "refused"
    return [
        notify.notification(
            crew.crew_id,
            f"enrolment.{word}",
            f"Face enrolment {word} by an officer",
            review.decision_reason or "",
            {"crew_id": crew.crew_id, "review_id": review.review_id},
        )
    ]


reviews.register_effect(KIND, decide_enrolment)
