"""Document numbers in lists and exports: at least half hidden, the length kept, the same rule
for check-in's crew records and the remote survey's declarations."""

from __future__ import annotations

import pytest
from enforcement.checkin.loading import mask_id_number
from enforcement.masking import mask_document_number, mask_name
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("310101199001011234", "310***********1234"),  # resident ID: region and last four
        ("E12345678", "******678"),  # passport: the last third
        ("1234567", "*****67"),  # a short number used to be shown whole
        ("AB", "**"),
        ("", ""),
        ("G12345678901", "********8901"),
        ("12345678901234", "123*******1234"),
    ],
)
def test_masked_numbers(number: str, shown: str) -> None:
    assert mask_document_number(number) == shown


@given(st.text(alphabet="0123456789ABCDEFGHXYZ<", max_size=40))
def test_at_least_half_is_hidden_and_the_length_kept(number: str) -> None:
    masked = mask_document_number(number)
    assert len(masked) == len(number)
    assert masked.count("*") * 2 >= len(number)


def test_check_in_masks_with_the_same_rule() -> None:
    assert mask_id_number("310101199001011234") == "310***********1234"
    assert mask_id_number("1234567") == mask_document_number("1234567")


@pytest.mark.parametrize(
    ("mode", "shown"), [("masked", "王**"), ("full", "王小明"), ("none", None)]
)
def test_names_follow_the_mode_asked(mode: str, shown: str | None) -> None:
    """Public draw pages (the configured mode) and a vehicle's owner (masked) use one rule."""
    assert mask_name("王小明", mode) == shown
    assert mask_name("", mode) is None


def test_a_one_character_name_is_still_masked() -> None:
    assert mask_name("王", "masked") == "王*"
    assert mask_name("烟台运输有限公司") == "烟*******"
