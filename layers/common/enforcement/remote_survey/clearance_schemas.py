"""Bodies and answers of the clearance routes: an officer's disposition of a declaration, a
declaration's clearance steps, a flight's figures and the port's day board."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Day, Line, Strict, Timestamp

Disposition = Literal["released", "referred", "sampled"]


class ClearanceIn(Strict):
    """What the officer decides for a scanned declaration's traveller."""

    disposition: Disposition = Field(
        description="released: the traveller leaves the port; referred: to the on-site "
        "survey; sampled: a sample is taken (referred and sampled travellers are held, and "
        "their declarations kept beyond the retention period)"
    )
    reason: Annotated[Line, Field(max_length=500)] | None = Field(
        default=None,
        description="required when the disposition departs from decision support's outcome "
        "(release -> released, onsite_referral -> referred, sampling -> sampled; remote_survey "
        "is followed by any disposition once the survey has ended)",
    )


class SecondsFromOnBlock(BaseModel):
    """Whole seconds from the flight's on-block to each step reached (0 for a step before
    the recorded on-block)."""

    scanned: int | None = None
    survey_started: int | None = None
    survey_ended: int | None = None
    released: int | None = None
    referred: int | None = None
    sampled: int | None = None


class ClearanceOut(BaseModel):
    """A declaration's clearance: the disposition and the server time of each step."""

    declaration_id: str
    port: str
    arrival_date: Day
    flight_number: str
    outcome: str | None = Field(description="decision support's outcome at submit")
    disposition: Disposition | None
    disposed_by: str | None
    reason: str | None
    override: bool = Field(description="the disposition departs from the outcome")
    on_block: Timestamp | None = Field(description="the flight's actual on-block, else scheduled")
    scanned_at: Timestamp | None
    survey_started_at: Timestamp | None
    survey_ended_at: Timestamp | None
    released_at: Timestamp | None
    referred_at: Timestamp | None
    sampled_at: Timestamp | None
    seconds_from_on_block: SecondsFromOnBlock


class FlightFiguresOut(BaseModel):
    """A flight's clearance figures. Percentiles by nearest rank over the released travellers'
    clearance times (release - on-block): always a measured time; none before a release."""

    flight_number: str
    origin: str
    departure_airport: str | None
    scheduled_on_block: Timestamp
    actual_on_block: Timestamp | None
    on_block: Timestamp
    arrivals: int = Field(description="passengers on the manifest")
    declared: int = Field(description="declarations submitted")
    released: int
    held: int = Field(description="referred or sampled")
    in_process: int = Field(description="declared - released - held")
    p50_seconds: float | None
    p90_seconds: float | None
    max_seconds: float | None
    late: bool = Field(
        description="the clearance p90 so far is past the port's target: the releases' "
        "clearance times and, for each traveller not yet released or held, the time waited "
        "since on-block (true before any release when the travellers have waited too long)"
    )
    alerted_at: Timestamp | None = Field(description="when the port was told the flight is late")


class FlightClearanceOut(FlightFiguresOut):
    port: str
    arrival_date: Day
    target_minutes: int


class BoardOut(BaseModel):
    """A port's arriving flights of one day, by on-block time."""

    port: str
    arrival_date: Day
    target_minutes: int = Field(description="the clearance p90 target of the deployment")
    flights: list[FlightFiguresOut]
