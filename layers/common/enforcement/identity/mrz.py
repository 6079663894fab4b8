"""The machine-readable zone of a travel document (ICAO Doc 9303 Parts 3-5), read in full.

Two formats: TD3 (passports, 2 lines of 44) and TD1 (ID cards, 3 lines of 30). Every check
digit is verified, the composite included, and TD1's long document numbers (more than 9
characters, continued in the optional data) are read. The order of judgement, and its codes:

1. shape: 2 x 44 or 3 x 30 characters (`mrz_bad_length`), each of A-Z 0-9 `<`
   (`mrz_bad_characters`); letters are upper-cased first: the MRZ has no lowercase, an OCR that
   returns one has read the same letter, and the check digits still protect every value;
2. the document code: P for TD3; I, A or C for TD1 (`mrz_unsupported_document`);
3. every check digit (`mrz_check_digit`, naming each field whose check fails; the composite last);
4. each field's own form: dates (`mrz_bad_date`), sex, states, name, number (`mrz_bad_field`).

Two-digit years are read against the caller's `today`: a date of birth takes the latest
century that does not put it in the future; an expiry date the century that puts it within
50 years either side of today. An expired document is read and flagged (`expired`), not refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from enforcement.identity.check_digits import MRZ_ALPHABET, icao_check_digit
from enforcement.identity.refusal import DocumentRefused

Sex = Literal["M", "F", "X"]
MrzFormat = Literal["TD1", "TD3"]

_SHAPES: dict[tuple[int, ...], MrzFormat] = {(44, 44): "TD3", (30, 30, 30): "TD1"}
_DOCUMENT_CODES: dict[MrzFormat, str] = {"TD3": "P", "TD1": "IAC"}
_MAX_INPUT = 256
_STATE = re.compile(r"[A-Z]{1,3}<*")
_NUMBER = re.compile(r"[A-Z0-9]+<*")
_NAME = re.compile(r"[A-Z<]*[A-Z][A-Z<]*")
_SEXES: dict[str, Sex] = {"M": "M", "F": "F", "X": "X", "<": "X"}
_EXPIRY_WINDOW_YEARS = 50
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class MrzDocument:
    """What a machine-readable zone says, every check digit verified.

    Names keep the MRZ's transliteration (upper case, `<` read as a space); states are the
    ICAO codes as printed without fillers (mostly ISO 3166-1 alpha-3; Germany is `D`).
    `sex` is M, F or X (X also for the unspecified filler). `optional_data` is TD3's personal
    number or TD1's first-line optional data (after a long document number's continuation);
    `optional_data_2` is TD1's second-line optional data ("" for TD3)."""

    format: MrzFormat
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: date
    sex: Sex
    expiry_date: date
    expired: bool
    optional_data: str
    optional_data_2: str


@dataclass(frozen=True, slots=True)
class _Fields:
    """The raw fields of one MRZ, cut from their positions, and the check digits over them."""

    document_code: str
    issuing_state: str
    name: str
    number: str
    nationality: str
    birth: str
    sex: str
    expiry: str
    optional_data: str
    optional_data_2: str
    checks: tuple[tuple[str, str, str], ...]  # (field, data, check character), composite last
    optional_check_may_be_filler: bool  # TD3: an unused personal number may carry `<` as check


def parse_mrz(lines: str | Sequence[str], *, today: date) -> MrzDocument:
    """Read a TD3 or TD1 machine-readable zone; `lines` as one string (lines separated by line
    breaks) or as a sequence of lines. Raises `DocumentRefused` (see the module's codes)."""
    rows = _normalise(lines)
    layout = _SHAPES.get(tuple(len(row) for row in rows))
    if layout is None:
        shape = " x ".join(str(len(row)) for row in rows) or "nothing"
        raise DocumentRefused(
            "mrz_bad_length",
            f"an MRZ is 2 lines of 44 (TD3) or 3 lines of 30 (TD1) characters, not {shape}",
        )
    for number, row in enumerate(rows, start=1):
        for column, char in enumerate(row, start=1):
            if char not in MRZ_ALPHABET:
                raise DocumentRefused(
                    "mrz_bad_characters",
                    f"line {number}, position {column}: {char!r} is not one of A-Z 0-9 <",
                )
    if rows[0][0] not in _DOCUMENT_CODES[layout]:
        raise DocumentRefused(
            "mrz_unsupported_document",
            f"document code {rows[0][:2]!r} is not read in the {layout} format "
            f"(it reads {', '.join(_DOCUMENT_CODES[layout])})",
            fields=["document_code"],
        )
    fields = _td3(rows) if layout == "TD3" else _td1(rows)
    _verify_checks(fields)
    return _read(layout, fields, today)


def _normalise(lines: str | Sequence[str]) -> list[str]:
    if isinstance(lines, str):
        if len(lines) > _MAX_INPUT:
            raise DocumentRefused("mrz_bad_length", f"an MRZ is at most {_MAX_INPUT} characters")
        lines = lines.splitlines()
    if len(lines) > 3 or any(len(row) > _MAX_INPUT for row in lines):
        raise DocumentRefused("mrz_bad_length", "an MRZ is 2 lines (TD3) or 3 lines (TD1)")
    # ASCII only: str.upper would turn a dotless i (U+0131) into a valid 'I', and 'ß' into 'SS'
    return [row.strip().translate(_ASCII_UPPER) for row in lines if row.strip()]


def _td3(rows: list[str]) -> _Fields:
    line1, line2 = rows
    return _Fields(
        document_code=line1[0:2],
        issuing_state=line1[2:5],
        name=line1[5:44],
        number=line2[0:9],
        nationality=line2[10:13],
        birth=line2[13:19],
        sex=line2[20],
        expiry=line2[21:27],
        optional_data=line2[28:42],
        optional_data_2="",
        checks=(
            ("document_number", line2[0:9], line2[9]),
            ("date_of_birth", line2[13:19], line2[19]),
            ("expiry_date", line2[21:27], line2[27]),
            ("personal_number", line2[28:42], line2[42]),
            ("composite", line2[0:10] + line2[13:20] + line2[21:43], line2[43]),
        ),
        optional_check_may_be_filler=line2[28:42] == "<" * 14,
    )


def _td1(rows: list[str]) -> _Fields:
    line1, line2, line3 = rows
    number, number_check, optional_1 = line1[5:14], line1[14], line1[15:30]
    if number_check == "<":
        # A document number longer than 9 characters: its rest, then its check digit, run on in
        # the optional data up to the first filler (Part 5, 4.2.2, note j).
        continuation = optional_1.split("<", 1)[0]
        number, number_check = number + continuation[:-1], continuation[-1:]
        optional_1 = optional_1[len(continuation) + 1 :]
    return _Fields(
        document_code=line1[0:2],
        issuing_state=line1[2:5],
        name=line3,
        number=number,
        nationality=line2[15:18],
        birth=line2[0:6],
        sex=line2[7],
        expiry=line2[8:14],
        optional_data=optional_1,
        optional_data_2=line2[18:29],
        checks=(
            ("document_number", number, number_check),
            ("date_of_birth", line2[0:6], line2[6]),
            ("expiry_date", line2[8:14], line2[14]),
            ("composite", line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29], line2[29]),
        ),
        optional_check_may_be_filler=False,
    )


def _verify_checks(fields: _Fields) -> None:
    failed = []
    for field, data, check in fields.checks:
        if check == "<" and field == "personal_number" and fields.optional_check_may_be_filler:
            continue  # an unused personal number: its check digit may be the filler (or 0)
        if not (check.isdigit() and int(check) == icao_check_digit(data)):
            failed.append(field)
    if failed:
        raise DocumentRefused(
            "mrz_check_digit",
            f"wrong check digit: {', '.join(f.replace('_', ' ') for f in failed)} "
            "(the MRZ was misread or altered)",
            fields=failed,
        )


def _read(layout: MrzFormat, fields: _Fields, today: date) -> MrzDocument:
    date_of_birth = _date(fields.birth, "date_of_birth", today, birth=True)
    expiry_date = _date(fields.expiry, "expiry_date", today, birth=False)
    sex = _SEXES.get(fields.sex)
    if sex is None:
        raise DocumentRefused(
            "mrz_bad_field", f"sex {fields.sex!r} is not M, F, X or <", fields=["sex"]
        )
    for field, value in (
        ("issuing_state", fields.issuing_state),
        ("nationality", fields.nationality),
    ):
        if not _STATE.fullmatch(value):
            raise DocumentRefused(
                "mrz_bad_field", f"{field} {value!r} is not a state code", fields=[field]
            )
    if not _NUMBER.fullmatch(fields.number):
        raise DocumentRefused(
            "mrz_bad_field",
            "the document number is letters and digits, then fillers only",
            fields=["document_number"],
        )
    if not _NAME.fullmatch(fields.name):
        raise DocumentRefused(
            "mrz_bad_field", "the name is letters and fillers, with a letter", fields=["name"]
        )
    surname, _, given = fields.name.partition("<<")
    return MrzDocument(
        format=layout,
        document_code=fields.document_code.rstrip("<"),
        issuing_state=fields.issuing_state.rstrip("<"),
        surname=_words(surname),
        given_names=_words(given),
        document_number=fields.number.rstrip("<"),
        nationality=fields.nationality.rstrip("<"),
        date_of_birth=date_of_birth,
        sex=sex,
        expiry_date=expiry_date,
        expired=expiry_date < today,
        optional_data=fields.optional_data.rstrip("<"),
        optional_data_2=fields.optional_data_2.rstrip("<"),
    )


def _words(part: str) -> str:
    return " ".join(word for word in part.split("<") if word)


def _date(yymmdd: str, field: str, today: date, *, birth: bool) -> date:
    if not (yymmdd.isascii() and yymmdd.isdigit()):
        raise DocumentRefused("mrz_bad_date", f"{field} {yymmdd!r} is not YYMMDD", fields=[field])
    yy, month, day = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    century = today.year // 100 * 100
    if birth:
        candidates = [century + yy, century - 100 + yy]  # the latest not after today
    else:
        year = century + yy
        if year > today.year + _EXPIRY_WINDOW_YEARS:
            year -= 100
        elif year <= today.year - _EXPIRY_WINDOW_YEARS:
            year += 100
        candidates = [year]
    for year in candidates:
        try:
            value = date(year, month, day)
        except ValueError:
            continue  # 29 February of a year that has none: try the century before
        if not birth or value <= today:
            return value
    raise DocumentRefused(
        "mrz_bad_date", f"{field} {yymmdd!r} is not a date (YYMMDD)", fields=[field]
    )
