"""Answers of the public routes (no token): draw pages, and the two published documents of a
draw typed faithfully to their layouts (`docs/schemas/dispatch-snapshot.schema.json`,
`docs/schemas/dispatch-result.schema.json`, checked by `layout.py`).

A document is answered as it was written: its models keep the members in the order of its
canonical JSON (sorted) and leave out what the document does not have (a version 1 snapshot has
no `reveal_wait_seconds`), so a verifier re-hashes exactly what was published.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from enforcement.dispatch.rules import AssignmentStatus
from enforcement.dispatch.schemas import DrawBase
from enforcement.schemas import Link, Timestamp


class Sparse(BaseModel):
    """Answered as written: a member the service left out stays out (not `null`)."""

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # no return annotation: the answer's JSON Schema stays the model's own
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if key in self.model_fields_set}


# ------------------------------------------------------------------ draw pages


class BeaconChainOut(BaseModel):
    chain_hash: str
    genesis_time: int = Field(description="Unix time of round 1")
    period: int = Field(description="seconds between rounds")
    relay: Link


class PublicDrawOut(DrawBase):
    """A draw as the public sees it, with what verification anchors on."""

    reveal_wait_seconds: int | None
    beacon_chain: BeaconChainOut | None = Field(description="null when no beacon is named")


class PublicResultOut(BaseModel):
    passed: bool
    findings: list[str]
    recorded_by: str | None = Field(description="the public id of who recorded it")
    recorded_at: Timestamp


class PublicRedrawOut(BaseModel):
    n: int | None
    at: Timestamp | None
    reason: str | None
    previous_team: list[str | None] = Field(description="public ids")
    team: list[str | None] = Field(description="public ids")


class PublicAssignmentOut(BaseModel):
    """An assignment without account ids: inspectors by public id, names as configured."""

    target_id: str
    level: str
    ticket: str
    order: int
    status: AssignmentStatus
    team: list[str | None] = Field(description="public ids (null for one without)")
    result: PublicResultOut | None
    redraws: list[PublicRedrawOut]
    inspected_at: Timestamp | None
    team_names: list[str | None] = Field(description="names as the deployment shows them")
    photos_accepted: int
    target_name: str | None
    company_name: str | None


class PublicDrawPageOut(PublicDrawOut, Sparse):
    """A public draw page; `assignments` is present once the draw is drawn."""

    snapshot_url: Link | None = Field(description="a download link of the snapshot")
    assignments: list[PublicAssignmentOut] | None = Field(
        default=None, description="absent until the draw is drawn"
    )


class DocumentLinkOut(BaseModel):
    """A document too large to answer inline: the same link is in the Location header (303)."""

    url: Link


# ------------------------------------------------------------------ the snapshot document
# members in sorted order: the order of the document's canonical JSON


class SnapshotLevel(Sparse):
    level: str
    min_score: str
    rate: str = Field(description="an exact decimal in 0-1, at most 12 places")


class SnapshotModel(Sparse):
    hash: str
    levels: list[SnapshotLevel]
    model_id: str
    version: int


class SnapshotInspector(Sparse):
    id: str = Field(description="a public id (`insp-` and 16 hex digits; v1: an account id)")
    jurisdiction: str
    load: int
    on_duty: bool
    qualifications: list[str]


class SnapshotTarget(Sparse):
    company: str
    id: str
    jurisdiction: str
    kind: str
    last_team: list[str]
    level: str
    score: str


class SnapshotDocument(Sparse):
    """The population a draw froze at its commitment (docs/draw-specification.md, 3.1)."""

    agency: str
    beacon: str | None
    conflicts: list[Annotated[list[str], Field(min_length=2, max_length=2)]] = Field(
        description="pairs [inspector id, company]"
    )
    draw_id: str
    format: Literal["dispatch-snapshot/1", "dispatch-snapshot/2"]
    frozen_at: Timestamp
    inspectors: list[SnapshotInspector]
    model: SnapshotModel
    reveal_wait_seconds: int | None = Field(default=None, description="version 2 only")
    targets: list[SnapshotTarget]
    team_size: int


# ------------------------------------------------------------------ the result document


class ResultLevel(Sparse):
    level: str
    probability: str = Field(description="threshold/2^64")
    rate: str
    threshold: str = Field(description="floor(rate * 2^64), decimal")


class ResultModel(Sparse):
    hash: str
    model_id: str
    version: int


class Population(Sparse):
    by_level: dict[str, int] = Field(description="level → how many targets it has")
    inspectors_on_duty: int
    targets: int


class Pick(Sparse):
    level: str
    target: str
    team: list[str]
    ticket: str


class Unstaffed(Sparse):
    level: str
    reason: Literal["not_enough_eligible_inspectors"]
    target: str
    ticket: str


class ResultDocument(Sparse):
    """The published outcome of a draw (docs/draw-specification.md, 3.2)."""

    agency: str
    beacon_value: str = Field(description="the beacon round's value, empty without a beacon")
    commitment: str
    draw_id: str
    format: Literal["dispatch-result/1", "dispatch-result/2"]
    levels: list[ResultLevel]
    model: ResultModel
    population: Population
    result_hash: str = Field(description="SHA-256 of the canonical JSON without result_hash")
    secret: str
    seed: str
    selected: list[Pick] = Field(description="in draw order")
    snapshot_hash: str
    team_size: int
    unstaffed: list[Unstaffed]
