"""Bodies and answers of the dispatch API (pydantic v2): request bodies refuse unknown fields;
answers (`...Out`) type every field the service writes, with the values it writes.

What the public gets (draw pages, the snapshot and result documents) is `public_schemas.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from enforcement.dispatch.rules import AssignmentStatus, DrawStatus
from enforcement.schemas import (
    EvidencePhotoOut,
    Flag,
    Jurisdiction,
    Line,
    Paragraph,
    Strict,
    Timestamp,
    UploadOut,
    Whole,
)

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
DecimalText = Annotated[str, Field(pattern=r"^\d{1,6}(\.\d{1,12})?$", examples=["0.05"])]
TargetKind = Literal["ship", "cargo", "company"]


class IndicatorIn(Strict):
    code: Code
    name: Annotated[Line, Field(max_length=120)] = ""
    weight: DecimalText


class CategoryIn(Strict):
    code: Code
    name: Annotated[Line, Field(max_length=120)] = ""
    weight: DecimalText = "1"
    indicators: Annotated[list[IndicatorIn], Field(min_length=1, max_length=60)]


class LevelIn(Strict):
    level: Code
    min_score: DecimalText
    rate: Annotated[DecimalText, Field(description="share of the level's targets drawn, 0-1")]


class RiskModelIn(Strict):
    """A new version of a risk model: categories of weighted indicators, levels and rates."""

    name: Annotated[Line, Field(min_length=1, max_length=120)]
    target_kind: TargetKind = "ship"
    categories: Annotated[list[CategoryIn], Field(min_length=1, max_length=60)]
    levels: Annotated[list[LevelIn], Field(min_length=1, max_length=10)]
    note: Annotated[Paragraph, Field(max_length=500)] = ""


class TargetIn(Strict):
    """An inspection target and its indicator values (each within 0-1; a flag is 0 or 1)."""

    kind: TargetKind
    name: Annotated[Line, Field(min_length=1, max_length=80)]
    jurisdiction: Jurisdiction | None = None
    company_id: Code
    company_name: Annotated[Line | None, Field(max_length=80)] = None
    model_id: Code
    indicators: Annotated[dict[str, Decimal], Field(max_length=200)] = Field(default_factory=dict)

    @field_validator("indicators")
    @classmethod
    def _in_range(cls, values: dict[str, Decimal]) -> dict[str, Decimal]:
        for code, value in values.items():
            if not Decimal(0) <= value <= Decimal(1):
                raise ValueError(f"indicator {code} must be within 0 and 1")
        return values


class InspectorIn(Strict):
    """An officer's dispatch profile: what they may inspect and whether they are on duty."""

    qualifications: Annotated[
        list[Code],
        Field(
            min_length=1,
            max_length=10,
            description="target kinds it may inspect (ship, cargo, company) and duties (patrol)",
        ),
    ]
    on_duty: Flag
    conflicts: Annotated[list[Code], Field(max_length=200)] = Field(default_factory=list)


class DutyIn(Strict):
    on_duty: Flag


class ConflictIn(Strict):
    company_id: Code
    reason: Annotated[Line, Field(min_length=2, max_length=300)]


class DrawIn(Strict):
    model_id: Code
    team_size: Annotated[Whole, Field(ge=1, le=6)] = 2
    reveal_wait_seconds: Annotated[
        Whole | None, Field(ge=0, le=86_400, description="time between commitment and reveal")
    ] = None


class PlanIn(DrawIn):
    """What the daily schedule draws for the agency."""

    enabled: Flag = True


class ResultIn(Strict):
    passed: Flag
    findings: Annotated[list[Annotated[Paragraph, Field(max_length=300)]], Field(max_length=50)] = (
        Field(default_factory=list)
    )
    photos: Annotated[Whole, Field(ge=0, le=9, description="photos to upload")] = 0


class RedrawIn(Strict):
    reason: Annotated[Paragraph, Field(min_length=5, max_length=500)]


class VerifyIn(Strict):
    published: dict[str, Any]
    snapshot: dict[str, Any]


class BeaconCheckOut(BaseModel):
    name: str = Field(description="the beacon round the snapshot names")
    value: str = Field(description="the beacon value the published draw used")
    checked: bool = Field(description="whether the round was read from the beacon itself")
    note: str | None = Field(default=None, description="why it was not checked")
    round_rule_checked: bool = Field(
        default=False,
        description="whether the round named was checked to be the first after the "
        "commitment time plus the reveal wait (needs the chain's timing)",
    )


class AnchorsOut(BaseModel):
    """What the draw's page published, which verification holds the documents to."""

    draw_id: str
    status: DrawStatus
    snapshot_hash: str | None = Field(description="published at the commitment")
    commitment: str | None = Field(description="published at the commitment")
    committed_at: Timestamp | None = Field(
        description="the commitment time (the snapshot's frozen_at)"
    )
    reveal_wait_seconds: int | None = Field(description="time between commitment and reveal")
    beacon: str | None = Field(description="the beacon round named at the commitment")
    secret: str | None = Field(description="published at the reveal")
    beacon_value: str | None = Field(description="published at the reveal")
    revealed_at: Timestamp | None
    seed: str | None = Field(description="published at the reveal")
    result_hash: str | None = Field(description="published when drawn")


class VerifyOut(BaseModel):
    identical: bool = Field(
        description="true only for the published draw's own documents, re-run to its result"
    )
    verdict: Literal["identical", "not_the_published_draw", "differs"] = Field(
        description="not_the_published_draw: the documents differ from what the draw "
        "published at its commitment and reveal (or no such draw is published); differs: they "
        "are its documents, but the draw does not re-run to its result"
    )
    differences: list[str]
    snapshot_hash: str | None = None
    result_hash: str | None = None
    anchors: AnchorsOut | None = Field(
        default=None, description="null when no published draw has the id the documents name"
    )
    beacon: BeaconCheckOut | None = Field(
        default=None, description="null when the snapshot names no beacon"
    )


# ------------------------------------------------------------------ answers: the catalogue


class LevelOut(BaseModel):
    level: str
    min_score: str = Field(description="the lowest score of the level, a decimal")
    rate: str = Field(description="share of the level's targets drawn, an exact decimal in 0-1")


class IndicatorOut(BaseModel):
    code: str
    name: str
    weight: str


class CategoryOut(BaseModel):
    code: str
    name: str
    weight: str
    indicators: list[IndicatorOut]


class RiskModelDocumentOut(BaseModel):
    """The model document as saved (its SHA-256 over canonical JSON is the model's hash)."""

    model_id: str
    name: str
    target_kind: TargetKind
    categories: list[CategoryOut]
    levels: list[LevelOut]


class RiskModelOut(BaseModel):
    """One version of a risk model."""

    model_id: str
    version: int
    agency: str
    hash: str = Field(description="SHA-256 of the model document in canonical JSON")
    name: str
    target_kind: TargetKind
    categories: int = Field(description="how many categories")
    indicators: int = Field(description="how many indicators")
    levels: list[LevelOut]
    document: RiskModelDocumentOut
    note: str | None
    created_at: Timestamp | None
    created_by: str | None


class InspectionEntryOut(BaseModel):
    """One past inspection of a target (its record keeps the latest 20, newest first)."""

    draw_id: str
    at: Timestamp
    passed: bool
    findings: int = Field(description="how many findings were recorded")
    team: list[str] = Field(description="account ids of the team")


class TargetOut(BaseModel):
    target_id: str
    agency: str
    jurisdiction: str
    kind: TargetKind
    name: str
    company_id: str
    company_name: str | None
    model_id: str
    model_version: int
    indicators: dict[str, str] = Field(description="indicator code → value, a decimal in 0-1")
    score: str = Field(description="the exact score under the model version, as a decimal")
    level: str
    last_team: list[str]
    history: list[InspectionEntryOut]
    updated_at: Timestamp


class InspectorOut(BaseModel):
    """An officer's dispatch profile."""

    account_id: str
    agency: str
    jurisdiction: str
    qualifications: list[str]
    on_duty: bool
    open_assignments: int = Field(description="assignments given and not yet recorded (load)")
    conflicts: list[str] = Field(description="companies the inspector is never drawn for")
    public_id: str | None = Field(description="how published draws name the inspector")
    updated_at: Timestamp | None


# ------------------------------------------------------------------ answers: draws


class PlanOut(BaseModel):
    agency: str
    model_id: str | None
    team_size: int
    reveal_wait_seconds: int | None = Field(description="null: the deployment's default")
    enabled: bool


class DrawModelOut(BaseModel):
    model_id: str | None
    version: int | None = Field(description="the model version frozen (null before the freeze)")
    hash: str | None


class DrawBase(BaseModel):
    """A draw's fields common to every view; the secret, the beacon value and the seed are null
    before the reveal."""

    draw_id: str
    agency: str | None
    trigger: Literal["schedule", "on_demand"] | None
    status: DrawStatus
    requested_at: Timestamp | None
    model: DrawModelOut
    team_size: int
    snapshot_hash: str | None = Field(description="published at the commitment")
    commitment: str | None = Field(description="SHA-256 commitment to the secret")
    committed_at: Timestamp | None
    beacon: str | None = Field(description="the beacon round named at the commitment")
    secret: str | None
    beacon_value: str | None
    seed: str | None
    revealed_at: Timestamp | None
    result_hash: str | None
    selected_count: int | None
    unstaffed_count: int | None
    drawn_at: Timestamp | None
    published_at: Timestamp | None


class DrawOut(DrawBase):
    """A draw as its agency sees it."""

    requested_by: str | None
    execution_arn: str | None = Field(description="the state machine execution running it")
    error: str | None = Field(description="why the draw failed, when it did")


class InspectionResultOut(BaseModel):
    passed: bool
    findings: list[str]
    recorded_by: str | None = Field(description="an account id (a public id on public pages)")
    recorded_at: Timestamp


class RedrawOut(BaseModel):
    n: int
    at: Timestamp
    by: str = Field(description="the admin who asked for it")
    reason: str
    previous_team: list[str]
    team: list[str]


class AssignmentOut(BaseModel):
    """A drawn target, its team (account ids), and later its result and redraws."""

    target_id: str
    level: str
    ticket: str = Field(description="the target's ticket, 16 hex digits")
    order: int = Field(description="position in the draw order")
    status: AssignmentStatus
    team: list[str]
    result: InspectionResultOut | None
    photo_keys: list[str]
    photos: list[EvidencePhotoOut]
    redraws: list[RedrawOut]
    inspected_at: Timestamp | None


class DrawDetailOut(DrawOut):
    assignments: list[AssignmentOut]


class RecordedOut(AssignmentOut):
    """The assignment with its result, and one presigned upload per photo announced."""

    uploads: list[UploadOut]
