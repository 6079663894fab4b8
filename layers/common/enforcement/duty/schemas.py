"""Request bodies (pydantic v2, unknown fields refused) and answers of duty tasks and hazard
reports. Answers keep the service's JSON as it is: the Out models type it for clients."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from enforcement.duty import rota
from enforcement.schemas import (
    Day,
    EvidencePhotoOut,
    Flag,
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

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:30"])]
HazardKind = Literal["accident", "road_works", "broken_signal", "road_hazard"]
HazardStatus = Literal["open", "in_progress", "resolved", "dismissed"]
TaskStatus = Literal["assigned", "acknowledged", "closed", "unstaffed"]
#: A local time to the minute with the agency's UTC offset, as the rota writes it. Not
#: `date-time`: RFC 3339 wants seconds, which these times never had on the wire.
LocalMinute = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}$",
        examples=["2026-11-23T07:30+08:00"],
        description="local time to the minute, ISO 8601 with the agency's UTC offset",
    ),
]


class SlotIn(Strict):
    start: ClockTime
    end: Annotated[ClockTime, Field(description="before the start: the slot runs past midnight")]
    officers: Annotated[Whole, Field(ge=1, le=10, description="officers the slot needs")] = 1
    weekdays: Annotated[
        list[Annotated[Whole, Field(ge=1, le=7)]],
        Field(min_length=1, max_length=7, description="ISO weekdays, Monday 1 to Sunday 7"),
    ] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])

    @model_validator(mode="after")
    def _not_empty(self) -> SlotIn:
        if self.start == self.end:
            raise ValueError("a slot needs a start and a different end")
        return self


class PatrolAreaIn(Strict):
    """A patrol area: a name, a centre and radius (where closing GPS fixes are expected), the
    qualification its officers need (optional) and its time slots."""

    name: Annotated[Line, Field(min_length=1, max_length=80)]
    jurisdiction: Jurisdiction | None = None
    lat: Latitude
    lon: Longitude
    radius_m: Annotated[Number, Field(ge=50, le=50_000)] = 1000
    qualification: Code | None = None
    slots: Annotated[list[SlotIn], Field(min_length=1, max_length=24)]
    active: Flag = True

    @field_validator("slots")
    @classmethod
    def _distinct_starts(cls, slots: list[SlotIn]) -> list[SlotIn]:
        starts = [s.start for s in slots]
        if len(set(starts)) != len(starts):
            raise ValueError("two slots of an area start at the same time")
        for slot in slots:
            rota.slot_span(slot.start, slot.end)
        return slots


class CloseTaskIn(Strict):
    note: Annotated[Paragraph, Field(max_length=500)] = ""
    gps: GpsFixIn


class ReassignIn(Strict):
    reason: Annotated[Paragraph, Field(min_length=5, max_length=500)]
    officer_id: Annotated[
        str | None,
        Field(
            pattern=r"^off-[a-z][a-z0-9_.-]{2,31}$",
            description="omit to let the rota's rule choose (least loaded, random among equals)",
        ),
    ] = None


class HazardIn(Strict):
    """What an officer on patrol saw; place from the GPS fix, time from the server."""

    kind: HazardKind
    description: Annotated[Paragraph, Field(min_length=2, max_length=1000)]
    gps: GpsFixIn
    photos: Annotated[Whole, Field(ge=0, le=6, description="photos to upload")] = 1
    task_id: Annotated[str | None, Field(max_length=120)] = None


class HazardCloseIn(Strict):
    outcome: Literal["resolved", "dismissed"]
    resolution: Annotated[Paragraph, Field(min_length=2, max_length=1000)]


# ------------------------------------------------------------------ answers: patrol areas


class SlotOut(BaseModel):
    start: str = Field(examples=["07:30"], description="local time HH:MM")
    end: str = Field(description="local time HH:MM; before the start: runs past midnight")
    officers: int = Field(description="officers the slot needs")
    weekdays: list[int] = Field(description="ISO weekdays, Monday 1 to Sunday 7")


class PatrolAreaOut(BaseModel):
    area_id: str
    agency: str
    jurisdiction: str
    name: str
    lat: float
    lon: float
    radius_m: float = Field(description="closing GPS fixes are expected within it")
    qualification: str | None = Field(description="what its officers must hold, if anything")
    slots: list[SlotOut]
    active: bool
    updated_at: Timestamp
    updated_by: str


# ------------------------------------------------------------------ answers: days and tasks


class ReassignmentOut(BaseModel):
    at: Timestamp
    by: str = Field(description="the command-centre account")
    reason: str
    previous: str | None = Field(description="the officer before, none when unstaffed")
    officer: str


class DutyTaskOut(BaseModel):
    """One duty task: an officer's patrol of an area in one slot.
    `assigned → acknowledged → closed`; `unstaffed` when nobody was eligible."""

    task_id: str = Field(description="`<date>.<HHMM>.<area id>.<n>`")
    area_id: str
    area_name: str
    jurisdiction: str
    starts_at: LocalMinute
    ends_at: LocalMinute
    minutes: int
    officer_id: str | None = Field(description="none while unstaffed")
    status: TaskStatus
    late: bool = Field(description="its slot has begun and nobody acknowledged it")
    acknowledged_at: Timestamp | None
    closed_at: Timestamp | None
    close_note: str | None
    close_distance_m: float | None = Field(
        description="the closing GPS fix's distance to the area's centre, metres"
    )
    reassignments: list[ReassignmentOut]


class ClosedTaskOut(DutyTaskOut):
    within_area: bool = Field(
        description="the closing fix lies within the area's radius (kept, never refused)"
    )


class DaySummaryOut(BaseModel):
    """An agency's dispatched day: `dispatching` (rota stored, tasks being written) →
    `dispatched` (every task written, officers told)."""

    agency: str
    date: Day
    status: Literal["dispatching", "dispatched"]
    trigger: Literal["schedule", "on_demand"]
    requested_by: str
    requested_at: Timestamp
    dispatched_at: Timestamp | None
    rota_hash: str = Field(description="SHA-256 of the rota document's canonical JSON, hex")
    tasks: int
    unstaffed: int
    officers: int = Field(description="officers on duty in the rota document")


class DayOut(DaySummaryOut):
    counts: dict[str, int] = Field(description="tasks per status (only statuses present)")
    late: int = Field(description="tasks whose slot has begun, not yet acknowledged")
    minutes_per_officer: dict[str, int] = Field(description="officer id → minutes of tasks")
    task_list: list[DutyTaskOut]


class RotaSlotOut(BaseModel):
    """One slot of the rota document (keys in the stored document's sorted order)."""

    area_id: str
    end: int = Field(description="minutes from the day's local midnight; past 1440 next day")
    jurisdiction: str
    officers: int
    qualification: str = Field(description="empty when the area names none")
    start: int = Field(description="minutes from the day's local midnight")


class RotaOfficerOut(BaseModel):
    account_id: str
    jurisdiction: str
    qualifications: list[str]
    recent_minutes: int = Field(description="task minutes of the six days before")


class RotaDocumentOut(BaseModel):
    """Every input of a day's dispatch (see `enforcement.duty.rota`): re-running it gives the
    day's assignment; its canonical JSON hashes to the day's `rota_hash`. Keys come in the
    stored document's sorted order."""

    agency: str
    date: Day
    format: Literal["duty-rota/1"]
    max_minutes_per_day: int
    officers: list[RotaOfficerOut]
    seed: str = Field(description="64 hex digits")
    slots: list[RotaSlotOut]
    utc_offset: str = Field(examples=["+08:00"])


class RotaOut(BaseModel):
    rota_hash: str
    hash_matches: bool = Field(description="the stored document still hashes to `rota_hash`")
    identical: bool = Field(description="re-running the document gives the stored tasks")
    differences: list[str]
    reassigned: list[str] = Field(description="tasks reassigned since (compared by first officer)")
    document: RotaDocumentOut


# ------------------------------------------------------------------ answers: hazard reports


class GpsOut(BaseModel):
    lat: float
    lon: float
    accuracy_m: float


class HazardOut(BaseModel):
    """A hazard report: `open → in_progress → resolved | dismissed`."""

    report_id: str
    agency: str
    jurisdiction: str
    kind: HazardKind
    priority: int = Field(description="queue order: 1 (accidents) first")
    description: str
    gps: GpsOut
    task_id: str | None
    reported_by: str
    reported_at: Timestamp
    status: HazardStatus
    photos_expected: int
    photos_accepted: int
    photos: list[EvidencePhotoOut]
    handled_by: str | None
    taken_at: Timestamp | None
    closed_at: Timestamp | None
    resolution: str | None


class HazardReportedOut(HazardOut):
    uploads: list[UploadOut] = Field(description="one presigned POST per photo announced")
