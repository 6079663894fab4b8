"""Request bodies of the dispatch API (pydantic v2, unknown fields refused)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from enforcement.schemas import Flag, Jurisdiction, Line, Paragraph, Strict, Whole

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
    status: str
    snapshot_hash: str | None = Field(description="published at the commitment")
    commitment: str | None = Field(description="published at the commitment")
    committed_at: str | None = Field(description="the commitment time (the snapshot's frozen_at)")
    reveal_wait_seconds: int | None = Field(description="time between commitment and reveal")
    beacon: str | None = Field(description="the beacon round named at the commitment")
    secret: str | None = Field(description="published at the reveal")
    beacon_value: str | None = Field(description="published at the reveal")
    revealed_at: str | None
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
