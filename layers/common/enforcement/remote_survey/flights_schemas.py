"""Bodies and answers of the flight and manifest routes (`flights_api`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Day, Jurisdiction, Strict, Timestamp, UploadOut


class ManifestUploadIn(Strict):
    port: Jurisdiction = Field(description="the port (a jurisdiction) the flight arrives at")


class ManifestUploadOut(UploadOut):
    """Post the CSV (content type `text/csv`) with `fields` to `url`; then read its outcome at
    `GET /remote-survey/manifests/{upload_id}?port=`."""

    upload_id: str
    port: str


class ManifestProblemOut(BaseModel):
    line: int = Field(description="the file's line, from 1")
    field: str | None = None
    code: str
    message: str


class ManifestDetailsOut(BaseModel):
    problems: list[ManifestProblemOut] = Field(default_factory=list, description="at most 100")
    problem_count: int | None = None
    flight_key: str | None = None
    passengers: int | None = None
    sha256: str | None = None
    changed: bool | None = None
    replaced: bool | None = None
    removed: int | None = None


class ManifestStatusOut(BaseModel):
    upload_id: str
    port: str
    status: Literal["pending", "done", "rejected"]
    result: str | None = Field(
        default=None, description="imported, unchanged, or manifest_refused (see `details`)"
    )
    received_at: Timestamp | None = None
    details: ManifestDetailsOut


class ManifestPassengerOut(BaseModel):
    name: str
    document_number: Annotated[str, Field(description="masked")]
    seat: str | None = None
    nationality: str | None = None


class FlightOut(BaseModel):
    port: str
    arrival_date: Day
    flight_number: str
    origin: str = Field(description="ISO 3166-1 alpha-3 of the departure airport's country")
    departure_airport: str | None = None
    scheduled_on_block: Timestamp
    actual_on_block: Timestamp | None = None
    passengers: int = Field(description="on the manifest")
    declared: int
    released: int
    held: int
    imported_at: Timestamp | None = None
    manifest: list[ManifestPassengerOut] = Field(description="by seat; document numbers masked")
