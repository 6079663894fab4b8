"""How the rules' verdicts read on the wire: a check's result per check, a remote task's
outcome and the manning report's posts (`enforcement.checkin.rules` makes them; the answers of
`enforcement.checkin.schemas` carry them).

A result carries the figures its check measured only when it measured them: absent ones are
left out of the JSON, as the rules leave them out of their outcome.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Day, Timestamp

#: Competency grades, best first: 甲 (A, unlimited), 乙 (B), 丙 (C, coastal), 丁 (D) — the
#: grades of `enforcement.checkin.rules.GRADES`.
Grade = Literal["A", "B", "C", "D"]


def _absent(value: object) -> bool:
    """Figures a result carries only in some cases are left out of the JSON when absent."""
    return value is None


class FaceResultOut(BaseModel):
    """The face check: is the live photo the enrolled person (and not a replayed photo)."""

    passed: bool
    reason: str = Field(
        description="face_matches; refused: face_mismatch, replayed_reference_photo, "
        "replayed_photo; in review: face_match_uncertain, possible_replay_of_reference, "
        "possible_replayed_photo; after review: confirmed_on_review, refused_on_review; or why "
        "the photo could not be used (face_not_enrolled, no_face, multiple_faces, "
        "face_too_small, image_unreadable, upload_expired...)"
    )
    zone: Literal["accept", "review", "refuse"] | None = Field(
        default=None, exclude_if=_absent, description="the most severe zone of the measures"
    )
    distance: float | None = Field(
        default=None, exclude_if=_absent, description="from the enrolled face (when compared)"
    )
    threshold: float | None = Field(
        default=None, exclude_if=_absent, description="ACCEPT line: the same person up to it"
    )
    refuse_min: float | None = Field(
        default=None, exclude_if=_absent, description="REFUSE line: another person from it on"
    )
    replay_of: Literal["reference", "earlier"] | None = Field(
        default=None,
        exclude_if=_absent,
        description="the photo already used that the replay figures compare with",
    )
    replay_distance: float | None = Field(default=None, exclude_if=_absent)
    replay_similarity: float | None = Field(
        default=None, exclude_if=_absent, description="signature similarity (1: the same)"
    )
    exact_copy: bool | None = Field(
        default=None, exclude_if=_absent, description="the same bytes or decoded pixels"
    )
    review_id: str | None = Field(default=None, exclude_if=_absent)
    review_reason: str | None = Field(
        default=None, exclude_if=_absent, description="why it went to review (once reviewed)"
    )


class LocationResultOut(BaseModel):
    """The location check: is the phone where the ship is (its AIS position)."""

    passed: bool
    reason: str = Field(
        description="on_board, outside_geofence, gps_fix_missing, gps_fix_too_inaccurate, "
        "vessel_position_unknown or vessel_position_stale"
    )
    position_age_s: int | None = Field(
        default=None, exclude_if=_absent, description="age of the AIS position (when stale)"
    )
    accuracy_m: float | None = Field(
        default=None, exclude_if=_absent, description="the fix's accuracy (when too coarse)"
    )
    max_accuracy_m: float | None = Field(default=None, exclude_if=_absent)
    distance_m: float | None = Field(
        default=None, exclude_if=_absent, description="from the AIS position (when measured)"
    )
    tolerance_m: float | None = Field(
        default=None, exclude_if=_absent, description="largest distance that is on board"
    )


class CertificateResultOut(BaseModel):
    """The certificate check: valid, unexpired, of the type and grade the post requires."""

    passed: bool
    reason: str = Field(
        description="certificate_valid, no_certificate_of_type, certificate_revoked, "
        "certificate_suspended, certificate_expired or grade_insufficient"
    )
    certificate: str | None = Field(
        default=None, exclude_if=_absent, description="the number of the certificate judged"
    )
    grade: Grade | None = Field(default=None, exclude_if=_absent)
    expires_on: Day | None = Field(default=None, exclude_if=_absent)
    required_grade: Grade | None = Field(default=None, exclude_if=_absent)
    required_type: str | None = Field(default=None, exclude_if=_absent)


class CheckResultsOut(BaseModel):
    """One result per check the purpose needs: face always; location unless a link; the
    certificate for duty and appointment."""

    face: FaceResultOut | None = Field(default=None, exclude_if=_absent)
    location: LocationResultOut | None = Field(default=None, exclude_if=_absent)
    certificate: CertificateResultOut | None = Field(default=None, exclude_if=_absent)


class CrewFailureOut(BaseModel):
    crew_id: str
    reasons: list[str]


class TaskPostOut(BaseModel):
    """A post of the manning table within one task: verified, failed (why), waiting for an
    officer's review, or missing."""

    post: str
    title: str
    required: int
    status: Literal["verified", "failed", "pending_review", "missing"]
    verified: list[str] = Field(description="crew ids verified at the post")
    failed: list[CrewFailureOut]
    pending_review: list[str] = Field(
        default=[], description="crew ids whose check waits for review (not verified yet)"
    )
    missing: int = Field(description="how many more verified crew the post needs")


class TaskOutcomeOut(BaseModel):
    state: Literal["pending", "complete", "window_closed"]
    manning_met: bool
    posts: list[TaskPostOut]


class HolderOut(BaseModel):
    """A crew member serving at a post."""

    crew_id: str
    name: str
    status: Literal["appointed", "bound"]


class VerifiedHolderOut(HolderOut):
    check_id: str
    at: Timestamp = Field(description="when their latest check was decided")


class FailedHolderOut(HolderOut):
    check_id: str
    reasons: list[str]


class PendingReviewHolderOut(HolderOut):
    check_id: str
    reasons: list[str] = Field(description="why the check waits for an officer's review")


class UnderQualifiedHolderOut(HolderOut):
    reason: str = Field(description="what is wrong with their certificate for the post")


class ManningPostOut(BaseModel):
    """One post of the manning table: who is verified, failed, unchecked, under-qualified, or
    waiting for an officer's review of their latest check (not verified until confirmed)."""

    post: str
    title: str
    required: int
    state: Literal["met", "empty", "under_qualified", "failed", "pending_review", "short"]
    verified: list[VerifiedHolderOut]
    failed: list[FailedHolderOut]
    unchecked: list[HolderOut]
    under_qualified: list[UnderQualifiedHolderOut]
    pending_review: list[PendingReviewHolderOut] = []
