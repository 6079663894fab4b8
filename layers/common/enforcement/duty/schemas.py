"""Request bodies of duty tasks and hazard reports (pydantic v2, unknown fields refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from enforcement.duty import rota
from enforcement.schemas import (
    Flag,
    GpsFixIn,
    Jurisdiction,
    Latitude,
    Line,
    Longitude,
    Number,
    Paragraph,
    Strict,
    Whole,
)

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:30"])]
HazardKind = Literal["accident", "road_works", "broken_signal", "road_hazard"]


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
