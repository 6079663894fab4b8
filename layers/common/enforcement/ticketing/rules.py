"""The pure rules of traffic e-tickets: no AWS, no clock, no settings read here (callers pass
`today`/`on`). Each rule is stated in the docstring of the function named; the table of
docs/architecture.md points here.

Plates (`enforcement.ticketing.plates`, GA 36-2018):
- a plate's shape and kind, each refusal with its code: `plates.parse_plate`;
- the form a plate is stored and compared in: `plates.normalise`;
- the plates one OCR confusion (0/O/D, 1/I, 8/B, 2/Z, 5/S) away, never the first character:
  `plates.neighbours`; the keys of the one batch read that answers a plate lookup (at most 8):
  `plates.lookup_keys`; the plate itself or, when it is not on record, its registered
  neighbours: `plates.match`;
- a registry's plate type (GA 24.7 code) as a kind: `plates.kind_of_plate_type`.

Licences (`enforcement.ticketing.licences`, Order No. 162 of the Ministry of Public Security):
- the classes each class allows and the vehicle types of each class: `licences.ALSO_ALLOWS`,
  `licences.VEHICLE_TYPES`; whether a licence allows a vehicle: `licences.allows`; the offence
  when it does not: `licences.class_mismatch`;
- a licence's classes as printed: `licences.parse_classes`;
- a licence's validity on a day: `licences.validity`;
- the 12-month points cycle from the first issue date: `licences.points_cycle`; the full score
  (12): `licences.reaches_full_points`.

Registries (`enforcement.ticketing.registry_csv`: the file; `registry_rows`: the rows): a
registry CSV file refused as a whole, or read row by row into typed records and bad rows (line,
field, reason): `read_vehicles`, `read_drivers`, `read_violations` (a violation outstanding while
`untreated` or `unpaid`: `registry_rows.OUTSTANDING`). Files that cross: a file's place among
its registry's files, `registry_rows.file_order`; a row not written over a record of a later
file, `registry_rows.stale`.

The licence number is a resident ID number, judged by `enforcement.identity.parse_resident_id`
(GB 11643-1999), not again here.

Vehicle documents (below): whether an inspection or an insurance is in force on a day.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from enforcement.ticketing.licences import (
    allows,
    class_mismatch,
    parse_classes,
    points_cycle,
    reaches_full_points,
    validity,
)
from enforcement.ticketing.plates import lookup_keys, match, neighbours, normalise, parse_plate
from enforcement.ticketing.registry_rows import read_drivers, read_vehicles, read_violations

__all__ = [
    "allows",
    "class_mismatch",
    "in_force",
    "lookup_keys",
    "match",
    "neighbours",
    "normalise",
    "parse_classes",
    "parse_plate",
    "points_cycle",
    "reaches_full_points",
    "read_drivers",
    "read_vehicles",
    "read_violations",
    "validity",
]


def in_force(last_day: date, on: date) -> Literal["valid", "expired"]:
    """A vehicle's inspection (`inspection_due`) or compulsory insurance (`insurance_expiry`) on
    a day: in force through its last day, included; expired from the day after."""
    return "valid" if on <= last_day else "expired"
