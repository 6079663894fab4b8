"""Pydantic building blocks shared by the API schemas of every capability.

Inputs are typed here once: human text (`Line`, `Paragraph`), strict JSON numbers and flags
(`Number`, `Whole`, `Flag`, `Latitude`, `Longitude`), calendar dates (`CalendarDay` for paths
and queries, `CalendarDate` for bodies) and identifiers (`Jurisdiction`).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import Strict as StrictValue

# ------------------------------------------------------------------ human text

#: Characters that draw nothing although Unicode does not class them as format characters.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
#: Line breaks a paragraph may hold; every other control character is refused.
_BREAKS = frozenset("\n\r\t")


def _human_text(value: str, breaks: frozenset[str]) -> str:
    """NFC; no control, format (zero-width, bidi), surrogate or separator characters; and
    something visible left once whitespace and invisible characters are taken away."""
    value = unicodedata.normalize("NFC", value)
    visible = False
    for char in value:
        category = unicodedata.category(char)
        if char in breaks:
            continue
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise ValueError(
                f"text may not hold the invisible or control character U+{ord(char):04X}"
            )
        if not visible and not (char.isspace() or char in _INVISIBLE or category in ("Mn", "Me")):
            visible = True
    if value and not visible:
        raise ValueError("text must hold something visible")
    return value


def _line(value: str) -> str:
    return _human_text(value, frozenset())


def _paragraph(value: str) -> str:
    return _human_text(value, _BREAKS)


#: Names, titles, reasons: one line of human text.
Line = Annotated[str, AfterValidator(_line)]
#: Notes and descriptions: human text that may break lines.
Paragraph = Annotated[str, AfterValidator(_paragraph)]

#: A jurisdiction's identifier (lower-case letters, digits, `-`, `_`, `.`).
Jurisdiction = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]

# ------------------------------------------------------------------ numbers and flags

#: A JSON number (an integer is fine); never a string or a boolean.
Number = Annotated[float, StrictValue()]
#: A JSON integer; never a string, a boolean or 3.0.
Whole = Annotated[int, StrictValue()]
#: A JSON boolean; never "true", 1 or "yes".
Flag = Annotated[bool, StrictValue()]
Latitude = Annotated[float, StrictValue(), Field(ge=-90, le=90)]
Longitude = Annotated[float, StrictValue(), Field(ge=-180, le=180)]

# ------------------------------------------------------------------ dates

#: Dates outside these are refused as absurd wherever a date comes in.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def _in_range(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"dates lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def _calendar_day(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("not a date of the calendar (YYYY-MM-DD)") from exc
    _in_range(day)
    return value


#: A date in a path or query, as text: `YYYY-MM-DD`, a real day of the calendar.
CalendarDay = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"}),
    AfterValidator(_calendar_day),
]
#: A date in a body.
CalendarDate = Annotated[date, AfterValidator(_in_range)]

#: A moment in an answer, as the server writes it (`clock.iso`: UTC, e.g.
#: `2025-05-01T08:30:00.000Z`).
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
#: A calendar day in an answer (`YYYY-MM-DD`).
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
#: A link in an answer (a presigned URL).
Link = Annotated[str, Field(json_schema_extra={"format": "uri"})]


# ------------------------------------------------------------------ models


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UploadOut(BaseModel):
    """A presigned POST: post `fields` plus the file (form field `file_field`) to `url`."""

    key: str
    url: str
    fields: dict[str, str]
    file_field: str = "file"
    max_bytes: int
    expires_at: Timestamp


class GpsFixIn(Strict):
    lat: Latitude
    lon: Longitude
    accuracy_m: Annotated[Number, Field(ge=0, le=100_000, description="stated fix accuracy")]


class Message(BaseModel):
    code: str
    message: str


class RedirectOut(BaseModel):
    """The body of a 303: the same link as its `Location` header."""

    model_config = ConfigDict(title="Redirect")

    url: str = Field(description="where to get the answer (a presigned link, valid for minutes)")


class ErrorOut(BaseModel):
    """The body of every error answer."""

    model_config = ConfigDict(title="Error")

    code: str = Field(description="machine-readable and stable, e.g. `validation_failed`")
    message: str = Field(description="for people")
    details: Any = Field(
        default=None, description="what exactly was wrong, e.g. the invalid fields"
    )


class EvidencePhotoOut(BaseModel):
    """One evidence photo posted for a record (`evidence.views`): accepted and fingerprinted,
    or refused with the reason."""

    key: str
    status: Literal["accepted", "rejected"]
    code: str | None = Field(description="why it was refused, e.g. `image_unreadable`")
    sha256: str | None = Field(description="SHA-256 of the accepted bytes, hex")
    version_id: str | None = Field(description="the object version the SHA-256 is of")
    size: int | None = Field(description="bytes")
    received_at: Timestamp
    url: Link | None = Field(
        default=None,
        exclude_if=lambda url: url is None,
        description="a short-lived download link of an accepted photo, in a record's own view "
        "(absent elsewhere)",
    )
