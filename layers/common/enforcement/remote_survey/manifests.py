"""A flight's manifest as the port's system sends it: one CSV file per flight. Pure parsing.

The layout (docs/remote-survey.md), UTF-8 with or without a byte order mark, comma-separated,
fields quoted as CSV quotes them:

    flight_number,origin,departure_airport,arrival_date,scheduled_on_block,actual_on_block
    NH921,JPN,NRT,2026-12-01,2026-12-01T04:35:00Z,2026-12-01T04:41:00Z
    name,document_number,seat,nationality
    YAMADA/HANAKO,E12345678,32A,JPN
    ...one line per passenger

Line 1 and line 3 are headers (names in any order, any case; every name, no other); line 2 is
the flight; from line 4, the passengers. Blank lines are skipped. A file with any problem is
refused whole: `ManifestRefused` names every bad line (up to `MAX_PROBLEMS`), its field and
why; nothing of it is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from enforcement.remote_survey.consistency import document_key, flight_number_key, seat_key

FLIGHT_COLUMNS = (
    "flight_number",
    "origin",
    "departure_airport",
    "arrival_date",
    "scheduled_on_block",
    "actual_on_block",
)
PASSENGER_COLUMNS = ("name", "document_number", "seat", "nationality")
#: More passengers than the largest airliner seats: not a manifest.
MAX_PASSENGERS = 1_000
MAX_PROBLEMS = 100
MAX_NAME_CHARS = 100
#: How far a scheduled on-block may lie from the arrival date (time zones, late flights).
ON_BLOCK_DAYS = 2

_FLIGHT = re.compile(r"^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$")
_ALPHA3 = re.compile(r"^[A-Z]{3}$")
_DOCUMENT = re.compile(r"^[A-Z0-9]{4,22}$")  # as the arrival form's document_number
_SEAT = re.compile(r"^[0-9]{1,3}[A-K]$")


@dataclass(frozen=True)
class ManifestProblem:
    line: int
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "code": self.code, "message": self.message}


class ManifestRefused(ValueError):
    def __init__(self, problems: list[ManifestProblem], total: int | None = None) -> None:
        super().__init__(f"manifest refused: {len(problems)} problem(s)")
        self.problems = problems[:MAX_PROBLEMS]
        self.total = total if total is not None else len(problems)


@dataclass(frozen=True)
class ManifestPassengerRow:
    line: int
    name: str
    document_number: str
    seat: str | None
    nationality: str | None


@dataclass(frozen=True)
class Manifest:
    flight_number: str
    origin: str
    departure_airport: str | None
    arrival_date: str
    scheduled_on_block: str  # ISO 8601 UTC, seconds, "Z"
    actual_on_block: str | None
    passengers: tuple[ManifestPassengerRow, ...]


class _Problems:
    def __init__(self) -> None:
        self.found: list[ManifestProblem] = []

    def add(self, line: int, field: str | None, code: str, message: str) -> None:
        self.found.append(ManifestProblem(line, field, code, message))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ManifestRefused(
            [ManifestProblem(line, None, "not_utf8", "the file is not UTF-8 text")]
        ) from exc


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ManifestRefused(
            [ManifestProblem(reader.line_num or start, None, "bad_csv", f"CSV: {exc}")]
        ) from exc
    return rows


def _header(
    problems: _Problems, line: int, row: list[str], expected: tuple[str, ...]
) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in row]
    if sorted(names) != sorted(expected):
        problems.add(
            line,
            None,
            "bad_header",
            f"line {line} must name the columns {', '.join(expected)} (any order), "
            f"not {', '.join(names)}",
        )
        return None
    return {name: names.index(name) for name in expected}


def _cells(
    problems: _Problems, line: int, row: list[str], columns: dict[str, int]
) -> dict[str, str] | None:
    if len(row) != len(columns):
        problems.add(
            line,
            None,
            "wrong_field_count",
            f"line {line} has {len(row)} fields, {len(columns)} expected",
        )
        return None
    return {name: row[index].strip() for name, index in columns.items()}


def _utc(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:  # a time without its offset means nothing at a port
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _flight(problems: _Problems, line: int, cells: dict[str, str]) -> dict[str, Any]:
    flight: dict[str, Any] = {}
    number = flight_number_key(cells["flight_number"])
    if not _FLIGHT.match(number):
        problems.add(line, "flight_number", "bad_flight_number", "a flight number like NH921")
    flight["flight_number"] = number
    for name in ("origin", "departure_airport"):
        value = cells[name].upper()
        if (value or name == "origin") and not _ALPHA3.match(value):
            what = "an ISO 3166-1 alpha-3 country code" if name == "origin" else "an IATA code"
            problems.add(line, name, f"bad_{name}", f"{name}: {what}")
        flight[name] = value or None
    try:
        arrival = dt.date.fromisoformat(cells["arrival_date"])
        flight["arrival_date"] = arrival.isoformat()
    except ValueError:
        arrival = None
        problems.add(line, "arrival_date", "bad_date", "arrival_date: YYYY-MM-DD")
    for name in ("scheduled_on_block", "actual_on_block"):
        if not cells[name] and name == "actual_on_block":
            flight[name] = None
            continue
        moment = _utc(cells[name])
        if moment is None:
            problems.add(line, name, "bad_time", f"{name}: ISO 8601 with its offset")
            continue
        if arrival is not None and abs((moment.date() - arrival).days) > ON_BLOCK_DAYS:
            problems.add(line, name, "time_far_from_arrival", f"{name}: not near {arrival}")
        flight[name] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return flight


def _passenger(
    problems: _Problems, line: int, cells: dict[str, str]
) -> ManifestPassengerRow | None:
    before = len(problems.found)
    name = " ".join(cells["name"].split())
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        problems.add(line, "name", "bad_name", f"name: 1 to {MAX_NAME_CHARS} printable characters")
    document = document_key(cells["document_number"])
    if not _DOCUMENT.match(document):
        problems.add(
            line, "document_number", "bad_document_number", "document_number: 4 to 22 A-Z 0-9"
        )
    seat = seat_key(cells["seat"]) or None
    if seat is not None and not _SEAT.match(seat):
        problems.add(line, "seat", "bad_seat", "seat: a row number and a letter, like 32A")
    nationality = cells["nationality"].upper() or None
    if nationality is not None and not _ALPHA3.match(nationality):
        problems.add(line, "nationality", "bad_nationality", "nationality: ISO 3166-1 alpha-3")
    if len(problems.found) > before:
        return None
    return ManifestPassengerRow(line, name, document, seat, nationality)


def parse(data: bytes) -> Manifest:
    """The manifest in `data`, or `ManifestRefused` with every problem (line numbers from 1)."""
    rows = _rows(_decode(data))
    problems = _Problems()
    if len(rows) < 4:
        problems.add(
            rows[-1][0] if rows else 1,
            None,
            "too_short",
            "a manifest has a flight header, the flight, a passenger header and passengers",
        )
        raise ManifestRefused(problems.found)
    if len(rows) - 3 > MAX_PASSENGERS:
        problems.add(rows[3 + MAX_PASSENGERS][0], None, "too_many_passengers", "too many rows")
        raise ManifestRefused(problems.found)
    flight_columns = _header(problems, rows[0][0], rows[0][1], FLIGHT_COLUMNS)
    passenger_columns = _header(problems, rows[2][0], rows[2][1], PASSENGER_COLUMNS)
    flight: dict[str, Any] = {}
    if flight_columns is not None:
        cells = _cells(problems, rows[1][0], rows[1][1], flight_columns)
        if cells is not None:
            flight = _flight(problems, rows[1][0], cells)
    passengers: list[ManifestPassengerRow] = []
    if passenger_columns is not None:
        first_line: dict[str, int] = {}
        for line, row in rows[3:]:
            cells = _cells(problems, line, row, passenger_columns)
            entry = _passenger(problems, line, cells) if cells is not None else None
            if entry is None:
                continue
            if entry.document_number in first_line:
                problems.add(
                    line,
                    "document_number",
                    "duplicate_document_number",
                    f"document_number: also on line {first_line[entry.document_number]}",
                )
                continue
            first_line[entry.document_number] = line
            passengers.append(entry)
    if problems.found:
        raise ManifestRefused(problems.found)
    return Manifest(
        flight_number=flight["flight_number"],
        origin=flight["origin"],
        departure_airport=flight["departure_airport"],
        arrival_date=flight["arrival_date"],
        scheduled_on_block=flight["scheduled_on_block"],
        actual_on_block=flight["actual_on_block"],
        passengers=tuple(passengers),
    )
