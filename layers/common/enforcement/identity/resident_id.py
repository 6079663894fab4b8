"""Chinese resident identity numbers (GB 11643-1999): 18 characters.

    characters 1-6    address code (where the number was first issued)
    characters 7-14   date of birth, YYYYMMDD
    characters 15-17  sequence; the 17th is odd for a man, even for a woman
    character 18      check character, ISO 7064 MOD 11-2 over the first 17 ('X' for 10)

Codes, in the order judged: `resident_id_bad_format` (not 17 digits then a digit or X),
`resident_id_check_character`, `resident_id_bad_date` (no such date, before 1900 or after
today). Surrounding spaces are dropped and a lowercase 'x' is read as 'X' (people type it so).
The older 15-digit numbers are refused (`resident_id_bad_format`): they carry no check character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from enforcement.identity.check_digits import mod11_2_check_character
from enforcement.identity.refusal import DocumentRefused

_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A resident ID number whose check character and date of birth hold."""

    number: str
    address_code: str
    date_of_birth: date
    sex: Literal["M", "F"]


def parse_resident_id(number: str, *, today: date) -> ResidentId:
    """Validate a resident ID number and read its date of birth and sex.
    Raises `DocumentRefused` with one of the module's codes."""
    value = number.strip().replace("x", "X")
    if not (value.isascii() and _FORMAT.fullmatch(value)):
        raise DocumentRefused(
            "resident_id_bad_format",
            "a resident ID number is 17 digits then a digit or X (18 characters)",
            fields=["resident_id"],
        )
    if mod11_2_check_character(value[:17]) != value[17]:
        raise DocumentRefused(
            "resident_id_check_character",
            "the check character (the 18th) does not match: the number was mistyped or altered",
            fields=["resident_id"],
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or not _EARLIEST_BIRTH <= born <= today:
        raise DocumentRefused(
            "resident_id_bad_date",
            f"{value[6:14]} (characters 7-14) is not a date of birth",
            fields=["date_of_birth"],
        )
    return ResidentId(
        number=value,
        address_code=value[:6],
        date_of_birth=born,
        sex="M" if int(value[16]) % 2 else "F",
    )
