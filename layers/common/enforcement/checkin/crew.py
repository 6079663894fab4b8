"""Crew members: registration with certificates (an ID number once per jurisdiction), the
record, certificate status, the reference face's enrolment, the link of a mini-program account
to its crew record (by ID number and a face check), the crew member's own view and their
service record (days of verified service and credit points).

Every function that takes a `Principal` checks access; writes go through `audit.commit`, so a
change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, auth, clock, jurisdictions, uploads
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.checkin import rules
from enforcement.checkin.checks import check_view, commit_check, new_check
from enforcement.checkin.enrolment_reviews import DUPLICATE, POSSIBLE_DUPLICATE
from enforcement.checkin.loading import (
    certificates_of,
    crew_for_officer,
    load_crew,
    load_vessel,
    mask_id_number,
    postings_of_crew,
)
from enforcement.checkin.models import (
    CertificateAttribute,
    Check,
    CrewMember,
    ServiceRecord,
    Vessel,
)
from enforcement.checkin.service_days import DayOnRecord
from enforcement.config import settings
from enforcement.errors import Conflict, NotFound
from enforcement.models import Account

if TYPE_CHECKING:  # the request models: the face function's decisions import this module too
    from enforcement.checkin.crew_schemas import CertificateIn, CertificateStatusIn, CrewIn

SERVICE_DAY_OFFSET = timedelta(hours=8)  # service days are counted in Beijing time

#: What an enrolment's `face_error` means, for the officer reading the crew record: the engine's
#: codes (enforcement.face.images.FaceError), the upload's, and the reviews' (importing
#: enrolment_reviews also registers the decision of an enrolment review wherever crew runs).
ENROLMENT_MESSAGES: Final[dict[str, str]] = {
    "no_face": "No face was found in the photo: upload a frontal portrait (an official ID photo) "
    "with the whole face visible.",
    "multiple_faces": "The photo shows more than one face: upload a portrait of the crew member "
    "alone.",
    "face_too_small": "The face is too small in the photo: upload a portrait in which the face "
    "fills most of the picture.",
    "image_empty": "The uploaded file was empty: request a new upload and post the photo again.",
    "image_too_large": "The photo file is larger than allowed: upload a smaller JPEG, PNG or "
    "WebP file.",
    "image_too_many_pixels": "The photo has more pixels than allowed: upload it at a lower "
    "resolution.",
    "image_unreadable": "The file is not a readable JPEG, PNG or WebP photo: upload the photo in "
    "one of these formats.",
    "upload_expired": "The photo arrived after its upload link had expired: request a new upload "
    "and post the photo again.",
    POSSIBLE_DUPLICATE: "The face looks like one already enrolled for another crew "
    "member of the agency (a possible duplicate identity): an officer of the jurisdiction reviews "
    "the enrolment, and the face cannot be used for checks until it is confirmed.",
    DUPLICATE: "An officer found this face already enrolled for another crew member: "
    "the enrolment was refused. Enrol the crew member's own photo, or correct the records.",
}
UNKNOWN_ENROLMENT_ERROR: Final = "The photo could not be enrolled: upload another photo."


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


def face_message(crew: CrewMember) -> str | None:
    """The face status in words, when there is something to say: why the enrolment failed or
    why it is under review (`face_error` is the code)."""
    if crew.face_status not in ("failed", "pending_review"):
        return None
    return ENROLMENT_MESSAGES.get(crew.face_error or "", UNKNOWN_ENROLMENT_ERROR)


def certificate_warnings(crew: CrewMember) -> list[dict[str, Any]]:
    """What an officer should know about the record's certificates today: each expired one
    (the check-in's certificate check would refuse it)."""
    today = clock.now().date()
    return [
        {
            "code": "certificate_expired",
            "message": f"Certificate {c.number} expired on {c.expires_on.isoformat()}.",
            "certificate": c.number,
            "expires_on": c.expires_on.isoformat(),
        }
        for c in certificates_of(crew)
        if rules.certificate_expired(c, today)
    ]


def crew_view(crew: CrewMember) -> dict[str, Any]:
    return {
        "crew_id": crew.crew_id,
        "name": crew.name or "",
        "id_number_masked": mask_id_number(crew.id_number or ""),
        "jurisdiction": crew.jurisdiction or "",
        "certificates": [c.as_dict() for c in crew.certificates or []],
        "face_status": crew.face_status or "none",
        "face_error": crew.face_error,
        "face_message": face_message(crew),
        "credit_points": int(crew.credit_points or 0),
        "linked": bool(crew.account_id),
        "warnings": certificate_warnings(crew),
    }


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
        service_days=[],
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
        "face_message": face_message(crew),
        "upload": None,
    }


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
    check, ticket, grant = new_check(
        principal, purpose="link", crew_id=crew.crew_id, jurisdiction=crew.jurisdiction
    )
    commit_check(principal, check, ticket, {"crew_id": crew.crew_id})
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


def service_day_key(check: Check, decided_at: str) -> str:
    """The service record's sort key a verified duty check earns: once per Beijing day, vessel
    and post (`ServiceRecord.record_key`)."""
    day = (clock.parse(decided_at) + SERVICE_DAY_OFFSET).date().isoformat()
    return f"{day}#{check.vessel_id or ''}#{check.post}"


def service_day(check: Check, decided_at: str, vessel: Vessel) -> ServiceRecord:
    """The day of service a verified duty check earns, with its credit points (not stored)."""
    key = service_day_key(check, decided_at)
    return ServiceRecord(
        check.crew_id,
        key,
        day=key.split("#", 1)[0],
        vessel_id=vessel.vessel_id,
        vessel_name=vessel.name_zh,
        post=check.post or "",
        check_id=check.check_id,
        points=settings().credit_points_per_day,
        recorded_at=decided_at,
    )


def add_service_day(tx: TransactWrite, record: ServiceRecord, looked: DayOnRecord) -> None:
    """Store the day and add its points to the crew record's `credit_points` (what the crew
    views show) in `tx`, on condition that the day is not on the record yet: a caller that
    found it there (`service_days.look_up`, `looked`) adds nothing, a day stored meanwhile
    cancels the transaction. The crew record's `service_days` becomes `looked.after`, on
    condition that it is still the list read. Written by a photo's decision
    (`checkin/decisions`) and by a review's confirm (`checkin/check_reviews`)."""
    tx.save(record, condition=ServiceRecord.record_key.does_not_exist())
    actions: list[Any] = [CrewMember.credit_points.add(record.points)]
    condition = None
    if looked.after is not None:
        actions.append(CrewMember.service_days.set(looked.after))  # type: ignore[arg-type]
        condition = (
            CrewMember.service_days.does_not_exist()
            if looked.read is None
            else CrewMember.service_days == looked.read
        )
    tx.update(CrewMember(record.crew_id), actions=actions, condition=condition)
