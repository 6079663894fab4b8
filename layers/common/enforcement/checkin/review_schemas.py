"""Bodies and answers of the review routes (`enforcement.checkin.review_api`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Line, Link, Strict, Timestamp

ReviewKind = Literal["check", "enrolment"]
ReviewStatus = Literal["pending", "confirmed", "refused"]


def _absent(value: object) -> bool:
    return value is None


class ReviewFiguresOut(BaseModel):
    """The measures that sent the subject to review; each present only when measured."""

    zone: Literal["accept", "review", "refuse"] | None = Field(default=None, exclude_if=_absent)
    distance: float | None = Field(
        default=None, exclude_if=_absent, description="match distance from the enrolled face"
    )
    threshold: float | None = Field(
        default=None, exclude_if=_absent, description="ACCEPT line: the same person up to it"
    )
    refuse_min: float | None = Field(
        default=None, exclude_if=_absent, description="REFUSE line: another person from it on"
    )
    replay_of: Literal["reference", "earlier"] | None = Field(
        default=None, exclude_if=_absent, description="the photo the replay figures compare with"
    )
    replay_distance: float | None = Field(default=None, exclude_if=_absent)
    replay_similarity: float | None = Field(
        default=None, exclude_if=_absent, description="signature similarity (1: the same)"
    )
    purpose: Literal["duty", "link", "appointment", "discharge"] | None = Field(
        default=None, exclude_if=_absent, description="a check's purpose"
    )
    vessel_id: str | None = Field(default=None, exclude_if=_absent)
    post: str | None = Field(default=None, exclude_if=_absent)
    other_crew_id: str | None = Field(
        default=None, exclude_if=_absent, description="an enrolment: the crew member it may be"
    )


class ReviewPhotoOut(BaseModel):
    """A photo of the review: the reference, the check photo, or an earlier photo it may copy."""

    role: Literal["reference", "check", "earlier", "other"]
    sha256: str | None = None
    url: Link | None = Field(
        default=None, exclude_if=_absent, description="a presigned GET (the single review only)"
    )
    expires_in: int | None = Field(
        default=None, exclude_if=_absent, description="seconds the link stays valid"
    )


class ReviewOut(BaseModel):
    review_id: str
    kind: ReviewKind = Field(description="check (a check photo) or enrolment (a reference)")
    subject_id: str = Field(description="the check id, or the crew id of an enrolment")
    crew_id: str
    jurisdiction: str
    status: ReviewStatus
    reason: str = Field(
        description="face_match_uncertain, possible_replay_of_reference, "
        "possible_replayed_photo, possible_duplicate_identity"
    )
    message: str
    figures: ReviewFiguresOut
    photos: list[ReviewPhotoOut]
    created_at: Timestamp
    decided_by: str | None = None
    decided_at: Timestamp | None = None
    decision_reason: str | None = None


class ReviewDecisionIn(Strict):
    outcome: Literal["confirm", "refuse"]
    reason: Annotated[Line, Field(min_length=1, max_length=500)]
