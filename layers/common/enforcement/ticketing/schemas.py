"""Bodies and answers of the e-ticket routes: registry uploads (`registry_api`), plate and
licence lookups (`lookups_api`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from enforcement.schemas import Day, Jurisdiction, Line, Link, Strict, Timestamp, UploadOut

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
    stale: int | None = Field(
        default=None,
        description="good rows not written: their record stands as of a file granted later",
    )
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


# ------------------------------------------------------------------ lookups

PlateKindName = Literal[
    "ordinary_small",
    "ordinary_large",
    "new_energy_small",
    "new_energy_large",
    "trailer",
    "coach",
    "police",
    "hk_macau",
    "embassy",
    "consulate",
]
InForce = Literal["valid", "expired"]


class DocumentOut(BaseModel):
    last_day: Day = Field(description="the last day it is in force")
    status: InForce = Field(description="as of today in the city's local time")


class ViolationOut(BaseModel):
    violation_id: str
    code: str = Field(description="the violation's code (GA 408.1)")
    time: Timestamp
    place: str
    fine: int = Field(description="yuan")
    points: int
    status: Literal["untreated", "unpaid", "paid"]


class OutstandingOut(BaseModel):
    """The vehicle's violations not yet dealt with or not yet paid, newest first."""

    count: int
    fines: int = Field(description="yuan, all together")
    points: int
    items: list[ViolationOut]


class VehicleOut(BaseModel):
    plate: str
    plate_kind: PlateKindName
    vehicle_type: str
    registration_status: str
    flags: list[str] = Field(description="stolen, seized, detained, suspect, customs_hold, locked")
    inspection: DocumentOut
    insurance: DocumentOut
    owner: str | None = Field(description="masked: `POST …/owner` with a reason opens it")
    violations: OutstandingOut


class PlateOut(BaseModel):
    city: str
    plate: str = Field(description="the plate as stored (normalised)")
    as_of: Day = Field(description="today in the city's local time")
    vehicles: list[VehicleOut] = Field(
        description="one, or two when a blue and a yellow plate share the characters"
    )


class OwnerIn(Strict):
    reason: Line = Field(
        min_length=1, max_length=200, description="why the owner's name is needed (audited)"
    )
    plate_kind: PlateKindName | None = Field(
        default=None, description="which vehicle, when two share the plate's characters"
    )


class OwnerOut(BaseModel):
    city: str
    plate: str
    plate_kind: PlateKindName
    owner: str


class OffenceOut(BaseModel):
    code: str = Field(description="licence_class_mismatch")
    description: str
    detail: str


class PointsCycleOut(BaseModel):
    start: Day
    next: Day = Field(description="the first day of the next cycle")


class LicenceOut(BaseModel):
    city: str
    licence_number: str
    name: str
    date_of_birth: Day
    classes: list[str]
    drivable: list[str] = Field(description="every class the licence allows, its own included")
    first_issued: Day
    valid_from: Day
    valid_to: Day | None = Field(description="none: long-term (长期)")
    validity: Literal["not_yet_valid", "valid", "expired"]
    status: str
    points: int = Field(description="as the registry last said")
    points_current: bool = Field(
        description="the registry's points count in the current cycle; false: they were given "
        "in an earlier cycle (not synced since the cycle turned)"
    )
    points_cycle: PointsCycleOut = Field(description="the current 12-month cycle")
    full_points: bool = Field(
        description="12 points or more this cycle: the licence is to be detained"
    )
    as_of: Day
    vehicle_type: str | None
    allows: bool | None = Field(description="whether the classes allow `vehicle_type`")
    offence: OffenceOut | None = Field(description="driving a vehicle the licence does not allow")
