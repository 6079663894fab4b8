"""Bodies and answers of corrections, versions and their diff, reviews, a flight's
declarations and exports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from enforcement.remote_survey.declaration_schemas import (
    AnswerValue,
    Computed,
    FlightNumber,
    LangCode,
)
from enforcement.remote_survey.rules import REVIEW_COMMENT_MAX
from enforcement.schemas import CalendarDate, Day, Jurisdiction, Line, Paragraph, Strict, Timestamp


class DeclarationCorrectionIn(Strict):
    answers: dict[str, Any] = Field(
        min_length=1,
        max_length=300,
        description="the answers changed: field name → answer (select_multiple: a list of "
        "choice names; null clears an answer); the others stay as submitted",
    )
    reason: Annotated[Line, Field(min_length=1, max_length=500)] = Field(
        description="why the declaration is corrected (kept with the version)"
    )


class DeclarationVersionOut(BaseModel):
    version: int
    form_id: str
    form_version: int
    submitted_at: Timestamp
    submitted_by: str
    reason: str | None = None
    answers: dict[str, AnswerValue]
    computed: dict[str, Computed] | None = None


class AnswerChangeOut(BaseModel):
    field: str
    kind: Literal["added", "removed", "changed"]
    label: str = Field(description="the question in the asked language")
    before: AnswerValue | None = None
    after: AnswerValue | None = None
    before_text: str = Field(description="the answer before, labelled (select answers)")
    after_text: str


class DeclarationDiffOut(BaseModel):
    declaration_id: str
    before: int
    after: int
    lang: str
    changes: list[AnswerChangeOut]


ReviewState = Literal["has_issues", "approved", "referred", "rejected"]


class DeclarationReviewIn(Strict):
    state: ReviewState
    comment: Annotated[Paragraph, Field(max_length=REVIEW_COMMENT_MAX)] | None = Field(
        default=None, description="required for has_issues, referred and rejected"
    )


class DeclarationReviewOut(BaseModel):
    declaration_id: str
    version: int
    review: Literal["received", "has_issues", "approved", "referred", "rejected"]
    review_comment: str | None = None
    reviewed_by: str | None = None
    reviewed_at: Timestamp | None = None
    kept: bool = Field(description="kept beyond the retention period (no expiry)")


class FlightDeclarationOut(BaseModel):
    declaration_id: str
    flight_number: str
    arrival_date: Day
    version: int
    traveller_name: str | None = None
    document_number_masked: str | None = None
    submitted_at: Timestamp | None = None
    review: str | None = None
    outcome: str | None = None
    scanned_at: Timestamp | None = None
    released_at: Timestamp | None = None
    referred_at: Timestamp | None = None


class DeclarationExportIn(Strict):
    port: Jurisdiction
    arrival_date: CalendarDate
    flight_number: FlightNumber | None = Field(
        default=None, description="one flight; without it, every flight of the port's day"
    )
    format: Literal["csv", "xlsx"] = "csv"
    lang: LangCode = Field(description="the language of the headers and of select answers")
    document_numbers: Literal["masked", "full"] = Field(
        default="masked", description="whole document numbers only when asked (audited)"
    )


class DeclarationExportOut(BaseModel):
    url: str = Field(description="a presigned GET of the file, valid until expires_at")
    expires_at: Timestamp
    media_type: str
    rows: int
    bytes: int
    flights: int
