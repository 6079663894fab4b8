"""Request and response bodies of the check-in API (pydantic v2; the OpenAPI document follows).

Answers are typed to the field, statuses as enums with exactly the values the code writes, and
times and days with their `format`; the JSON on the wire is what the aggregates return.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from enforcement.checkin import health_form
from enforcement.checkin.crew_schemas import CertificateOut, CrewOut
from enforcement.checkin.verdicts import (
    CheckResultsOut,
    Grade,
    ManningPostOut,
    TaskOutcomeOut,
)
from enforcement.config import Settings
from enforcement.schemas import (
    Day,
    GpsFixIn,
    Jurisdiction,
    Latitude,
    Line,
    Longitude,
    Number,
    Paragraph,
    Strict,
    Timestamp,
    UploadOut,
    Whole,
)

#: A symptom of the crew health report: the choices of its form (`checkin/health_form.py`).
if TYPE_CHECKING:
    Symptom = str
else:
    Symptom = Literal[health_form.symptom_codes()]
#: appointed (by an application and its checks), bound (self-declared; approved, or within an
#: appointment) or pending (a binding waiting for an officer's approval).
PostingStatus = Literal["appointed", "bound", "pending"]
#: What a check is for: duty (a check-in), link (an account proving it is the crew member),
#: appointment or discharge (an application).
CheckPurpose = Literal["duty", "link", "appointment", "discharge"]
#: A check waits for its photo, is verified or failed, or waits for an officer's review (a face
#: measure fell between its lines; `review_id` names the review).
CheckStatus = Literal["awaiting_photo", "verified", "failed", "pending_review"]


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
    min_grade: Grade = Field(description="the lowest grade of certificate the post accepts")
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
    reported_at: Timestamp
    source: str = Field(description="officer, or ais-feed:<the feed object's key>")


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
    status: PostingStatus = Field(
        description="appointed, bound, or pending (waiting for an officer)"
    )
    since: Timestamp
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
    purpose: CheckPurpose
    mode: Literal["self", "onsite", "remote"] | None = Field(
        default=None, description="how a duty check was made (none for other purposes)"
    )
    status: CheckStatus
    vessel_id: str | None = None
    post: str | None = None
    crew_id: str
    task_id: str | None = None
    created_at: Timestamp
    decided_at: Timestamp | None = None
    results: CheckResultsOut | None = Field(default=None, description="once decided")
    reasons: list[str] = Field(
        default=[],
        description="<check>:<reason> of every failing check (of the checks in review while "
        "pending_review); empty when verified",
    )
    review_id: str | None = Field(default=None, description="when the check went to review")
    upload: UploadOut | None = Field(
        default=None, description="where to post the photo (in the answer that starts it)"
    )


def window_description(seconds: int) -> str:
    """How a remote check task's default window is described to clients: the setting's own
    default (`Settings.remote_task_window_seconds`, which template.yaml's parameter repeats)."""
    hours = f", i.e. {seconds / 3600:g} h" if seconds % 360 == 0 else ""
    return (
        f"default: the configured window ({seconds} s{hours}, unless the deployment sets another)"
    )


class TaskIn(Strict):
    window_seconds: Annotated[
        Whole | None,
        Field(
            ge=1,
            le=86_400,
            description=window_description(
                Settings.model_fields["remote_task_window_seconds"].default
            ),
        ),
    ] = None


class TaskOut(BaseModel):
    task_id: str
    vessel_id: str
    status: Literal["running", "complete", "window_closed", "failed_to_start"]
    created_at: Timestamp
    deadline: Timestamp
    window_seconds: int
    notified: int = Field(description="how many crew members were notified")
    outcome: TaskOutcomeOut | None = Field(
        default=None, description="so far while running; final once closed"
    )
    closed_at: Timestamp | None = None


class ManningOut(BaseModel):
    vessel_id: str
    vessel_name: str
    manning_met: bool
    as_of: Timestamp
    posts: list[ManningPostOut]


class ServiceRecordOut(BaseModel):
    day: Day
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
    temperature_c: Number | None = Field(
        default=None, description="°C; the report's form accepts 30 to 45"
    )
    note: Annotated[Paragraph | None, Field(max_length=2000)] = Field(
        default=None, description="the report's form accepts 500 characters"
    )
    lang: Annotated[str | None, Field(pattern=r"^[a-z]{2}$")] = Field(
        default=None,
        description="the language of the answer's problems: `zh` (default) or `en`",
    )


class HealthOut(BaseModel):
    report_id: str
    vessel_id: str
    jurisdiction: str
    reported_at: Timestamp
    reporter_crew_id: str
    subject_crew_id: str
    symptoms: list[Symptom]
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
    status: Literal["pending", "bound", "refused"] = Field(
        description="pending, bound (approved) or refused"
    )
    requested_at: Timestamp
    crew_id: str
    crew_name: str
    id_number_masked: str
    certificates: list[CertificateOut]
    decided_by: str | None = None
    decided_at: Timestamp | None = None
    reason: str | None = None


class ApproveBindingIn(Strict):
    reason: Annotated[str | None, Field(max_length=200)] = None


class RefuseBindingIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=200)]
