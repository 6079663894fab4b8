"""Crew check-in operations: what officers and crew can do, with access rules and audit.

Every function takes the verified `Principal` first. Reads check access; writes go through
`audit.commit`, so a change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, auth, clock, jurisdictions, notify, uploads, workflows
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin import rules
from enforcement.checkin.models import (
    CertificateAttribute,
    Check,
    CrewMember,
    GpsAttribute,
    HealthReport,
    PositionAttribute,
    PostAttribute,
    Posting,
    RemoteTask,
    ServiceRecord,
    Vessel,
)
from enforcement.checkin.schemas import (
    ApplicationIn,
    CertificateIn,
    CertificateStatusIn,
    CrewIn,
    HealthIn,
    OnsiteCheckIn,
    PositionIn,
    SelfCheckIn,
    TaskIn,
    VesselIn,
)
from enforcement.config import settings
from enforcement.db import get_or_404
from enforcement.errors import (
    Conflict,
    NotFound,
    Unprocessable,
    UpstreamError,
)
from enforcement.models import Account

# ------------------------------------------------------------------ loading with access rules


def no_vessel(vessel_id: str) -> NotFound:
    return NotFound("vessel_not_found", f"no vessel {vessel_id}")


def no_crew(crew_id: str) -> NotFound:
    return NotFound("crew_not_found", f"no crew member {crew_id}")


def load_vessel(vessel_id: str) -> Vessel:
    return get_or_404(Vessel, vessel_id, code="vessel_not_found", message=f"no vessel {vessel_id}")


def load_crew(crew_id: str) -> CrewMember:
    if crew_id.startswith("idn#"):  # ID-number claims share the table; they are not records
        raise NotFound("crew_not_found", "no such crew member")
    return get_or_404(
        CrewMember, crew_id, code="crew_not_found", message=f"no crew member {crew_id}"
    )


def load_check(check_id: str) -> Check:
    return get_or_404(Check, check_id, code="check_not_found", message=f"no check {check_id}")


def load_task(task_id: str) -> RemoteTask:
    return get_or_404(RemoteTask, task_id, code="task_not_found", message=f"no task {task_id}")


def vessel_for_officer(principal: Principal, vessel_id: str, action: Action) -> Vessel:
    """The vessel, when `enforcement.access` lets the officer or admin do `action` on it."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    vessel = load_vessel(vessel_id)
    access.in_jurisdiction(principal, vessel.jurisdiction, action, hidden=no_vessel(vessel_id))
    return vessel


def crew_for_officer(principal: Principal, crew_id: str, action: Action) -> CrewMember:
    """The crew record, when `enforcement.access` lets the officer or admin do `action` on it."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    crew = load_crew(crew_id)
    access.in_jurisdiction(principal, crew.jurisdiction, action, hidden=no_crew(crew_id))
    return crew


def vessel_for_crew(principal: Principal, vessel_id: str) -> tuple[str, Vessel]:
    """The crew member's id and the vessel, when they serve on it (appointed, or bound with an
    officer's approval)."""
    crew_id = access.crew_of(principal)
    vessel = load_vessel(vessel_id)
    access.serving_on(postings_of_crew(crew_id), crew_id, vessel_id)
    return crew_id, vessel


def postings_of_crew(crew_id: str, *, pending: bool = False) -> list[Posting]:
    """The crew member's postings; bindings still waiting for approval only when asked."""
    found = Posting.by_crew.query(crew_id)
    return [p for p in found if pending or p.status in access.SERVING]


def postings_of_vessel(vessel_id: str) -> list[Posting]:
    """Who serves on the vessel: appointed crew and approved bindings (never pending ones)."""
    return [p for p in Posting.query(vessel_id) if p.status in access.SERVING]


def find_post(vessel: Vessel, code: str) -> rules.Post:
    for post in posts_of(vessel):
        if post.code == code:
            return post
    raise Unprocessable("unknown_post", f"vessel {vessel.vessel_id} has no post {code}")


# ------------------------------------------------------------------ conversions


def posts_of(vessel: Vessel) -> list[rules.Post]:
    return [
        rules.Post(p.code, p.title, p.certificate_type, p.min_grade, int(p.count))
        for p in vessel.manning or []
    ]


def certificates_of(crew: CrewMember) -> list[rules.Certificate]:
    return [
        rules.Certificate(
            number=c.number,
            type=c.type,
            grade=c.grade,
            expires_on=date.fromisoformat(c.expires_on),
            status=c.status,
            issuer=c.issuer,
        )
        for c in crew.certificates or []
    ]


def position_of(vessel: Vessel) -> rules.Position | None:
    p = vessel.position
    if p is None:
        return None
    return rules.Position(
        float(p.lat), float(p.lon), clock.parse(p.reported_at), float(p.sog_knots or 0)
    )


def mask_id_number(id_number: str) -> str:
    return id_number[:3] + "*" * max(0, len(id_number) - 7) + id_number[-4:]


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


def crew_view(crew: CrewMember) -> dict[str, Any]:
    return {
        "crew_id": crew.crew_id,
        "name": crew.name or "",
        "id_number_masked": mask_id_number(crew.id_number or ""),
        "jurisdiction": crew.jurisdiction or "",
        "certificates": [c.as_dict() for c in crew.certificates or []],
        "face_status": crew.face_status or "none",
        "face_error": crew.face_error,
        "credit_points": int(crew.credit_points or 0),
        "linked": bool(crew.account_id),
    }


def check_view(check: Check, grant: uploads.UploadGrant | None = None) -> dict[str, Any]:
    return {
        "check_id": check.check_id,
        "purpose": check.purpose,
        "mode": check.mode,
        "status": check.status,
        "vessel_id": check.vessel_id,
        "post": check.post,
        "crew_id": check.crew_id,
        "task_id": check.task_id,
        "created_at": check.created_at,
        "decided_at": check.decided_at,
        "results": check.results,
        "reasons": list(check.reasons or []),
        "upload": grant.as_dict() if grant else None,
    }


# ------------------------------------------------------------------ vessels


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


# ------------------------------------------------------------------ crew


def id_number_key(jurisdiction: str, id_number: str) -> str:
    """The claim key of an ID number in a jurisdiction: a keyed hash, so the table holds no
    plain lookup of IDs. Claims are per jurisdiction: registering a crew member consults only
    the registering jurisdiction's claims, so it tells nothing of other jurisdictions."""
    pepper = hmac.new(auth.signing_key().encode(), b"id-number-claims", hashlib.sha256).digest()
    subject = f"{jurisdiction}\x1f{id_number.upper()}".encode()
    return f"idn#{hmac.new(pepper, subject, hashlib.sha256).hexdigest()}"


def _certificate(c: CertificateIn) -> CertificateAttribute:
    return CertificateAttribute(
        number=c.number,
        type=c.type,
        grade=c.grade,
        issuer=c.issuer,
        issued_on=c.issued_on.isoformat() if c.issued_on else None,
        expires_on=c.expires_on.isoformat(),
        status=c.status,
    )


def register_crew(principal: Principal, body: CrewIn) -> dict[str, Any]:
    """Register a crew member in the officer's (or admin's) own jurisdiction. An ID number is
    registered once per jurisdiction; whether another jurisdiction has it is never consulted."""
    jurisdiction = access.jurisdiction_for(principal, None)
    crew_id = f"crew-{secrets.token_hex(6)}"
    crew = CrewMember(
        crew_id,
        name=body.name,
        id_number=body.id_number.upper(),
        phone=body.phone,
        jurisdiction=jurisdiction,
        certificates=[_certificate(c) for c in body.certificates],
        face_status="none",
        credit_points=0,
        created_at=clock.iso(),
        created_by=principal.account_id,
    )
    claim = CrewMember(
        id_number_key(jurisdiction, body.id_number), claimed_by=crew_id, jurisdiction=jurisdiction
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(crew, condition=CrewMember.crew_id.does_not_exist())
        tx.save(claim, condition=CrewMember.crew_id.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "crew.register",
            f"crew:{crew_id}",
            {
                "id_number": mask_id_number(crew.id_number or ""),
                "certificates": [c.number for c in body.certificates],
            },
        ),
        writes,
        on_conflict=Conflict(
            "crew_exists", "a crew member with this ID number is registered in your jurisdiction"
        ),
        agency=jurisdictions.owner(crew.jurisdiction),
    )
    return crew_view(crew)


def get_crew(principal: Principal, crew_id: str) -> dict[str, Any]:
    if principal.role is Role.CREW:
        access.own_record(principal, crew_id)
        return crew_view(load_crew(crew_id))
    return crew_view(crew_for_officer(principal, crew_id, Action.READ))


def set_certificate_status(
    principal: Principal, crew_id: str, number: str, body: CertificateStatusIn
) -> dict[str, Any]:
    crew = crew_for_officer(principal, crew_id, Action.ACT)
    certificates = list(crew.certificates or [])
    matching = [c for c in certificates if c.number == number]
    if not matching:
        raise NotFound("certificate_not_found", f"crew {crew_id} has no certificate {number}")
    before = matching[0].status
    matching[0].status = body.status
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "certificate.status",
            f"crew:{crew_id}/certificate:{number}",
            {"from": before, "to": body.status, "reason": body.reason},
        ),
        lambda tx: tx.update(
            crew,
            actions=[CrewMember.certificates.set(certificates)],
            condition=CrewMember.crew_id.exists(),
        ),
        agency=jurisdictions.owner(crew.jurisdiction),
    )
    return crew_view(load_crew(crew_id))


def request_enrolment(principal: Principal, crew_id: str) -> dict[str, Any]:
    """Hand out an upload for the crew member's reference photo (official ID photo)."""
    crew = crew_for_officer(principal, crew_id, Action.ACT)
    ticket, grant = uploads.prepare("enrolment", principal.actor, crew_id)

    def writes(tx: TransactWrite) -> None:
        tx.save(ticket, condition=type(ticket).object_key.does_not_exist())
        tx.update(
            crew,
            actions=[
                CrewMember.face_status.set("pending"),
                CrewMember.face_error.remove(),
                CrewMember.face_updated_at.set(clock.iso()),
            ],
            condition=CrewMember.crew_id.exists(),
        )

    audit.commit(
        audit.AuditEvent(principal.actor, "face.enrolment_requested", f"crew:{crew_id}", {}),
        writes,
        agency=jurisdictions.owner(crew.jurisdiction),
    )
    return {
        "crew_id": crew_id,
        "face_status": "pending",
        "face_error": None,
        "upload": grant.as_dict(),
    }


def enrolment_status(principal: Principal, crew_id: str) -> dict[str, Any]:
    crew = crew_for_officer(principal, crew_id, Action.READ)
    return {
        "crew_id": crew_id,
        "face_status": crew.face_status or "none",
        "face_error": crew.face_error,
        "upload": None,
    }


# ------------------------------------------------------------------ link, me, binding


def _new_check(
    principal: Principal,
    *,
    purpose: str,
    crew_id: str,
    mode: str | None = None,
    vessel: Vessel | None = None,
    post: str | None = None,
    gps: Any = None,
    task_id: str | None = None,
    jurisdiction: str | None = None,
) -> tuple[Check, Any, uploads.UploadGrant]:
    """A new check and its photo upload; it belongs to the vessel's jurisdiction (a link check,
    which names no vessel, to `jurisdiction`: the crew record's)."""
    check_id = f"chk-{secrets.token_hex(8)}"
    check = Check(
        check_id,
        purpose=purpose,
        mode=mode,
        vessel_id=vessel.vessel_id if vessel else None,
        jurisdiction=vessel.jurisdiction if vessel else jurisdiction,
        post=post,
        crew_id=crew_id,
        account_id=principal.account_id,
        officer_id=principal.account_id if principal.role is not Role.CREW else None,
        task_id=task_id,
        gps=GpsAttribute(lat=gps.lat, lon=gps.lon, accuracy_m=gps.accuracy_m) if gps else None,
        status="awaiting_photo",
        reasons=[],
        created_at=clock.iso(),
    )
    ticket, grant = uploads.prepare("check", principal.actor, check_id)
    check.photo_key = ticket.object_key
    return check, ticket, grant


def _commit_check(principal: Principal, check: Check, ticket: Any, details: dict[str, Any]) -> None:
    """Store a new check, its upload ticket and its audit entry (in the partition of the agency
    owning the check's jurisdiction)."""

    def writes(tx: TransactWrite) -> None:
        tx.save(check, condition=Check.check_id.does_not_exist())
        tx.save(ticket, condition=type(ticket).object_key.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor, f"check.start.{check.purpose}", f"check:{check.check_id}", details
        ),
        writes,
        agency=jurisdictions.owner(check.jurisdiction),
    )


def records_of(id_number: str) -> list[CrewMember]:
    """The crew records of an ID number: at most one per registered jurisdiction."""
    keys = [id_number_key(j.jurisdiction, id_number) for j in jurisdictions.registered()]
    claimed = sorted(c.claimed_by for c in CrewMember.batch_get(keys) if c.claimed_by)
    return [load_crew(crew_id) for crew_id in claimed]


def start_link(
    principal: Principal, id_number: str, jurisdiction: str | None = None
) -> dict[str, Any]:
    """A crew account proves it is the crew member with this ID number by a face check.

    The ID number is looked up in every jurisdiction (each registers it on its own); when
    several registered it, the crew member names the jurisdiction whose record to link."""
    access.require_role(principal, Role.CREW)
    account = Account.get(principal.account_id, consistent_read=True)
    if account.crew_id:
        raise Conflict("already_linked", "this account is already linked to a crew record")
    found = [c for c in records_of(id_number) if not jurisdiction or c.jurisdiction == jurisdiction]
    if not found:
        raise NotFound("crew_not_found", "no crew record has this ID number")
    if len(found) > 1:
        raise Conflict(
            "crew_record_ambiguous",
            "several jurisdictions registered this ID number; name the one whose record to link",
            details=[
                {"jurisdiction": c.jurisdiction, "registered_on": (c.created_at or "")[:10]}
                for c in found
            ],
        )
    crew = found[0]
    if crew.account_id:
        raise Conflict("crew_already_linked", "this crew record is linked to another account")
    if crew.face_status != "enrolled":
        raise Conflict("face_not_enrolled", "the crew member's reference face is not enrolled yet")
    check, ticket, grant = _new_check(
        principal, purpose="link", crew_id=crew.crew_id, jurisdiction=crew.jurisdiction
    )
    _commit_check(principal, check, ticket, {"crew_id": crew.crew_id})
    return check_view(check, grant)


def me(principal: Principal) -> dict[str, Any]:
    access.require_role(principal, Role.CREW)
    account = Account.get(principal.account_id, consistent_read=True)
    crew = load_crew(account.crew_id) if account.crew_id else None
    postings = []
    if crew:
        for posting in postings_of_crew(crew.crew_id, pending=True):
            vessel = load_vessel(posting.vessel_id)
            postings.append(
                {
                    "vessel_id": posting.vessel_id,
                    "vessel_name": vessel.name_zh,
                    "post": posting.post,
                    "status": posting.status,
                    "since": posting.since,
                }
            )
    return {
        "account_id": account.account_id,
        "crew": crew_view(crew) if crew else None,
        "postings": postings,
    }


def appointed_at(vessel_id: str, post: str) -> list[Posting]:
    return [
        p
        for p in Posting.query(vessel_id, Posting.posting_key.startswith(f"{post}#"))
        if p.status == "appointed"
    ]


# ------------------------------------------------------------------ checks


def holder_posting(crew_id: str, vessel_id: str, post: str) -> Posting | None:
    try:
        return Posting.get(vessel_id, f"{post}#{crew_id}", consistent_read=True)
    except Posting.DoesNotExist:
        return None


def may_check_in(crew_id: str, vessel: Vessel, post: rules.Post) -> Posting:
    """A crew member checks in at a post they hold; once appointed crew fill it, only them."""
    posting = holder_posting(crew_id, vessel.vessel_id, post.code)
    if posting is None or posting.status not in access.SERVING:  # a pending binding is not yet
        raise Conflict("not_posted", f"crew {crew_id} is not at post {post.code} of this vessel")
    if posting.status != "appointed":
        holders = appointed_at(vessel.vessel_id, post.code)
        if len(holders) >= post.count:
            raise Conflict("post_filled", f"post {post.code} is filled by appointed crew")
    return posting


def running_task(task_id: str, vessel_id: str) -> RemoteTask:
    task = load_task(task_id)
    if task.vessel_id != vessel_id:
        raise Unprocessable("task_other_vessel", "that task is for another vessel")
    if task.status != "running" or clock.parse(task.deadline) <= clock.now():
        raise Conflict("task_closed", "that task's window has closed")
    return task


def start_self_check(principal: Principal, body: SelfCheckIn) -> dict[str, Any]:
    crew_id = access.crew_of(principal)
    mine = postings_of_crew(crew_id)
    if body.vessel_id or body.post:
        mine = [
            p
            for p in mine
            if (not body.vessel_id or p.vessel_id == body.vessel_id)
            and (not body.post or p.post == body.post)
        ]
    if not mine:
        raise Conflict("not_posted", "bind the vessel you serve on and your post first")
    if len(mine) > 1:
        raise Unprocessable("post_ambiguous", "you hold several posts; name vessel_id and post")
    vessel = load_vessel(mine[0].vessel_id)
    post = find_post(vessel, mine[0].post)
    may_check_in(crew_id, vessel, post)
    task = running_task(body.task_id, vessel.vessel_id) if body.task_id else None
    check, ticket, grant = _new_check(
        principal,
        purpose="duty",
        mode="remote" if task else "self",
        crew_id=crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
        task_id=task.task_id if task else None,
    )
    _commit_check(principal, check, ticket, {"vessel_id": vessel.vessel_id, "post": post.code})
    return check_view(check, grant)


def start_onsite_check(principal: Principal, vessel_id: str, body: OnsiteCheckIn) -> dict[str, Any]:
    vessel = vessel_for_officer(principal, vessel_id, Action.ACT)
    load_crew(body.crew_id)
    post = find_post(vessel, body.post)
    may_check_in(body.crew_id, vessel, post)
    check, ticket, grant = _new_check(
        principal,
        purpose="duty",
        mode="onsite",
        crew_id=body.crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
    )
    _commit_check(
        principal,
        check,
        ticket,
        {"vessel_id": vessel_id, "post": post.code, "crew_id": body.crew_id},
    )
    return check_view(check, grant)


def start_application(principal: Principal, body: ApplicationIn) -> dict[str, Any]:
    """Apply to take up (appointment) or leave (discharge) a post; decided by the checks."""
    crew_id = access.crew_of(principal)
    vessel = load_vessel(body.vessel_id)
    post = find_post(vessel, body.post)
    posting = holder_posting(crew_id, vessel.vessel_id, post.code)
    if body.kind == "appointment":
        if posting is not None and posting.status == "appointed":
            raise Conflict("already_appointed", "you are already appointed to this post")
        if len(appointed_at(vessel.vessel_id, post.code)) >= post.count:
            raise Conflict("post_filled", f"post {post.code} is filled")
        others = [p for p in postings_of_crew(crew_id) if p.status == "appointed"]
        if others:
            raise Conflict(
                "appointed_elsewhere", "apply for discharge from your current post first"
            )
    elif posting is None or posting.status != "appointed":
        raise Conflict("not_appointed", "you are not appointed to this post")
    check, ticket, grant = _new_check(
        principal,
        purpose=body.kind,
        crew_id=crew_id,
        vessel=vessel,
        post=post.code,
        gps=body.gps,
    )
    _commit_check(principal, check, ticket, {"vessel_id": vessel.vessel_id, "post": post.code})
    return check_view(check, grant)


def get_check(principal: Principal, check_id: str, purposes: tuple[str, ...]) -> dict[str, Any]:
    check = load_check(check_id)
    if check.purpose not in purposes:
        raise NotFound("check_not_found", f"no such record {check_id}")
    if principal.role is Role.CREW:
        access.own_check(principal, check.account_id)
        return check_view(check)
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    # a check of a vessel belongs to its jurisdiction; a link check to the crew member's
    jurisdiction = check.jurisdiction or load_crew(check.crew_id).jurisdiction
    hidden = NotFound("check_not_found", f"no such record {check_id}")
    access.in_jurisdiction(principal, jurisdiction, Action.READ, hidden=hidden)
    return check_view(check)


# ------------------------------------------------------------------ manning


def check_summaries(checks: list[Check]) -> list[rules.CheckSummary]:
    return [
        rules.CheckSummary(
            check_id=c.check_id,
            crew_id=c.crew_id,
            post=c.post or "",
            verified=c.status == "verified",
            reasons=tuple(str(r) for r in c.reasons or []),
            decided_at=clock.parse(c.decided_at or c.created_at),
            task_id=c.task_id,
            made_at=clock.parse(c.created_at),
        )
        for c in checks
        if c.purpose == "duty" and c.status in ("verified", "failed")
    ]


def manning(principal: Principal, vessel_id: str) -> dict[str, Any]:
    if principal.role is Role.CREW:
        vessel = vessel_for_crew(principal, vessel_id)[1]
    else:
        vessel = vessel_for_officer(principal, vessel_id, Action.READ)
    now = clock.now()
    valid_for = timedelta(hours=settings().check_valid_hours)
    since = clock.iso(now - valid_for)
    checks = list(Check.by_vessel.query(vessel_id, Check.created_at >= since))
    holders = postings_of_vessel(vessel_id)
    crews = {h.crew_id: load_crew(h.crew_id) for h in holders}
    met, reports = rules.manning_report(
        posts_of(vessel),
        [
            rules.Holder(
                h.crew_id, h.post, h.status, crews[h.crew_id].name or "", clock.parse(h.since)
            )
            for h in holders
        ],
        check_summaries(checks),
        {cid: certificates_of(c) for cid, c in crews.items()},
        now,
        valid_for,
    )
    return {
        "vessel_id": vessel_id,
        "vessel_name": vessel.name_zh,
        "manning_met": met,
        "as_of": clock.iso(now),
        "posts": [r.as_dict() for r in reports],
    }


# ------------------------------------------------------------------ remote tasks


def task_view(task: RemoteTask, outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "vessel_id": task.vessel_id,
        "status": task.status,
        "created_at": task.created_at,
        "deadline": task.deadline,
        "window_seconds": int(task.window_seconds),
        "notified": len(task.notified or ()),
        "outcome": outcome if outcome is not None else task.outcome,
        "closed_at": task.closed_at,
    }


def evaluate_task(task: RemoteTask, now: datetime | None = None) -> rules.TaskOutcome:
    vessel = load_vessel(task.vessel_id)
    checks = list(Check.by_task.query(task.task_id))
    closed = (now or clock.now()) >= clock.parse(task.deadline)
    return rules.task_outcome(posts_of(vessel), check_summaries(checks), closed)


def publish_task(principal: Principal, vessel_id: str, body: TaskIn) -> dict[str, Any]:
    vessel = vessel_for_officer(principal, vessel_id, Action.ACT)
    cfg = settings()
    window = body.window_seconds or cfg.remote_task_window_seconds
    now = clock.now()
    task = RemoteTask(
        f"task-{secrets.token_hex(8)}",
        vessel_id=vessel_id,
        jurisdiction=vessel.jurisdiction,
        created_by=principal.account_id,
        created_at=clock.iso(now),
        window_seconds=window,
        deadline=clock.iso(now + timedelta(seconds=window)),
        status="running",
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "task.publish",
            f"task:{task.task_id}",
            {"vessel_id": vessel_id, "window_seconds": window},
        ),
        lambda tx: tx.save(task, condition=RemoteTask.task_id.does_not_exist()),
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    try:
        execution_arn = workflows.start(
            cfg.remote_task_state_machine_arn,
            task.task_id,  # one execution per task, whatever retries happen
            {"task_id": task.task_id, "poll_seconds": min(cfg.remote_task_poll_seconds, window)},
        )
    except workflows.WorkflowError as exc:
        # never leave a task "running" that nothing will close
        task.update(
            actions=[
                RemoteTask.status.set("failed_to_start"),
                RemoteTask.closed_at.set(clock.iso()),
            ]
        )
        raise UpstreamError("workflow_unavailable", "the task could not be started; retry") from exc
    task.update(actions=[RemoteTask.execution_arn.set(execution_arn)])
    return task_view(task)


def get_task(principal: Principal, task_id: str) -> dict[str, Any]:
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    task = load_task(task_id)
    hidden = NotFound("task_not_found", f"no task {task_id}")
    access.in_jurisdiction(principal, task.jurisdiction, Action.READ, hidden=hidden)
    if task.status == "running":
        return task_view(task, evaluate_task(task).as_dict())
    return task_view(task)


# ------------------------------------------------------------------ service record


def service_record(principal: Principal) -> dict[str, Any]:
    crew_id = access.crew_of(principal)
    crew = load_crew(crew_id)
    records = list(ServiceRecord.query(crew_id, scan_index_forward=False))
    return {
        "crew_id": crew_id,
        "credit_points": int(crew.credit_points or 0),
        "sea_days": len({r.day for r in records}),
        "records": [
            {
                "day": r.day,
                "vessel_id": r.vessel_id,
                "vessel_name": r.vessel_name,
                "post": r.post,
                "points": int(r.points),
                "check_id": r.check_id,
            }
            for r in records
        ],
    }


# ------------------------------------------------------------------ health


def health_view(r: HealthReport) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "vessel_id": r.vessel_id,
        "jurisdiction": r.jurisdiction,
        "reported_at": r.reported_at,
        "reporter_crew_id": r.reporter_crew_id,
        "subject_crew_id": r.subject_crew_id,
        "symptoms": list(r.symptoms),
        "temperature_c": float(r.temperature_c) if r.temperature_c is not None else None,
        "abnormal": r.abnormal,
        "reasons": list(r.reasons),
    }


def assess_health(
    symptoms: Sequence[str], temperature_c: float | None, fever_c: float
) -> list[str]:
    """Why a report is abnormal (empty when it is not): any symptom, or a fever."""
    reasons = [f"symptom:{s}" for s in symptoms if s != "none"]
    if temperature_c is not None and temperature_c >= fever_c:
        reasons.append(f"temperature:{temperature_c:.1f}")
    return reasons


def report_health(principal: Principal, body: HealthIn) -> dict[str, Any]:
    crew_id, vessel = vessel_for_crew(principal, body.vessel_id)
    subject = body.subject_crew_id or crew_id
    if subject != crew_id:
        access.shipmate(postings_of_vessel(vessel.vessel_id), subject, vessel.vessel_id)
    if "none" in body.symptoms and len(body.symptoms) > 1:
        raise Unprocessable("symptoms_contradict", "'none' cannot go with other symptoms")
    reasons = assess_health(body.symptoms, body.temperature_c, settings().fever_threshold_c)
    report = HealthReport(
        f"hr-{secrets.token_hex(8)}",
        jurisdiction=vessel.jurisdiction,
        reported_at=clock.iso(),
        vessel_id=vessel.vessel_id,
        reporter_crew_id=crew_id,
        subject_crew_id=subject,
        symptoms=list(body.symptoms),
        temperature_c=body.temperature_c,
        abnormal=bool(reasons),
        reasons=reasons,
        note=body.note,
    )
    alert = (
        notify.notification(
            f"jurisdiction:{vessel.jurisdiction}",
            "health.abnormal",
            f"{vessel.name_zh}: abnormal health report",
            ", ".join(reasons),
            {"report_id": report.report_id, "vessel_id": vessel.vessel_id},
        )
        if reasons
        else None
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(report, condition=HealthReport.report_id.does_not_exist())
        if alert is not None:
            tx.save(alert)

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "health.report",
            f"health:{report.report_id}",
            {"vessel_id": vessel.vessel_id, "subject": subject, "abnormal": bool(reasons)},
        ),
        writes,
        agency=jurisdictions.owner(vessel.jurisdiction),
    )
    if alert is not None:
        notify.publish([alert])
    return health_view(report)


def list_health(
    principal: Principal, abnormal_only: bool, limit: int = 100
) -> list[dict[str, Any]]:
    """Health reports of the officer's (or admin's) own jurisdiction, when their agency owns it."""
    jurisdiction = access.own_jurisdiction(principal)
    found = HealthReport.by_jurisdiction.query(
        jurisdiction,
        scan_index_forward=False,
        filter_condition=(HealthReport.abnormal == True) if abnormal_only else None,  # noqa: E712
        limit=limit,
    )
    return [health_view(r) for r in found]
