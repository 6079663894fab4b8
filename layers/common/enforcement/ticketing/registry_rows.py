"""The registries' rows (vehicles, drivers, violations): their columns, their typed records and
the rules each cell is judged by: pure, no I/O. docs/ticketing.md has the columns.

The file around the rows (its size, encoding, header, quoting, bad rows by line, a key twice):
`registry_csv`. A row repeating the key of an earlier row is a vehicle's plate and plate type, a
driver's licence number or a violation's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import ClassVar

from enforcement.identity import DocumentRefused, parse_resident_id
from enforcement.ticketing import licences, plates
from enforcement.ticketing.licences import LicenceClass
from enforcement.ticketing.plates import PlateKind
from enforcement.ticketing.registry_csv import (
    EARLIEST,
    LATEST,
    MAX_FILE_BYTES,
    BadRow,
    Row,
    read,
)

MAX_NAME = 64
MAX_POINTS = 99
FLAG_SEPARATOR = "|"
SOURCE_SEPARATOR = "#"

VEHICLE_COLUMNS = (
    "plate",
    "plate_type",
    "vehicle_type",
    "owner",
    "registration_status",
    "inspection_due",
    "insurance_expiry",
    "flags",
)
DRIVER_COLUMNS = (
    "licence_number",
    "name",
    "classes",
    "first_issued",
    "valid_from",
    "valid_to",
    "status",
    "points",
)
REGISTRATION_STATUSES = ("registered", "suspended", "transferred_out", "deregistered", "scrapped")
VEHICLE_FLAGS = ("stolen", "seized", "detained", "suspect", "customs_hold", "locked")
VIOLATION_COLUMNS = (
    "violation_id",
    "plate",
    "plate_type",
    "code",
    "time",
    "place",
    "fine",
    "points",
    "status",
)
#: A violation not yet dealt with (`untreated`: 未处理), dealt with and not yet paid (`unpaid`:
#: 未缴款), or settled (`paid`). The first two are a vehicle's outstanding violations.
VIOLATION_STATUSES = ("untreated", "unpaid", "paid")
OUTSTANDING = ("untreated", "unpaid")
MAX_FINE = 100_000  # yuan: above any fine of the road traffic law, a typo's guard
MAX_VIOLATION_POINTS = 12
#: A city's local time when a violation's time names no offset (China Standard Time).
DEFAULT_OFFSET = timezone(timedelta(hours=8))
_VIOLATION_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,39}")
_VIOLATION_CODE = re.compile(r"[0-9]{4,5}")
_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(Z|[+-][0-9]{2}:[0-9]{2})?"
)
LICENCE_STATUSES = (
    "valid",
    "full_points",
    "detained",
    "suspended",
    "revoked",
    "cancelled",
    "overdue_renewal",
    "overdue_medical",
)


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    key_field: ClassVar[str] = "plate"
    line: int
    plate: str
    plate_kind: PlateKind
    vehicle_type: str
    owner: str
    registration_status: str
    inspection_due: date
    insurance_expiry: date
    flags: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return self.plate, self.plate_kind


@dataclass(frozen=True, slots=True)
class DriverRecord:
    key_field: ClassVar[str] = "licence_number"
    line: int
    licence_number: str
    name: str
    classes: tuple[LicenceClass, ...]
    first_issued: date
    valid_from: date
    valid_to: date | None  # None: long-term (长期)
    status: str
    points: int
    date_of_birth: date

    @property
    def key(self) -> str:
        return self.licence_number


@dataclass(frozen=True, slots=True)
class ViolationRecord:
    key_field: ClassVar[str] = "violation_id"
    line: int
    violation_id: str
    plate: str
    plate_kind: PlateKind
    code: str
    occurred_at: datetime  # UTC
    place: str
    fine: int  # yuan
    points: int
    status: str

    @property
    def key(self) -> str:
        return self.violation_id


def read_vehicles(
    data: bytes, *, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[VehicleRecord | BadRow]:
    """The vehicle registry's rows. Raises `RegistryFileRefused` before yielding anything."""
    return read(data, VEHICLE_COLUMNS, _vehicle, max_bytes)


def read_drivers(
    data: bytes, *, today: date, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[DriverRecord | BadRow]:
    """The driver registry's rows. Raises `RegistryFileRefused` before yielding anything."""
    return read(data, DRIVER_COLUMNS, lambda row, line: _driver(row, line, today), max_bytes)


def read_violations(
    data: bytes, *, utc_offset: timezone = DEFAULT_OFFSET, max_bytes: int = MAX_FILE_BYTES
) -> Iterator[ViolationRecord | BadRow]:
    """The violation registry's rows; a time without an offset is read at `utc_offset` (the
    city's local time). Raises `RegistryFileRefused` before yielding anything."""
    return read(
        data, VIOLATION_COLUMNS, lambda row, line: _violation(row, line, utc_offset), max_bytes
    )


def file_order(granted_at: str, upload_id: str) -> str:
    """Where a registry file stands among the files of its city and registry: the time its
    upload was granted (`clock.iso`: UTC, milliseconds, fixed width, so the text sorts as the
    time), then its upload id (`<city>.<registry>.<id>`) for two grants of one millisecond.
    A record keeps the order of the newest file that listed it (`source`)."""
    return f"{granted_at}{SOURCE_SEPARATOR}{upload_id}"


def stale(stored: str | None, incoming: str) -> bool:
    """A registry row is stale when its record stands as of a later file (`file_order`) than
    the row's own: the row is not written, and it is counted `stale`, not reported as bad. A
    record of no file (new, or stored before files were ordered) is older than any file; the
    same file again is not stale (an import retried: its rows are equal, nothing is written).
    Imports write on the same comparison as a condition (`source <= :file`)."""
    return stored is not None and stored > incoming


def _plate_and_kind(row: Row) -> tuple[str | None, PlateKind | None]:
    """The `plate` and `plate_type` cells of a row: the plate normalised and of that kind."""
    kind: PlateKind | None = None
    type_code = row.text("plate_type")
    if type_code is not None:
        try:
            kind = plates.kind_of_plate_type(type_code)
        except ValueError as error:
            row.fail("plate_type", "unknown_value", str(error))
    plate: str | None = None
    raw_plate = row.text("plate")
    if raw_plate is not None:
        try:
            plate = plates.parse_plate(raw_plate, kind).number
        except plates.PlateRefused as error:
            row.refused("plate", error)
        suffix = plates.PLATE_TYPE_SUFFIX.get(type_code or "")
        if plate is not None and suffix is not None and not plate.endswith(suffix):
            row.fail("plate", "plate_kind_mismatch", f"plate type {type_code} ends in {suffix}")
            plate = None
    return plate, kind


def _vehicle(row: Row, line: int) -> VehicleRecord | None:
    plate, kind = _plate_and_kind(row)
    vehicle_type = row.choice("vehicle_type", tuple(licences.VEHICLE_TYPES))
    owner = row.text("owner", limit=MAX_NAME)
    status = row.choice("registration_status", REGISTRATION_STATUSES)
    inspection_due = row.day("inspection_due")
    insurance_expiry = row.day("insurance_expiry")
    given = (row.text("flags", required=False) or "").split(FLAG_SEPARATOR)
    flags = tuple(f.strip() for f in given)
    flags = tuple(f for f in flags if f)
    unknown = [f for f in flags if f not in VEHICLE_FLAGS]
    if unknown or len(set(flags)) != len(flags):
        row.fail(
            "flags",
            "unknown_value",
            f"flags are some of {', '.join(VEHICLE_FLAGS)}, each once, separated by "
            f"{FLAG_SEPARATOR} ({', '.join(unknown) or 'one given twice'})",
        )
    if row.problems:
        return None
    assert plate
    assert kind
    assert vehicle_type
    assert owner
    assert status
    assert inspection_due
    assert insurance_expiry
    return VehicleRecord(
        line=line,
        plate=plate,
        plate_kind=kind,
        vehicle_type=vehicle_type,
        owner=owner,
        registration_status=status,
        inspection_due=inspection_due,
        insurance_expiry=insurance_expiry,
        flags=tuple(f for f in VEHICLE_FLAGS if f in flags),
    )


def _driver(row: Row, line: int, today: date) -> DriverRecord | None:
    number, born = None, None
    raw = row.text("licence_number", limit=32)
    if raw is not None:
        try:
            resident = parse_resident_id(raw, today=today)
            number, born = resident.number, resident.date_of_birth
        except DocumentRefused as error:
            row.refused("licence_number", error)
    name = row.text("name", limit=MAX_NAME)
    classes: tuple[LicenceClass, ...] = ()
    raw_classes = row.text("classes", limit=64)
    if raw_classes is not None:
        try:
            classes = licences.parse_classes(raw_classes)
        except licences.LicenceRefused as error:
            row.refused("classes", error)
    first_issued = row.day("first_issued")
    valid_from = row.day("valid_from")
    valid_to = row.day("valid_to", long_term=True)
    status = row.choice("status", LICENCE_STATUSES)
    points = _points(row)
    if first_issued and valid_from and first_issued > valid_from:
        row.fail("first_issued", "bad_dates", "first issued after the licence's valid_from")
    if valid_from and valid_to and valid_from >= valid_to:
        row.fail("valid_to", "bad_dates", "valid_to is not after valid_from")
    if first_issued and born and first_issued <= born:
        row.fail("first_issued", "bad_dates", "first issued before the holder was born")
    if row.problems:
        return None
    assert number
    assert born
    assert name
    assert classes
    assert first_issued
    assert valid_from
    assert status
    assert points is not None
    return DriverRecord(
        line=line,
        licence_number=number,
        name=name,
        classes=classes,
        first_issued=first_issued,
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        points=points,
        date_of_birth=born,
    )


def _violation(row: Row, line: int, offset: timezone) -> ViolationRecord | None:
    violation_id = row.text("violation_id", limit=40)
    if violation_id is not None and not _VIOLATION_ID.fullmatch(violation_id):
        row.fail("violation_id", "bad_violation_id", "1 to 40 of 0-9 A-Z a-z _ -, not - or _ first")
        violation_id = None
    plate, kind = _plate_and_kind(row)
    code = row.text("code", limit=8)
    if code is not None and not _VIOLATION_CODE.fullmatch(code):
        row.fail("code", "bad_violation_code", f"{code!r} is not a violation code (4 or 5 digits)")
        code = None
    occurred_at = _moment(row, "time", offset)
    place = row.text("place")
    fine = _points(row, "fine", MAX_FINE, "bad_fine")
    points = _points(row, "points", MAX_VIOLATION_POINTS)
    status = row.choice("status", VIOLATION_STATUSES)
    if row.problems:
        return None
    assert violation_id
    assert plate
    assert kind
    assert code
    assert occurred_at
    assert place
    assert fine is not None
    assert points is not None
    assert status
    return ViolationRecord(
        line=line,
        violation_id=violation_id,
        plate=plate,
        plate_kind=kind,
        code=code,
        occurred_at=occurred_at,
        place=place,
        fine=fine,
        points=points,
        status=status,
    )


def _moment(row: Row, field: str, offset: timezone) -> datetime | None:
    """`YYYY-MM-DD HH:MM[:SS]` (or with a `T`), at `offset` unless it names its own (`Z`,
    `+08:00`); as UTC."""
    value = row.text(field, limit=40)
    if value is None:
        return None
    found = _TIME.fullmatch(value)
    moment = None
    if found:
        day, clock, zone = found.groups()
        try:
            moment = datetime.fromisoformat(f"{day}T{clock}{zone or ''}".replace("Z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None or not EARLIEST <= moment.date() <= LATEST:
        row.fail(field, "bad_time", f"{value!r} is not a time YYYY-MM-DD HH:MM[:SS][offset]")
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=offset)).astimezone(UTC)


def _points(
    row: Row, field: str = "points", most: int = MAX_POINTS, code: str = "bad_points"
) -> int | None:
    value = row.text(field, limit=8)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= most):
        row.fail(field, code, f"{value!r} is not a whole number 0 to {most}")
        return None
    return int(value)
