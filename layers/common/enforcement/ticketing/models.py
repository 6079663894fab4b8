"""The e-ticket capability's tables (pynamodb): the registries a traffic-police system syncs
(vehicles, drivers, violations), one set per city.

A city is a jurisdiction (`enforcement.jurisdictions`) owned by a traffic-police agency; every
key starts with it, so one city's registries never meet another's. Keys in the domain's words:

- a vehicle is `<city>#<plate>` (`plate_key`, the plate in its stored form, `plates.normalise`)
  and its plate kind (`plate_kind`): the same characters can be on a blue (ordinary_small) and a
  yellow (ordinary_large) plate of two vehicles. A plate as read and its OCR neighbours are at
  most 8 plates (`plates.lookup_keys`), each of at most two kinds (only the ordinary shapes
  have two): one BatchGetItem of at most 16 keys answers a lookup;
- a driver is `<city>#<licence number>` (`driver_key`), the licence number being the holder's
  resident ID number (GB 11643, `enforcement.identity`);
- a violation is filed under its vehicle's `plate_key`, with `<plate kind>#<violation id>`
  (`violation_key`) as range key: a plate's violations are one Query, a vehicle's those whose
  range key begins with its kind. The registry syncs those not yet dealt with (`untreated`) or
  not yet paid (`unpaid`), and `paid` when they are settled; the e-tickets of the officers write
  here too.

Dates are ISO strings (`YYYY-MM-DD`), moments ISO strings in UTC. Each item keeps the upload that
last changed it (`upload_id`, `updated_at`): a re-imported row equal to the item is not
rewritten, so these say when the registry last changed the record. `source` says which file the
record stands as of (`registry_rows.file_order`: the newest file that listed it, changed or not):
a row of an older file is not written over it (`registry_rows.stale`).
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from enforcement import audit, jurisdictions
from enforcement.db import table_meta

SEPARATOR = "#"


def audit_chain(city: str) -> audit.Partition:
    """The audit partition of a city's records (imports, opened owners, face enrolments and
    searches): the e-tickets' chain of the agency that owns the city."""
    return audit.chain_for("ticketing", jurisdictions.owner(city))


def plate_key(city: str, plate: str) -> str:
    """The one spelling of a plate's key in a city: `<city>#<plate>` (the plate normalised)."""
    return f"{city}{SEPARATOR}{plate}"


def driver_key(city: str, licence_number: str) -> str:
    """The one spelling of a driver's key in a city: `<city>#<licence number>`."""
    return f"{city}{SEPARATOR}{licence_number}"


def violation_key(plate_kind: str, violation_id: str) -> str:
    """A violation's range key under its plate: `<plate kind>#<violation id>`."""
    return f"{plate_kind}{SEPARATOR}{violation_id}"


class Vehicle(Model):
    """A registered motor vehicle of a city (the vehicle registry's row)."""

    Meta = table_meta("TICKETING_VEHICLES_TABLE", "ticketing-vehicles")

    plate_key = UnicodeAttribute(hash_key=True)  # "<city>#<plate>"
    plate_kind = UnicodeAttribute(range_key=True)  # plates.PlateKind
    city = UnicodeAttribute()
    plate = UnicodeAttribute()
    vehicle_type = UnicodeAttribute()  # licences.VEHICLE_TYPES
    owner = UnicodeAttribute()
    registration_status = UnicodeAttribute()  # registry_rows.REGISTRATION_STATUSES
    inspection_due = UnicodeAttribute()  # YYYY-MM-DD, the last day in force
    insurance_expiry = UnicodeAttribute()  # YYYY-MM-DD, the last day in force
    flags = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    upload_id = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)  # registry_rows.file_order of the newest file listing it


class Driver(Model):
    """A driving licence of a city's driver registry (the driver registry's row)."""

    Meta = table_meta("TICKETING_DRIVERS_TABLE", "ticketing-drivers")

    driver_key = UnicodeAttribute(hash_key=True)  # "<city>#<licence number>"
    city = UnicodeAttribute()
    licence_number = UnicodeAttribute()  # the resident ID number, 18 characters
    name = UnicodeAttribute()
    classes = ListAttribute[str](of=UnicodeAttribute)  # type: ignore[arg-type]
    first_issued = UnicodeAttribute()  # YYYY-MM-DD: the points cycles start on its anniversaries
    valid_from = UnicodeAttribute()
    valid_to = UnicodeAttribute(null=True)  # None: long-term (长期)
    status = UnicodeAttribute()  # registry_rows.LICENCE_STATUSES
    points = NumberAttribute()  # in the current cycle, as the registry last said
    # the first day of the points cycle `points` count in: the cycle of the day the row was
    # imported (a lookup in a later cycle knows the figure is not this cycle's)
    points_cycle_start = UnicodeAttribute(null=True)
    date_of_birth = UnicodeAttribute()
    upload_id = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)  # registry_rows.file_order of the newest file listing it


class Violation(Model):
    """A traffic violation on record against a vehicle: untreated, unpaid or paid."""

    Meta = table_meta("TICKETING_VIOLATIONS_TABLE", "ticketing-violations")

    plate_key = UnicodeAttribute(hash_key=True)  # "<city>#<plate>"
    violation_key = UnicodeAttribute(range_key=True)  # "<plate kind>#<violation id>"
    city = UnicodeAttribute()
    plate = UnicodeAttribute()
    plate_kind = UnicodeAttribute()
    violation_id = UnicodeAttribute()
    code = UnicodeAttribute()  # the violation's code (GA 408.1)
    occurred_at = UnicodeAttribute()  # ISO moment, UTC
    place = UnicodeAttribute()
    fine = NumberAttribute()  # yuan
    points = NumberAttribute()
    status = UnicodeAttribute()  # untreated | unpaid | paid
    upload_id = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)  # registry_rows.file_order of the newest file listing it
