"""Roadside lookups by an officer of the city: a plate (the vehicle, its documents, its
outstanding violations, its owner masked unless opened, audited) and a licence (the driver, the
classes, validity, points, and whether it allows the vehicle at hand).

Reads are eventually consistent (half the read units): the registries change by a sync file at a
time, and a copy a second old answers a roadside question as well.

- **A plate** (`plate`): the plate as read and its OCR neighbours (`plates.lookup_keys`: at most
  8 plates), each with the kinds its shape allows (two only for the ordinary shapes), are read in
  one BatchGetItem of at most 16 keys. The plate on record: every vehicle with it (a blue and a
  yellow plate can share characters) and, in one Query of the plate's violations, those still
  outstanding (`registry_rows.OUTSTANDING`). Not on record: 404 `plate_unknown` whose `details`
  list the registered plates one OCR confusion away (`candidates`, possibly none). A plate no
  reading can make valid: 422 with the plate module's code.
- **The owner opened** (`open_owner`): the same vehicle read, the owner's name given whole with a
  reason, and an audit entry (`vehicle.owner_opened`: officer, plate, reason).
- **A licence** (`licence`): the number judged first (GB 11643: a bad check character is 422
  `resident_id_check_character`), then one GetItem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from enforcement import access, audit, batch_reads, clock, masking
from enforcement.auth import Principal
from enforcement.errors import NotFound, Unprocessable
from enforcement.identity import parse_resident_id
from enforcement.ticketing import licences, plates
from enforcement.ticketing.models import (
    Driver,
    Vehicle,
    Violation,
    audit_chain,
    driver_key,
    plate_key,
)
from enforcement.ticketing.registry_rows import OUTSTANDING
from enforcement.ticketing.rules import in_force


def _hidden() -> NotFound:
    return NotFound("city_not_found", "no such city")


def _officer_of(principal: Principal, city: str) -> None:
    """Officers of the city and admins of its agency (the registries are the agency's)."""
    access.in_jurisdiction(principal, city, access.Action.READ, hidden=_hidden())


# ------------------------------------------------------------------ plates


def _registered(city: str, numbers: Sequence[str]) -> dict[str, list[Vehicle]]:
    """Every vehicle on record under `numbers` (valid plates), by plate: one BatchGetItem."""
    keys = [
        batch_reads.ItemKey(Vehicle, plate_key(city, number), kind, consistent=False)
        for number in numbers
        for kind in plates.parse_plate(number).kinds
    ]
    reads = batch_reads.batch_get(keys)
    found: dict[str, list[Vehicle]] = {}
    for key in keys:
        item = reads.item(Vehicle, key.hash_key, key.range_key)
        if item is not None:
            found.setdefault(item.plate, []).append(item)
    return found


def _find(city: str, text: str) -> tuple[str, list[Vehicle]]:
    """The plate as stored and its vehicles; 404 `plate_unknown` with the candidates."""
    found: dict[str, list[Vehicle]] = {}

    def registered(numbers: Sequence[str]) -> set[str]:
        found.update(_registered(city, numbers))
        return set(found)

    matched = plates.match(text, registered)
    if matched.exact is None:
        candidates = [
            {"plate": v.plate, "plate_kind": v.plate_kind, "vehicle_type": v.vehicle_type}
            for number in matched.candidates
            for v in found[number]
        ]
        raise NotFound(
            "plate_unknown",
            f"{matched.query} is not registered in this city"
            + (
                f"; registered one OCR misreading away: {', '.join(c['plate'] for c in candidates)}"
                if candidates
                else ""
            ),
            details={"plate": matched.query, "candidates": candidates},
        )
    return matched.exact, found[matched.exact]


def _outstanding(city: str, plate: str) -> list[Violation]:
    """The plate's violations still untreated or unpaid: one Query."""
    return list(
        Violation.query(
            plate_key(city, plate),
            filter_condition=Violation.status.is_in(*OUTSTANDING),
            consistent_read=False,
        )
    )


def _document(last_day: str, today: date) -> dict[str, str]:
    return {"last_day": last_day, "status": in_force(date.fromisoformat(last_day), today)}


def _violation(v: Violation) -> dict[str, Any]:
    return {
        "violation_id": v.violation_id,
        "code": v.code,
        "time": v.occurred_at,
        "place": v.place,
        "fine": int(v.fine),
        "points": int(v.points),
        "status": v.status,
    }


def _vehicle(vehicle: Vehicle, violations: Iterable[Violation], today: date) -> dict[str, Any]:
    mine = sorted(
        (v for v in violations if v.plate_kind == vehicle.plate_kind),
        key=lambda v: v.occurred_at,
        reverse=True,
    )
    return {
        "plate": vehicle.plate,
        "plate_kind": vehicle.plate_kind,
        "vehicle_type": vehicle.vehicle_type,
        "registration_status": vehicle.registration_status,
        "flags": list(vehicle.flags or []),
        "inspection": _document(vehicle.inspection_due, today),
        "insurance": _document(vehicle.insurance_expiry, today),
        "owner": masking.mask_name(vehicle.owner),
        "violations": {
            "count": len(mine),
            "fines": sum(int(v.fine) for v in mine),
            "points": sum(int(v.points) for v in mine),
            "items": [_violation(v) for v in mine],
        },
    }


def plate(principal: Principal, city: str, text: str) -> dict[str, Any]:
    """A plate as an officer of the city reads it: its vehicles, documents, outstanding
    violations, owners masked. Two calls: the BatchGetItem and the violations' Query."""
    _officer_of(principal, city)
    number, vehicles = _find(city, text)
    violations = _outstanding(city, number)
    today = clock.local_date()
    return {
        "city": city,
        "plate": number,
        "as_of": today.isoformat(),
        "vehicles": [_vehicle(v, violations, today) for v in vehicles],
    }


def open_owner(
    principal: Principal, city: str, text: str, reason: str, plate_kind: str | None
) -> dict[str, Any]:
    """The owner's name of a vehicle, whole, given to an officer of the city with a reason; the
    opening is audited (officer, plate, kind, reason). Where two vehicles share the plate's
    characters, `plate_kind` names which (422 `plate_kind_required` otherwise)."""
    _officer_of(principal, city)
    number, vehicles = _find(city, text)
    chosen = [v for v in vehicles if plate_kind in (None, v.plate_kind)]
    if not chosen:
        raise NotFound("plate_unknown", f"no {plate_kind} plate {number} in this city")
    if len(chosen) > 1:
        raise Unprocessable(
            "plate_kind_required",
            f"{number} is on record as {' and '.join(v.plate_kind for v in chosen)}: name one",
        )
    [vehicle] = chosen
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "vehicle.owner_opened",
            f"vehicle:{city}/{number}/{vehicle.plate_kind}",
            {"reason": reason, "city": city, "plate": number, "plate_kind": vehicle.plate_kind},
        ),
        chain=audit_chain(city),
    )
    return {
        "city": city,
        "plate": number,
        "plate_kind": vehicle.plate_kind,
        "owner": vehicle.owner,
    }


# ------------------------------------------------------------------ licences


def licence(
    principal: Principal, city: str, number: str, vehicle_type: str | None
) -> dict[str, Any]:
    """A driving licence by its number (the holder's resident ID number), as an officer of the
    city reads it; with `vehicle_type`, whether it allows that vehicle, and the offence when not.
    The holder's name is shown whole: the officer checks it against the licence handed over.
    Points are the registry's figure, in the current points cycle (`licences.points_cycle`)
    unless the registry last gave it in an earlier cycle (`points_current` false: not this
    cycle's, and never the full score)."""
    _officer_of(principal, city)
    today = clock.local_date()
    resident = parse_resident_id(number, today=today)  # 422 with the resident ID's code
    try:
        driver = Driver.get(driver_key(city, resident.number), consistent_read=False)
    except Driver.DoesNotExist:
        raise NotFound("licence_unknown", "no such licence in this city") from None
    classes = list(driver.classes)
    valid_to = date.fromisoformat(driver.valid_to) if driver.valid_to else None
    first_issued = date.fromisoformat(driver.first_issued)
    cycle = licences.points_cycle(first_issued, max(today, first_issued))
    # the registry's figure counts in the cycle of its import; a later cycle starts afresh
    current = driver.points_cycle_start in (None, cycle[0].isoformat())
    answer: dict[str, Any] = {
        "city": city,
        "licence_number": driver.licence_number,
        "name": driver.name,
        "date_of_birth": driver.date_of_birth,
        "classes": classes,
        "drivable": [c for c in licences.LICENCE_CLASSES if c in licences.drivable(classes)],
        "first_issued": driver.first_issued,
        "valid_from": driver.valid_from,
        "valid_to": driver.valid_to,
        "validity": licences.validity(date.fromisoformat(driver.valid_from), valid_to, today),
        "status": driver.status,
        "points": int(driver.points),
        "points_current": current,
        "points_cycle": {"start": cycle[0].isoformat(), "next": cycle[1].isoformat()},
        "full_points": current and licences.reaches_full_points(int(driver.points)),
        "as_of": today.isoformat(),
        "vehicle_type": vehicle_type,
        "allows": None,
        "offence": None,
    }
    if vehicle_type is not None:
        offence = licences.class_mismatch(classes, vehicle_type)
        answer["allows"] = offence is None
        if offence is not None:
            answer["offence"] = {
                "code": offence.code,
                "description": offence.description,
                "detail": offence.detail,
            }
    return answer
