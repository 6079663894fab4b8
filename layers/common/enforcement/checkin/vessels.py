"""Vessels: registration with their minimum safe manning table, reading, the search crew
use to bind one, and the AIS position (from the feed or reported by an officer).

Every function that takes a `Principal` checks access; writes go through `audit.commit`, so a
change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from enforcement import access, audit, clock, jurisdictions
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin import rules
from enforcement.checkin.loading import load_vessel, vessel_for_crew, vessel_for_officer
from enforcement.checkin.models import PositionAttribute, PostAttribute, Vessel
from enforcement.checkin.schemas import PositionIn, VesselIn
from enforcement.errors import Conflict, Unprocessable


def vessel_view(vessel: Vessel) -> dict[str, Any]:
    return {
        "vessel_id": vessel.vessel_id,
        "mmsi": vessel.mmsi,
        "name_zh": vessel.name_zh,
        "name_en": vessel.name_en,
        "home_port": vessel.home_port,
        "jurisdiction": vessel.jurisdiction,
        "length_m": float(vessel.length_m),
        "manning": [p.as_dict() for p in vessel.manning or []],
        "position": vessel.position.as_dict() if vessel.position else None,
    }


def create_vessel(principal: Principal, body: VesselIn) -> dict[str, Any]:
    jurisdiction = access.jurisdiction_for(principal, body.jurisdiction)
    vessel = Vessel(
        body.mmsi,
        name_zh=body.name_zh,
        name_en=body.name_en,
        mmsi=body.mmsi,
        home_port=body.home_port,
        jurisdiction=jurisdiction,
        length_m=body.length_m,
        manning=[PostAttribute(**p.model_dump()) for p in body.manning],
        created_at=clock.iso(),
        created_by=principal.account_id,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "vessel.create",
            f"vessel:{vessel.vessel_id}",
            {"name_zh": body.name_zh, "posts": [p.code for p in body.manning]},
        ),
        lambda tx: tx.save(vessel, condition=Vessel.vessel_id.does_not_exist()),
        on_conflict=Conflict("vessel_exists", f"a vessel with MMSI {body.mmsi} exists"),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    return vessel_view(vessel)


def get_vessel(principal: Principal, vessel_id: str) -> dict[str, Any]:
    if principal.role is Role.CREW:
        return vessel_view(vessel_for_crew(principal, vessel_id)[1])
    return vessel_view(vessel_for_officer(principal, vessel_id, Action.READ))


def vessel_match(vessel: Vessel) -> dict[str, Any]:
    """What binding needs of a vessel: which one it is, and its posts (no jurisdiction, no
    position, no certificate requirements, nobody's names)."""
    return {
        "vessel_id": vessel.vessel_id,
        "name_zh": vessel.name_zh,
        "home_port": vessel.home_port,
        "posts": [{"code": p.code, "title": p.title} for p in vessel.manning or []],
    }


def find_vessels(principal: Principal, name: str | None) -> list[dict[str, Any]]:
    """Any signed-in account finds a vessel by its Chinese name, to bind it; officers and admins
    list the vessels of their own jurisdiction. Both answer what binding needs only; the whole
    record is `get_vessel`'s."""
    if name:
        return [vessel_match(v) for v in Vessel.by_name.query(name)]
    jurisdiction = access.own_jurisdiction(principal)
    return [vessel_match(v) for v in Vessel.by_jurisdiction.query(jurisdiction)]


def set_position(
    vessel_id: str, lat: float, lon: float, sog: float, reported_at: datetime, source: str
) -> bool:
    """Store an AIS position unless a newer one is already stored; True when stored."""
    at = clock.iso(reported_at.astimezone(UTC))
    position = PositionAttribute(lat=lat, lon=lon, sog_knots=sog, reported_at=at, source=source)
    vessel = Vessel(vessel_id)
    newer = Vessel.position["reported_at"] < at  # type: ignore[operator]
    try:
        vessel.update(
            actions=[Vessel.position.set(position)],
            condition=Vessel.vessel_id.exists() & (Vessel.position.does_not_exist() | newer),
        )
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", "") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def report_position(principal: Principal, vessel_id: str, body: PositionIn) -> dict[str, Any]:
    vessel = vessel_for_officer(principal, vessel_id, Action.ACT)
    now = clock.now()
    reported = body.reported_at or now
    if reported.tzinfo is None:
        reported = reported.replace(tzinfo=UTC)
    stored = clock.parse(vessel.position.reported_at) if vessel.position else None
    problem = rules.position_report_problem(reported, now, stored)
    if problem == "position_not_newer":
        raise Conflict(problem, "a newer position of this vessel is already stored")
    if problem:
        raise Unprocessable(problem, "reported_at must lie within the last day, not ahead")
    at = clock.iso(reported.astimezone(UTC))
    position = PositionAttribute(
        lat=body.lat, lon=body.lon, sog_knots=body.sog_knots, reported_at=at, source="officer"
    )
    newer = Vessel.position["reported_at"] < at  # type: ignore[operator]
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "vessel.position",
            f"vessel:{vessel_id}",
            {"lat": body.lat, "lon": body.lon, "reported_at": at},
        ),
        lambda tx: tx.update(
            vessel,
            actions=[Vessel.position.set(position)],
            condition=Vessel.vessel_id.exists() & (Vessel.position.does_not_exist() | newer),
        ),
        on_conflict=Conflict(
            "position_not_newer", "a newer position of this vessel is already stored"
        ),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    return vessel_view(load_vessel(vessel_id))
