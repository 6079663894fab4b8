"""Bodies and answers of the e-ticket routes: registry uploads (`registry_api`), plate and
licence lookups (`lookups_api`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Jurisdiction, Link, Strict, Timestamp, UploadOut

Registry = Literal["vehicles", "drivers", "violations"]


# ------------------------------------------------------------------ registry uploads


class RegistryUploadIn(Strict):
    city: Jurisdiction = Field(description="the city (a jurisdiction of a traffic-police agency)")
    registry: Registry = Field(description="the registry the file is of (docs/ticketing.md)")


class RegistryUploadOut(UploadOut):
    """Post the CSV (content type `text/csv`) with `fields` to `url`; then read its outcome at
    `GET /ticketing/registries/uploads/{upload_id}`."""

    upload_id: str = Field(description="`<city>.<registry>.<id>`")
    city: str
    registry: Registry


class RegistryProblemOut(BaseModel):
    field: str | None = Field(default=None, description="the column at fault; none: the row")
    code: str
    reason: str


class RegistryBadRowOut(BaseModel):
    line: int = Field(description="the file's line (the header is line 1)")
    problems: list[RegistryProblemOut]


class RegistryReportOut(BaseModel):
    """What the import did (`done`), or why the file was refused whole (`rejected`)."""

    registry: Registry | None = None
    city: str | None = None
    sha256: str | None = None
    rows: int | None = Field(default=None, description="rows read (blank lines not counted)")
    accepted: int | None = Field(default=None, description="good rows, kept")
    written: int | None = Field(default=None, description="good rows that changed a record")
    unchanged: int | None = Field(default=None, description="good rows equal to the record")
    bad_rows: int | None = None
    bad: list[RegistryBadRowOut] = Field(
        default_factory=list, description="the first 100 bad rows (all of them: `report_url`)"
    )
    code: str | None = Field(default=None, description="a file refused whole: why")
    reason: str | None = None
    line: int | None = None


class RegistryStatusOut(BaseModel):
    upload_id: str
    city: str
    registry: Registry
    status: Literal["pending", "done", "rejected"]
    result: str | None = Field(
        default=None,
        description="imported, unchanged (nothing written), or the refusal's code (`rejected`)",
    )
    received_at: Timestamp | None = None
    details: RegistryReportOut
    report_url: Link | None = Field(
        default=None, description="every bad row (JSON), when more than 100; 15 minutes"
    )
