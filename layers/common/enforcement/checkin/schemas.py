"""Request and response bodies of the check-in API (pydantic v2; the OpenAPI document follows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from enforcement.schemas import (
    CalendarDate,
    GpsFixIn,
    Jurisdiction,
    Latitude,
    Line,
    Longitude,
    Number,
    Paragraph,
    Strict,
    UploadOut,
    Whole,
)

Grade = Literal["A", "B", "C", "D"]
CertificateStatus = Literal["valid", "revoked", "suspended"]
Symptom = Literal[
    "none",
    "fever",
    "cough",
    "fatigue",
    "sore_throat",
    "shortness_of_breath",
    "diarrhea",
    "loss_of_taste_or_smell",
    "headache",
    "muscle_pain",
]


class PostIn(Strict):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", examples=["master"])]
    title: Annotated[Line, Field(min_length=1, max_length=40, examples=["船长"])]
    certificate_type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
    min_grade: Grade
    count: Annotated[Whole, Field(ge=1, le=20)] = 1


class PostOut(BaseModel):
    code: str
    title: str
    certificate_type: str
    min_grade: str
    count: int


class VesselIn(Strict):
    mmsi: Annotated[str, Field(pattern=r"^[2-7]\d{8}$", description="9-digit MMSI")]
    name_zh: Annotated[Line, Field(min_length=1, max_length=40, examples=["长江之星"])]
    name_en: Annotated[Line | None, Field(max_length=60)] = None
    home_port: Annotated[Line, Field(min_length=1, max_length=40)]
    jurisdiction: Jurisdiction | None = None
    length_m: Annotated[Number, Field(gt=0, le=500)]
    manning: Annotated[list[PostIn], Field(min_length=1, max_length=40)]

    @field_validator("manning")
    @classmethod
    def _unique_posts(cls, posts: list[PostIn]) -> list[PostIn]:
        codes = [p.code for p in posts]
        if len(set(codes)) != len(codes):
            raise ValueError("post codes must be unique in a manning table")
        return posts


class PositionIn(Strict):
    lat: Latitude
    lon: Longitude
    sog_knots: Annotated[Number, Field(ge=0, le=60)] = 0
    reported_at: datetime | None = Field(
        default=None, description="AIS report time; server time when absent"
    )


class PositionOut(BaseModel):
    lat: float
    lon: float
    sog_knots: float
    reported_at: str
    source: str


class VesselOut(BaseModel):
    vessel_id: str
    mmsi: str
    name_zh: str
    name_en: str | None = None
    home_port: str
    jurisdiction: str
    length_m: float
    manning: list[PostOut]
    position: PositionOut | None = None


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
    grade: str
    issuer: str
    issued_on: str | None = None
    expires_on: str
    status: str


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


class CrewOut(BaseModel):
    crew_id: str
    name: str
    id_number_masked: str
    jurisdiction: str
    certificates: list[CertificateOut]
    face_status: str
    face_error: str | None = None
    credit_points: int
    linked: bool


class CertificateStatusIn(Strict):
    status: CertificateStatus
    reason: Annotated[Line, Field(min_length=1, max_length=200)]


class EnrolmentOut(BaseModel):
    crew_id: str
    face_status: str
    face_error: str | None = None
    upload: UploadOut | None = None


class LinkIn(Strict):
    id_number: Annotated[str, Field(pattern=r"^(\d{17}[\dXx]|[A-Z][A-Z0-9]{5,19})$")]
    jurisdiction: Annotated[
        str | None,
        Field(
            pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
            description="when several jurisdictions registered the ID number: whose record",
        ),
    ] = None


class BindingIn(Strict):
    vessel_name: Annotated[Line | None, Field(max_length=40, description="Chinese name")] = None
    vessel_id: Annotated[str | None, Field(pattern=r"^\d{9}$")] = None
    post: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class PostingOut(BaseModel):
    vessel_id: str
    vessel_name: str
    post: str
    status: str = Field(description="appointed, bound, or pending (waiting for an officer)")
    since: str
    binding_id: str | None = None


class MeOut(BaseModel):
    account_id: str
    crew: CrewOut | None = None
    postings: list[PostingOut]


class SelfCheckIn(Strict):
    gps: GpsFixIn
    task_id: Annotated[str | None, Field(pattern=r"^task-[0-9a-f]{16}$")] = None
    vessel_id: Annotated[str | None, Field(pattern=r"^\d{9}$")] = None
    post: Annotated[str | None, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = None


class OnsiteCheckIn(Strict):
    crew_id: Annotated[str, Field(pattern=r"^crew-[0-9a-f]{12}$")]
    post: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
    gps: GpsFixIn


class ApplicationIn(Strict):
    kind: Literal["appointment", "discharge"]
    vessel_id: Annotated[str, Field(pattern=r"^\d{9}$")]
    post: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
    gps: GpsFixIn


class CheckOut(BaseModel):
    check_id: str
    purpose: str
    mode: str | None = None
    status: str
    vessel_id: str | None = None
    post: str | None = None
    crew_id: str
    task_id: str | None = None
    created_at: str
    decided_at: str | None = None
    results: dict[str, Any] | None = None
    reasons: list[str] = []
    upload: UploadOut | None = None


class TaskIn(Strict):
    window_seconds: Annotated[
        Whole | None, Field(ge=1, le=86_400, description="default: the configured window (2 h)")
    ] = None


class TaskOut(BaseModel):
    task_id: str
    vessel_id: str
    status: str
    created_at: str
    deadline: str
    window_seconds: int
    notified: int
    outcome: dict[str, Any] | None = None
    closed_at: str | None = None


class ManningOut(BaseModel):
    vessel_id: str
    vessel_name: str
    manning_met: bool
    as_of: str
    posts: list[dict[str, Any]]


class ServiceRecordOut(BaseModel):
    day: str
    vessel_id: str
    vessel_name: str
    post: str
    points: int
    check_id: str


class ServiceOut(BaseModel):
    crew_id: str
    credit_points: int
    sea_days: int
    records: list[ServiceRecordOut]


class HealthIn(Strict):
    vessel_id: Annotated[str, Field(pattern=r"^\d{9}$")]
    subject_crew_id: Annotated[str | None, Field(pattern=r"^crew-[0-9a-f]{12}$")] = Field(
        default=None, description="a shipmate; yourself when absent"
    )
    symptoms: Annotated[list[Symptom], Field(min_length=1, max_length=10)]
    temperature_c: Annotated[Number | None, Field(ge=30, le=45)] = None
    note: Annotated[Paragraph | None, Field(max_length=500)] = None


class HealthOut(BaseModel):
    report_id: str
    vessel_id: str
    jurisdiction: str
    reported_at: str
    reporter_crew_id: str
    subject_crew_id: str
    symptoms: list[str]
    temperature_c: float | None = None
    abnormal: bool
    reasons: list[str]


# ------------------------------------------------------------------ vessel search and bindings


class PostMatchOut(BaseModel):
    code: str
    title: str


class VesselMatchOut(BaseModel):
    """What binding needs of a vessel: which one it is and its posts, nothing more."""

    vessel_id: str
    name_zh: str
    home_port: str
    posts: list[PostMatchOut]


class BindingOut(BaseModel):
    """A crew member's binding as the approving officer sees it."""

    binding_id: str
    vessel_id: str
    vessel_name: str
    post: str
    status: str = Field(description="pending, bound (approved) or refused")
    requested_at: str
    crew_id: str
    crew_name: str
    id_number_masked: str
    certificates: list[CertificateOut]
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


class ApproveBindingIn(Strict):
    reason: Annotated[str | None, Field(max_length=200)] = None


class RefuseBindingIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=200)]
