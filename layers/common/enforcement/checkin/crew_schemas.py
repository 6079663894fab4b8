"""Request and response bodies of crew records and face enrolment (`enforcement.checkin.crew_api`;
the rest of the check-in API's are in `enforcement.checkin.schemas`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from enforcement.checkin.verdicts import Grade
from enforcement.schemas import CalendarDate, Day, Line, Strict, UploadOut

#: A certificate is valid, or revoked or suspended by an officer (with a reason).
CertificateStatus = Literal["valid", "revoked", "suspended"]
#: The reference face of a crew member: none yet, an upload handed out, enrolled, failed
#: (`face_error` says why), or pending_review (enrolled, but not usable for checks until an
#: officer confirms it: `face_error` says why, e.g. possible_duplicate_identity).
FaceStatus = Literal["none", "pending", "enrolled", "failed", "pending_review"]
#: The face status's code explained for people (`enforcement.checkin.crew.ENROLMENT_MESSAGES`).
FACE_ERROR = "why the enrolment failed, or why it is under review (a code)"
FACE_MESSAGE = "the same in words, for the officer: what happened and what to do"


class CertificateIn(Strict):
    number: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,32}$")]
    type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
    grade: Grade
    issuer: Annotated[Line, Field(max_length=64)] = ""
    issued_on: CalendarDate | None = None
    expires_on: CalendarDate
    status: CertificateStatus = "valid"

    @model_validator(mode="after")
    def _issued_before_expiry(self) -> CertificateIn:
        if self.issued_on is not None and self.issued_on > self.expires_on:
            raise ValueError("a certificate cannot be issued after it expires")
        return self


class CertificateOut(BaseModel):
    number: str
    type: str
    grade: Grade
    issuer: str
    issued_on: Day | None = None
    expires_on: Day
    status: CertificateStatus


class CrewIn(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=64)]
    id_number: Annotated[
        str,
        Field(pattern=r"^(\d{17}[\dXx]|[A-Z][A-Z0-9]{5,19})$", description="ID card or passport"),
    ]
    phone: Annotated[str | None, Field(pattern=r"^\+?\d{6,15}$")] = None
    certificates: Annotated[list[CertificateIn], Field(max_length=20)] = []

    @field_validator("certificates")
    @classmethod
    def _unique_numbers(cls, certs: list[CertificateIn]) -> list[CertificateIn]:
        numbers = [c.number for c in certs]
        if len(set(numbers)) != len(numbers):
            raise ValueError("certificate numbers must be unique")
        return certs


class CrewWarningOut(BaseModel):
    """Something wrong with the record that does not stop it being stored (an officer should
    act on it)."""

    code: Literal["certificate_expired"]
    message: str
    certificate: str = Field(description="the certificate's number")
    expires_on: Day


class CrewOut(BaseModel):
    crew_id: str
    name: str
    id_number_masked: str
    jurisdiction: str
    certificates: list[CertificateOut]
    face_status: FaceStatus
    face_error: str | None = Field(default=None, description=FACE_ERROR)
    face_message: str | None = Field(default=None, description=FACE_MESSAGE)
    credit_points: int
    linked: bool = Field(description="a mini-program account is linked to this record")
    warnings: list[CrewWarningOut] = Field(
        default=[], description="e.g. a certificate already expired (the record is stored)"
    )


class CertificateStatusIn(Strict):
    status: CertificateStatus
    reason: Annotated[Line, Field(min_length=1, max_length=200)]


class EnrolmentOut(BaseModel):
    crew_id: str
    face_status: FaceStatus
    face_error: str | None = Field(default=None, description=FACE_ERROR)
    face_message: str | None = Field(default=None, description=FACE_MESSAGE)
    upload: UploadOut | None = Field(
        default=None, description="where to post the reference photo (when just requested)"
    )
