"""Chinese resident ID numbers (GB 11643-1999): the check character (ISO 7064 MOD 11-2), the
date of birth, the sex, each refusal; generated numbers pass and any single altered character
is refused (MOD 11-2 sees every single substitution: 11 is prime and no weight is 0 mod 11)."""

from __future__ import annotations

import string
from datetime import date

import pytest
from enforcement.identity import DocumentRefused, ResidentId, parse_resident_id
from enforcement.identity.check_digits import mod11_2_check_character
from hypothesis import given, settings
from hypothesis import strategies as st

TODAY = date(2026, 12, 1)
# The weights written out as GB 11643-1999 prints them, independent of the module's formula.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # sum mod 11 -> check character, the standard's table


def standard_check(digits17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(digits17, WEIGHTS, strict=True)) % 11]


def refusal(number: str) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as refused:
        parse_resident_id(number, today=TODAY)
    assert refused.value.status == 422
    return refused.value


def test_the_standards_example_reads() -> None:
    # GB 11643-1999's worked example: 11010519491231002X
    assert parse_resident_id("11010519491231002X", today=TODAY) == ResidentId(
        number="11010519491231002X",
        address_code="110105",
        date_of_birth=date(1949, 12, 31),
        sex="F",
    )
    assert parse_resident_id(" 11010519491231002x ", today=TODAY).number == "11010519491231002X"


def test_the_17th_digit_gives_the_sex() -> None:
    for sequence, sex in (("001", "M"), ("002", "F"), ("019", "M"), ("998", "F")):
        body = "44030419900101" + sequence
        assert parse_resident_id(body + standard_check(body), today=TODAY).sex == sex


@pytest.mark.parametrize(
    "number",
    ["", "11010519491231002", "11010519491231002X1", "110105194912310021X", "1101051949123100X2",
     "11010519491231002Y", "11010519491231 02X", "\uff11\uff11010519491231002X", "110105491231002"],
)  # fmt: skip
def test_bad_length_or_characters(number: str) -> None:
    refused = refusal(number)
    assert (refused.code, refused.field) == ("resident_id_bad_format", "resident_id")


@pytest.mark.parametrize("born", ["19490231", "19491301", "18991231", "20261202", "00000000"])
def test_a_date_of_birth_that_cannot_be(born: str) -> None:
    body = "110105" + born + "002"
    refused = refusal(body + standard_check(body))
    assert (refused.code, refused.field) == ("resident_id_bad_date", "date_of_birth")


def test_a_wrong_check_character() -> None:
    refused = refusal("110105194912310021")
    assert (refused.code, refused.field) == ("resident_id_check_character", "resident_id")


def valid_dates() -> st.SearchStrategy[date]:
    return st.dates(date(1900, 1, 1), TODAY)


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, date, str]:
    address = draw(st.text(string.digits, min_size=6, max_size=6))
    born = draw(valid_dates())
    sequence = draw(st.text(string.digits, min_size=3, max_size=3))
    body = address + born.strftime("%Y%m%d") + sequence
    return body + standard_check(body), born, "M" if int(sequence[-1]) % 2 else "F"


@settings(max_examples=300, deadline=None)
@given(numbers())
def test_generated_numbers_pass_and_read_back(case: tuple[str, date, str]) -> None:
    number, born, sex = case
    assert mod11_2_check_character(number[:17]) == number[17]
    assert parse_resident_id(number, today=TODAY) == ResidentId(number, number[:6], born, sex)


@settings(max_examples=500, deadline=None)
@given(numbers(), st.integers(0, 17), st.sampled_from(string.digits + "X"))
def test_any_single_altered_character_is_refused(
    case: tuple[str, date, str], at: int, char: str
) -> None:
    number = case[0]
    if number[at] == char:
        char = "X" if char != "X" else "0"
    altered = number[:at] + char + number[at + 1 :]
    assert refusal(altered).code in {
        "resident_id_bad_format",
        "resident_id_check_character",
    }  # the check character is judged before the date: a typo is named as such


@settings(max_examples=300, deadline=None)
@given(numbers(), st.integers(0, 16))
def test_any_swap_of_two_adjacent_different_digits_is_refused(
    case: tuple[str, date, str], at: int
) -> None:
    number = case[0]
    if number[at] == number[at + 1] or number[at + 1] == "X":
        return
    swapped = number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    assert refusal(swapped).code == "resident_id_check_character"
