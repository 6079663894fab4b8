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
        description="face_matches, face_mismatch, face_not_enrolled, replayed_reference_photo, "
        "replayed_photo, or why the photo could not be used (no_face, multiple_faces, "
        "face_too_small, image_unreadable, upload_expired...)"
    )
    distance: float | None = Field(
        default=None, exclude_if=_absent, description="from the enrolled face (when compared)"
    )
    threshold: float | None = Field(
        default=None, exclude_if=_absent, description="largest distance of the same person"
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
    """A post of the manning table within one task: verified, failed (why) or missing."""

    post: str
    title: str
    required: int
    status: Literal["verified", "failed", "missing"]
    verified: list[str] = Field(description="crew ids verified at the post")
    failed: list[CrewFailureOut]
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


class UnderQualifiedHolderOut(HolderOut):
    reason: str = Field(description="what is wrong with their certificate for the post")


class ManningPostOut(BaseModel):
    """One post of the manning table: who is verified, failed, unchecked or under-qualified."""

    post: str
    title: str
    required: int
    state: Literal["met", "empty", "under_qualified", "failed", "short"]
    verified: list[VerifiedHolderOut]
    failed: list[FailedHolderOut]
    unchecked: list[HolderOut]
    under_qualified: list[UnderQualifiedHolderOut]
