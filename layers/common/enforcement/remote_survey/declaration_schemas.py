"""Bodies and answers of the forms, declarations, scans and kiosk sessions routes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from enforcement.schemas import CalendarDate, Day, Jurisdiction, Strict, Timestamp

FormId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
#: A language as a form names it: its code (`ja`, `zh`, `pt-BR`).
LangCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$")]
#: An answer as stored: text, a number (decimals as their exact text), a date `YYYY-MM-DD`, a
#: choice name, or a list of choice names.
AnswerValue = str | int | float | bool | list[str]
#: A calculation's value as the backend computed it.
Computed = str | int | float | bool | None
FlightNumber = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{2}[0-9]{1,4}[A-Za-z]?$")]


# ------------------------------------------------------------------ forms


class FormPublishIn(Strict):
    """One of: the XLSForm's sheets as JSON, or the `.xlsx` file in base64."""

    sheets: dict[str, Any] | None = Field(
        default=None,
        description='{"survey": [rows], "choices": [rows], "settings": [rows]}, a row an '
        "object of column → cell (docs/forms.md)",
    )
    xlsx_base64: str | None = Field(
        default=None, min_length=4, description="the .xlsx workbook, base64 (standard or URL-safe)"
    )

    @model_validator(mode="after")
    def _one(self) -> FormPublishIn:
        if (self.sheets is None) == (self.xlsx_base64 is None):
            raise ValueError("send either sheets or xlsx_base64")
        return self


class FormVersionOut(BaseModel):
    form_id: str
    version: int = Field(description="1, 2, … per form id: the published version")
    declared_version: str = Field(description="the XLSForm's settings.version, as written")
    title: str
    languages: list[str]
    content_hash: str
    published_at: Timestamp
    published_by: str
    created: bool | None = Field(
        default=None, description="false when the same content was published before"
    )


class ChoiceOut(BaseModel):
    name: str
    label: str


class QuestionOut(BaseModel):
    name: str
    type: str
    label: str | None = None
    hint: str | None = None
    constraint_message: str | None = None
    required_message: str | None = None
    relevant: str | None = None
    constraint: str | None = None
    required: str | None = None
    calculation: str | None = None
    default: str | None = None
    appearance: str | None = None
    choices: list[ChoiceOut] | None = None
    children: list[QuestionOut] | None = None


class FormOut(BaseModel):
    """A published form in one language: what a mini-program draws."""

    form_id: str
    published_version: int
    version: str = Field(description="the XLSForm's settings.version")
    content_hash: str
    title: str
    language: str
    direction: Literal["ltr", "rtl"]
    languages: list[str]
    messages: dict[str, str] = Field(description="the engine's messages in this language")
    questions: list[QuestionOut]


# ------------------------------------------------------------------ declarations


class DeclarationStartIn(Strict):
    port: Jurisdiction
    arrival_date: CalendarDate
    flight_number: FlightNumber
    form_id: FormId = "arrival_health_declaration"
    lang: LangCode


class AnswersIn(Strict):
    answers: dict[str, Any] = Field(
        max_length=300,
        description="field name → answer (select_multiple: a list of choice names; null "
        "clears an answer)",
    )


class AutofillIn(Strict):
    """One of: the MRZ lines (TD3: 2 lines of 44, TD1: 3 of 30) or a Chinese resident ID number."""

    mrz: list[Annotated[str, Field(max_length=60)]] | None = Field(
        default=None, min_length=2, max_length=3
    )
    resident_id: Annotated[str, Field(max_length=30)] | None = None

    @model_validator(mode="after")
    def _one(self) -> AutofillIn:
        if (self.mrz is None) == (self.resident_id is None):
            raise ValueError("send either mrz or resident_id")
        return self


class DeclarationCheckIn(Strict):
    lang: LangCode | None = Field(default=None, description="default: the declaration's")


class ProblemOut(BaseModel):
    field: str
    code: str
    message: str


class DeclarationCheckOut(BaseModel):
    ok: bool
    problems: list[ProblemOut]


class DeclarationOut(BaseModel):
    declaration_id: str
    port: str
    flight_number: str
    arrival_date: Day
    form_id: str
    form_version: int
    lang: str
    status: Literal["draft", "submitted"]
    version: int
    answers: dict[str, AnswerValue]
    computed: dict[str, Computed] | None = None
    started_at: Timestamp
    updated_at: Timestamp
    submitted_at: Timestamp | None = None
    outcome: str | None = None
    outcome_reasons: list[str] | None = None
    rule_version: str | None = None
    review: str | None = None
    scanned_at: Timestamp | None = None
    code: str | None = Field(
        default=None, description="the declaration code for the QR (submitted; owner only)"
    )
    code_expires_at: Timestamp | None = None


class DeclarationListItemOut(BaseModel):
    declaration_id: str
    port: str
    flight_number: str
    arrival_date: Day
    status: Literal["draft", "submitted"]
    version: int
    started_at: Timestamp
    submitted_at: Timestamp | None = None
    review: str | None = None


class DocumentReadOut(BaseModel):
    kind: Literal["mrz", "resident_id"]
    fields: list[str] = Field(description="the answers it filled")
    expired: bool = Field(description="an expired document is flagged, not refused")
    expiry_date: Day | None = None


class AutofillOut(BaseModel):
    declaration: DeclarationOut
    document: DocumentReadOut


# ------------------------------------------------------------------ scans, kiosks


class ScanIn(Strict):
    code: str = Field(min_length=1, max_length=100)
    lang: LangCode


class LabelledAnswerOut(BaseModel):
    name: str
    type: str
    group: list[str]
    label: str
    value: AnswerValue
    value_label: str | list[str] | None = None


class ScanSummaryOut(BaseModel):
    symptoms: list[str]
    symptom_labels: list[str]
    temperature: str | None = None
    has_fever: str | None = None
    outcome: str | None = None
    outcome_reasons: list[str] | None = None
    rule_version: str | None = None


class ScanOut(BaseModel):
    declaration_id: str
    port: str
    flight_number: str
    arrival_date: Day
    version: int
    review: str | None = None
    traveller_name: str | None = None
    document_number: str | None = None
    submitted_at: Timestamp | None = None
    lang: str
    direction: Literal["ltr", "rtl"]
    answers: list[LabelledAnswerOut]
    summary: ScanSummaryOut
    scanned_at: Timestamp | None = None
    scanned_by: str | None = None
    first_scan: bool


class KioskSessionOut(BaseModel):
    token: str
    expires_at: Timestamp
    account_id: str
    role: Literal["traveller"] = "traveller"
    port: str
