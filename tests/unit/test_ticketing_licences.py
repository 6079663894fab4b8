"""Driving licences: the class table written out here from the Ministry's regulation (Order
No. 162), what a licence allows, the class-mismatch offence, classes as printed, validity and the
12-month points cycle from the first issue date."""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta

import pytest
from enforcement.ticketing import licences, plates, rules
from enforcement.ticketing.licences import (
    allows,
    class_mismatch,
    parse_classes,
    points_cycle,
    reaches_full_points,
    validity,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# 准驾车型及代号, column "准予驾驶的其他准驾车型", C5 (family car only) left out.
REGULATION = {
    "A1": "A3 B1 B2 C1 C2 C3 C4 M",
    "A2": "B1 B2 C1 C2 C3 C4 C6 M",
    "A3": "C1 C2 C3 C4",
    "B1": "C1 C2 C3 C4 M",
    "B2": "C1 C2 C3 C4 M",
    "C1": "C2 C3 C4",
    "C2": "",
    "C3": "C4",
    "C4": "",
    "C5": "",
    "C6": "",
    "D": "E F",
    "E": "F",
    "F": "",
    "M": "",
    "N": "",
    "P": "",
}


def test_the_class_table_is_the_regulations() -> None:
    assert {c: set(a) for c, a in licences.ALSO_ALLOWS.items()} == {
        c: set(a.split()) for c, a in REGULATION.items()
    }
    assert list(licences.ALSO_ALLOWS) == list(licences.LICENCE_CLASSES)


def test_the_table_is_closed_a_class_allows_what_its_allowed_classes_allow() -> None:
    for c, allowed in licences.ALSO_ALLOWS.items():
        for other in allowed:
            assert licences.ALSO_ALLOWS[other] <= allowed, (c, other)


@pytest.mark.parametrize(
    ("classes", "vehicle", "allowed"),
    [
        ("C1", "small_car", True),
        ("C1", "small_automatic_car", True),
        ("C2", "small_automatic_car", True),
        ("C2", "small_car", False),  # an automatic licence, a manual car
        ("C1", "light_truck", True),
        ("C1", "heavy_truck", False),
        ("B2", "heavy_truck", True),
        ("B2", "medium_bus", False),
        ("A1", "city_bus", True),
        ("A1", "large_bus", True),
        ("A1", "heavy_combination", False),
        ("A1", "light_combination", False),
        ("A2", "light_combination", True),
        ("A2", "large_bus", False),
        ("A3", "medium_city_bus", True),
        ("B1", "medium_city_bus", True),
        ("B1", "city_bus", False),
        ("A3", "medium_bus", False),
        ("B2", "wheeled_machine", True),
        ("C1", "wheeled_machine", False),
        ("C1", "disabled_automatic_car", False),
        ("C5", "disabled_automatic_car", True),
        ("C3", "three_wheeled_car", True),
        ("C4", "low_speed_truck", False),
        ("D", "motorcycle", True),
        ("D", "moped", True),
        ("E", "moped", True),
        ("E", "motor_tricycle", False),
        ("C1", "motorcycle", False),
        ("C1E", "motorcycle", True),
        ("A1", "trolleybus", False),
        ("N", "trolleybus", True),
        ("P", "tram", True),
    ],
)
def test_what_a_licence_allows(classes: str, vehicle: str, allowed: bool) -> None:
    held = parse_classes(classes)
    assert allows(held, vehicle) is allowed
    offence = class_mismatch(held, vehicle)
    assert (offence is None) is allowed


def test_every_vehicle_type_is_allowed_by_its_own_classes_and_those_that_allow_them() -> None:
    for name, vt in licences.VEHICLE_TYPES.items():
        assert vt.classes, name
        for c in licences.LICENCE_CLASSES:
            expected = c in vt.classes or bool(set(REGULATION[c].split()) & vt.classes)
            assert allows([c], name) is expected, (name, c)


def test_the_mismatch_offence_names_what_was_needed() -> None:
    offence = class_mismatch(["C1"], "heavy_truck")
    assert offence is not None
    assert offence.code == "licence_class_mismatch"
    assert "准驾车型不符" in offence.description
    assert offence.detail == "the licence allows C1; a heavy_truck needs A1 or A2 or B2"
    assert class_mismatch(["B2"], "heavy_truck") is None
    assert class_mismatch([], "moped") is not None


def test_unknown_classes_and_vehicle_types_are_errors() -> None:
    with pytest.raises(ValueError, match="not a vehicle type"):
        allows(["C1"], "spaceship")
    with pytest.raises(ValueError, match="not a licence class"):
        allows(["Z9"], "small_car")


@pytest.mark.parametrize(
    ("text", "classes"),
    [
        ("C1", ("C1",)),
        ("a2d", ("A2", "D")),
        ("C1 E", ("C1", "E")),
        ("E C1", ("C1", "E")),
        ("B2\u3001E", ("B2", "E")),
        ("C1,E", ("C1", "E")),
        ("\uff23\uff11", ("C1",)),  # full width
        ("A1A2", ("A1", "A2")),
        ("C6", ("C6",)),
    ],
)
def test_classes_as_printed(text: str, classes: tuple[str, ...]) -> None:
    assert parse_classes(text) == classes


@pytest.mark.parametrize("text", ["", " ", "A4", "C7", "B3", "C", "1", "X", "C1C1", "C1 Q", "C1-E"])
def test_bad_classes_are_refused(text: str) -> None:
    with pytest.raises(licences.LicenceRefused) as refused:
        parse_classes(text)
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "licence_bad_classes",
        "classes",
        422,
    )


def test_validity_both_ends_included() -> None:
    start, end = date(2020, 5, 1), date(2026, 5, 1)
    assert validity(start, end, date(2020, 4, 30)) == "not_yet_valid"
    assert validity(start, end, start) == "valid"
    assert validity(start, end, end) == "valid"
    assert validity(start, end, date(2026, 5, 2)) == "expired"
    assert validity(start, None, date(2099, 1, 1)) == "valid"  # long-term (长期)


@pytest.mark.parametrize(
    ("first", "on", "cycle"),
    [
        ("2015-06-10", "2026-06-09", ("2025-06-10", "2026-06-10")),
        ("2015-06-10", "2026-06-10", ("2026-06-10", "2027-06-10")),
        ("2015-06-10", "2015-06-10", ("2015-06-10", "2016-06-10")),
        ("2015-01-01", "2026-12-31", ("2026-01-01", "2027-01-01")),
        ("2020-02-29", "2021-02-28", ("2020-02-29", "2021-03-01")),
        ("2020-02-29", "2021-03-01", ("2021-03-01", "2022-03-01")),
        ("2020-02-29", "2024-02-29", ("2024-02-29", "2025-03-01")),
        ("2020-02-29", "2024-02-28", ("2023-03-01", "2024-02-29")),
    ],
)
def test_points_cycle(first: str, on: str, cycle: tuple[str, str]) -> None:
    start, end = points_cycle(date.fromisoformat(first), date.fromisoformat(on))
    assert (start.isoformat(), end.isoformat()) == cycle


def test_no_cycle_before_the_licence() -> None:
    with pytest.raises(ValueError, match="before the licence"):
        points_cycle(date(2020, 1, 2), date(2020, 1, 1))


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(1960, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40 * 366),
)
def test_cycles_are_consecutive_years_from_the_first_issue(first: date, days: int) -> None:
    on = first + timedelta(days=days)
    start, end = points_cycle(first, on)
    assert start <= on < end
    assert 365 <= (end - start).days <= 366
    assert start == licences.anniversary(first, start.year)
    assert end == licences.anniversary(first, start.year + 1)
    assert points_cycle(first, end)[0] == end  # the next cycle starts where this one ends
    if start > first:
        assert points_cycle(first, start - timedelta(days=1))[1] == start


def test_full_points() -> None:
    assert licences.FULL_POINTS == 12
    assert not reaches_full_points(11)
    assert reaches_full_points(12)
    assert reaches_full_points(15)


# ---------------------------------------------------------------- the rules' index


def test_vehicle_documents_are_in_force_through_their_last_day() -> None:
    last = date(2026, 12, 31)
    assert rules.in_force(last, date(2026, 12, 30)) == "valid"
    assert rules.in_force(last, last) == "valid"
    assert rules.in_force(last, date(2027, 1, 1)) == "expired"


def test_every_rule_the_index_names_exists() -> None:
    """The rules' index (`ticketing/rules.py`) names functions that exist; the architecture
    table's names are checked for every capability by test_architecture_table.py."""
    modules = {"plates": plates, "licences": licences}
    named = re.findall(r"`(plates|licences)\.(\w+)`", rules.__doc__ or "")
    assert len(named) > 5
    for module, name in named:
        found_in = modules.get(module) or importlib.import_module(f"enforcement.ticketing.{module}")
        assert hasattr(found_in, name), f"{module}.{name}"
    assert all(hasattr(rules, name) for name in rules.__all__)
