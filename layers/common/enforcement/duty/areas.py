"""Patrol areas: where the command centre sends its officers (a centre and radius, the
qualification its officers need) and its time slots, the input of every day's rota."""

from __future__ import annotations

from typing import Any

from enforcement import access, audit, clock
from enforcement.access import Action
from enforcement.auth import Principal
from enforcement.duty.models import PatrolArea
from enforcement.duty.schemas import PatrolAreaIn
from enforcement.errors import Forbidden


def area_view(area: PatrolArea) -> dict[str, Any]:
    return {
        "area_id": area.area_id,
        "agency": area.agency,
        "jurisdiction": area.jurisdiction,
        "name": area.name,
        "lat": float(area.lat),
        "lon": float(area.lon),
        "radius_m": float(area.radius_m),
        "qualification": area.qualification,
        "slots": area.slots,
        "active": bool(area.active),
        "updated_at": area.updated_at,
        "updated_by": area.updated_by,
    }


def put_area(principal: Principal, area_id: str, body: PatrolAreaIn) -> dict[str, Any]:
    agency = access.agency_admin(principal)
    try:
        existing: PatrolArea | None = PatrolArea.get(area_id, consistent_read=True)
    except PatrolArea.DoesNotExist:
        existing = None
    if existing is not None:
        other = Forbidden("other_agency", "this patrol area id belongs to another agency")
        access.in_agency(principal, existing.agency, Action.ADMINISTER, hidden=other)
    jurisdiction = access.jurisdiction_for(principal, body.jurisdiction)
    area = PatrolArea(
        area_id,
        agency=agency,
        jurisdiction=jurisdiction,
        name=body.name,
        lat=body.lat,
        lon=body.lon,
        radius_m=body.radius_m,
        qualification=body.qualification,
        slots=[s.model_dump(mode="json") for s in body.slots],
        active=body.active,
        updated_at=clock.iso(),
        updated_by=principal.account_id,
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "patrol_area.put",
            f"patrol_area:{area_id}",
            {"name": body.name, "slots": area.slots, "active": body.active, "new": not existing},
        ),
        lambda tx: tx.save(area),
        agency=agency,
    )
    return area_view(area)


def list_areas(principal: Principal) -> list[dict[str, Any]]:
    agency = access.member_agency(principal)
    return [area_view(a) for a in PatrolArea.by_agency.query(agency)]
