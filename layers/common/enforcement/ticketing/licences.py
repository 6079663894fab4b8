"""Driving licences (机动车驾驶证): classes, the vehicles each allows, validity, points cycles.

**Classes and what they allow** (`ALSO_ALLOWS`, `VEHICLE_TYPES`, `allows`): the table 准驾车型及代号
of the Ministry of Public Security's Provisions on the application for and use of motor vehicle
driving licences (机动车驾驶证申领和使用规定, Order No. 162, in force since 1 April 2022; the table
as reproduced by Chinese Wikipedia's template 中华人民共和国机动车驾驶证准驾车型列表, the earlier
Order No. 139 table as published on chengenghua.com and jkydt.com agreeing on every class but
C6). Each class has its own vehicles and "the other classes it allows":

    A1 large bus            A3 B1 B2 C1 C2 C3 C4 M      C1 small car          C2 C3 C4
    A2 heavy tractor-trailer B1 B2 C1 C2 C3 C4 C6 M     C2 small automatic    -
    A3 city bus             C1 C2 C3 C4                 C3 low-speed truck    C4
    B1 medium bus           C1 C2 C3 C4 M               C4 three-wheeled car, C5 disabled
    B2 large truck          C1 C2 C3 C4 M                 driver's automatic, C6 light
    D motor tricycle        E F                           tractor-trailer: -
    E motorcycle            F                           F moped, M wheeled machine,
                                                          N trolleybus, P tram: -

The table also lets several classes drive a C5 vehicle when it is a disabled family member's car;
that condition is not on any record, so this rule does not grant C5 through another class (the
officer judges it). A vehicle type (`VEHICLE_TYPES`, the registry's `vehicle_type`) is the kind of
vehicle one class is for; a city bus of 10 to 19 seats is both A3's and B1's. `allows(classes,
vehicle_type)`: some class held is one of the vehicle type's classes or allows one of them.
Driving a vehicle the licence does not allow is an offence in itself (`class_mismatch` names it:
驾驶与准驾车型不符的机动车; its fine and points are the violation catalogue's).

**Validity** (`validity`): a licence is valid from `valid_from` through `valid_to` (both days
included, as printed: 有效期限 ... 至 ...); a long-term licence (长期) has no `valid_to`.

**Points** (`points_cycle`, `reaches_full_points`): points are counted in 12-month cycles that
start on the anniversaries of the licence's first issue date (初次领证日期); a licence first issued
on 29 February has its anniversary on 1 March in other years. 12 points in one cycle
(`FULL_POINTS`) is the full score: the licence is detained until the driver has been re-educated
and re-examined.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from enforcement.identity.refusal import DocumentRefused

LicenceClass = Literal[
    "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P"
]  # fmt: skip
LICENCE_CLASSES: tuple[LicenceClass, ...] = get_args(LicenceClass)

#: 准予驾驶的其他准驾车型: the other classes a class allows (C5 through a family car left out).
ALSO_ALLOWS: dict[LicenceClass, frozenset[LicenceClass]] = {
    "A1": frozenset({"A3", "B1", "B2", "C1", "C2", "C3", "C4", "M"}),
    "A2": frozenset({"B1", "B2", "C1", "C2", "C3", "C4", "C6", "M"}),
    "A3": frozenset({"C1", "C2", "C3", "C4"}),
    "B1": frozenset({"C1", "C2", "C3", "C4", "M"}),
    "B2": frozenset({"C1", "C2", "C3", "C4", "M"}),
    "C1": frozenset({"C2", "C3", "C4"}),
    "C2": frozenset(),
    "C3": frozenset({"C4"}),
    "C4": frozenset(),
    "C5": frozenset(),
    "C6": frozenset(),
    "D": frozenset({"E", "F"}),
    "E": frozenset({"F"}),
    "F": frozenset(),
    "M": frozenset(),
    "N": frozenset(),
    "P": frozenset(),
}


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A kind of vehicle as the licence table names it, and the classes it is the vehicle of."""

    classes: frozenset[LicenceClass]
    description: str


def _vt(classes: str, description: str) -> VehicleType:
    return VehicleType(frozenset(c for c in LICENCE_CLASSES if c in classes.split()), description)


VEHICLE_TYPES: dict[str, VehicleType] = {
    "large_bus": _vt("A1", "大型载客汽车: longer than 6 m or 20 seats or more"),
    "heavy_combination": _vt("A2", "汽车列车 (tractor and trailer) of more than 4,500 kg"),
    "city_bus": _vt("A3", "城市公共汽车 of 20 seats or more"),
    "medium_city_bus": _vt("A3 B1", "城市公共汽车 of 10 to 19 seats"),
    "medium_bus": _vt("B1", "中型载客汽车"),
    "heavy_truck": _vt("B2", "重型、中型载货汽车 (heavy and medium goods vehicles)"),
    "large_special_vehicle": _vt("B2", "大、重、中型专项作业车 (large special-purpose vehicles)"),
    "small_car": _vt("C1", "小型、微型载客汽车 (cars, manual gearbox)"),
    "light_truck": _vt("C1", "轻型、微型载货汽车 (vans and light trucks, manual gearbox)"),
    "small_special_vehicle": _vt("C1", "轻、小、微型专项作业车"),
    "small_automatic_car": _vt("C2", "小型、微型自动挡载客汽车 (cars, automatic)"),
    "light_automatic_truck": _vt("C2", "轻型、微型自动挡载货汽车 (light trucks, automatic)"),
    "low_speed_truck": _vt("C3", "低速载货汽车"),
    "three_wheeled_car": _vt("C4", "三轮汽车"),
    "disabled_automatic_car": _vt("C5", "残疾人专用小型、微型自动挡载客汽车"),
    "light_combination": _vt("C6", "汽车列车 of less than 4,500 kg (light tractor-trailer)"),
    "motor_tricycle": _vt("D", "普通三轮摩托车"),
    "motorcycle": _vt("E", "普通二轮摩托车"),
    "moped": _vt("F", "轻便摩托车"),
    "wheeled_machine": _vt("M", "轮式专用机械车"),
    "trolleybus": _vt("N", "无轨电车"),
    "tram": _vt("P", "有轨电车"),
}
FULL_POINTS = 12
_CLASS_OF: dict[str, LicenceClass] = {c: c for c in LICENCE_CLASSES}
CLASS_MISMATCH = "licence_class_mismatch"
_CLASS_TOKEN = re.compile(r"A[123]|B[12]|C[1-6]|[DEFMNP]")
_CLASS_SEPARATORS = re.compile("[\\s,;/\u3001\uff0c]+")


class LicenceRefused(DocumentRefused):
    """A licence field that cannot be taken as read (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class Offence:
    """An offence a lookup finds by itself; `code` is stable, `description` the law's words."""

    code: str
    description: str
    detail: str


def parse_classes(text: str) -> tuple[LicenceClass, ...]:
    """The classes of a licence as printed (`C1`, `A2D`, `c1 e`, `B2、E`), in the table's order.
    Refuses (`licence_bad_classes`) an empty text, an unknown class or a class given twice."""
    compact = _CLASS_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    tokens = _CLASS_TOKEN.findall(compact)
    if not compact or "".join(tokens) != compact:
        raise LicenceRefused(
            "licence_bad_classes",
            f"{text.strip()!r} is not a list of licence classes ({' '.join(LICENCE_CLASSES)})",
            fields=["classes"],
        )
    if len(set(tokens)) != len(tokens):
        raise LicenceRefused(
            "licence_bad_classes", f"a class is given twice in {text.strip()!r}", fields=["classes"]
        )
    return tuple(c for c in LICENCE_CLASSES if c in tokens)


def drivable(classes: Iterable[str]) -> frozenset[LicenceClass]:
    """Every class the held classes allow, themselves included."""
    out: set[LicenceClass] = set()
    for c in classes:
        held = _CLASS_OF.get(c)
        if held is None:
            raise ValueError(f"{c!r} is not a licence class")
        out.add(held)
        out |= ALSO_ALLOWS[held]
    return frozenset(out)


def vehicle_type(name: str) -> VehicleType:
    try:
        return VEHICLE_TYPES[name]
    except KeyError:
        raise ValueError(f"{name!r} is not a vehicle type") from None


def allows(classes: Iterable[str], vehicle: str) -> bool:
    """Whether a licence of `classes` allows driving a vehicle of type `vehicle`."""
    return bool(drivable(classes) & vehicle_type(vehicle).classes)


def classes_allowing(vehicle: str) -> tuple[LicenceClass, ...]:
    """Every class that allows a vehicle type, in the table's order (for the officer's message)."""
    wanted = vehicle_type(vehicle).classes
    return tuple(c for c in LICENCE_CLASSES if drivable([c]) & wanted)


def class_mismatch(classes: Iterable[str], vehicle: str) -> Offence | None:
    """The offence of driving a vehicle the licence does not allow, or None when it allows it."""
    held = tuple(classes)
    if allows(held, vehicle):
        return None
    return Offence(
        code=CLASS_MISMATCH,
        description="驾驶与准驾车型不符的机动车 (driving a vehicle the licence does not allow)",
        detail=f"the licence allows {' '.join(held) or 'no class'}; a {vehicle} needs "
        f"{' or '.join(classes_allowing(vehicle))}",
    )


def validity(
    valid_from: date, valid_to: date | None, on: date
) -> Literal["not_yet_valid", "valid", "expired"]:
    """A licence's validity on a day: both ends included; no end for a long-term licence."""
    if on < valid_from:
        return "not_yet_valid"
    if valid_to is not None and on > valid_to:
        return "expired"
    return "valid"


def anniversary(first_issued: date, year: int) -> date:
    """The first issue date's anniversary in `year` (29 February → 1 March in other years)."""
    try:
        return first_issued.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def points_cycle(first_issued: date, on: date) -> tuple[date, date]:
    """The points cycle `on` falls in: its first day and the first day of the next cycle."""
    if on < first_issued:
        raise ValueError(f"{on} is before the licence was first issued ({first_issued})")
    start = anniversary(first_issued, on.year)
    if start > on:
        start = anniversary(first_issued, on.year - 1)
    return start, anniversary(first_issued, start.year + 1)


def reaches_full_points(points: int) -> bool:
    """Whether a cycle's points reach the full score (12): the licence is to be detained."""
    return points >= FULL_POINTS
