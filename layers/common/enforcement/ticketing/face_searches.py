"""Identifying a driver by face, the API's side (no face engine here: the routes' function does
not carry it; the photos are decided by the face function, `ticketing/face_uploads.py`).

- Enrolment: an admin of the city's agency gets a presigned upload for the reference photo (the
  licence photo) of a driver on the city's registry; the face record says `pending` until the
  face function enrols it or says why not. The city's officers and admins read that status.
- Search: an officer of the city (or an admin of its agency) states a reason and gets a
  presigned upload for the photo of the person before them; the face function stores the 5
  nearest enrolled drivers of the city with their distances, each marked `match` or not
  (`face_rules.candidates`). The city's officers read the search (names masked), and one of
  them confirms one candidate or none (`face_rules.confirmation_refusal`). Nothing is
  identified automatically: a match is evidence for the officer.

Every step (asked, searched, confirmed) is audited in the city agency's e-ticket chain with the
officer, the reason and the result. A search record is kept `face_search_retention_days`
(DynamoDB's TTL), its probe photo as long (the bucket's lifecycle rule).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Final

from pynamodb.transactions import TransactWrite

from enforcement import audit, batch_reads, clock, masking, uploads
from enforcement.access import Action, in_jurisdiction
from enforcement.auth import Principal
from enforcement.batch_reads import ItemKey
from enforcement.config import settings
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import (
    ENROLMENT,
    PREFIX,
    SEARCH,
    DriverFace,
    FaceSearch,
    city_day,
    enrolment_subject,
    search_subject,
)
from enforcement.ticketing.models import Driver, audit_chain, driver_key

#: What an enrolment's `face_error` means, for the admin: the engine's and the upload's codes.
FACE_MESSAGES: Final[dict[str, str]] = {
    "no_face": "No face was found: upload the licence photo, the whole face visible.",
    "multiple_faces": "The photo shows more than one face: upload the driver's portrait alone.",
    "face_too_small": "The face is too small: upload a photo the face fills most of.",
    "image_empty": "The file was empty: request a new upload and post the photo again.",
    "image_too_large": "The file is larger than allowed: upload a smaller JPEG, PNG or WebP.",
    "image_too_many_pixels": "The photo has too many pixels: upload it at a lower resolution.",
    "image_unreadable": "The file is not a readable JPEG, PNG or WebP photo.",
    "upload_expired": "The photo arrived after its upload link expired: request a new upload.",
    "granted_before_removal": "The photo's upload was granted before the driver's face was "
    "removed: request a new upload to enrol the driver again.",
}
UNKNOWN_FACE_ERROR: Final = "The photo could not be enrolled: upload another photo."


def _no_driver(city: str, licence_number: str) -> NotFound:
    return NotFound("driver_not_found", f"no driver {licence_number} on {city}'s registry")


def _no_search(search_id: str) -> NotFound:
    return NotFound("face_search_not_found", f"no face search {search_id}")


def _driver(city: str, licence_number: str) -> Driver:
    try:
        return Driver.get(driver_key(city, licence_number), consistent_read=True)
    except Driver.DoesNotExist as exc:
        raise _no_driver(city, licence_number) from exc


# ------------------------------------------------------------------ enrolment


def face_view(city: str, licence_number: str, face: DriverFace | None) -> dict[str, Any]:
    """The enrolment as its readers see it: the status, the face the index holds (since
    `enrolled_at`), the last refused photo beside it, and a removal's who, when and why."""
    status = face.face_status if face is not None else "none"
    error = face.face_error if face is not None and status == "failed" else None
    view: dict[str, Any] = {
        "city": city,
        "licence_number": licence_number,
        "face_status": status,
        "face_error": error,
        "face_message": FACE_MESSAGES.get(error, UNKNOWN_FACE_ERROR) if error else None,
        "enrolled_at": None,
        "last_attempt_error": None,
        "last_attempt_message": None,
        "last_attempt_at": None,
        "removal": None,
        "upload": None,
    }
    if face is None:
        return view
    if face_rules.face_in_index(face.face_status, face.enrolled_at):
        view["enrolled_at"] = face.enrolled_at
    attempt = face.last_attempt_at
    if attempt and face.last_attempt_error and (attempt >= (view["enrolled_at"] or "")):
        view["last_attempt_error"] = face.last_attempt_error
        view["last_attempt_message"] = FACE_MESSAGES.get(
            face.last_attempt_error, UNKNOWN_FACE_ERROR
        )
        view["last_attempt_at"] = attempt
    if status == face_rules.REMOVED:
        view["removal"] = {
            "removed_at": face.removed_at,
            "removed_by": face.removed_by,
            "reason": face.removal_reason,
            "reference_deleted": bool(face.reference_deleted),
        }
    return view


def request_enrolment(principal: Principal, city: str, licence_number: str) -> dict[str, Any]:
    """An upload for the reference photo of a driver on the city's registry (admins only)."""
    in_jurisdiction(principal, city, Action.ADMINISTER, hidden=_no_driver(city, licence_number))
    driver = _driver(city, licence_number)
    if face_rules.licence_ended(driver.status):
        raise Conflict(
            "licence_ended",
            f"licence {licence_number} is {driver.status}: its driver's face is not enrolled "
            "(it left the city's index when the licence ended)",
        )
    subject = enrolment_subject(city, licence_number)
    ticket, grant = uploads.prepare(ENROLMENT, principal.actor, subject, prefix=PREFIX)
    now = clock.iso()
    face = DriverFace(driver_key(city, licence_number))

    def writes(tx: TransactWrite) -> None:
        tx.save(ticket, condition=type(ticket).object_key.does_not_exist())
        tx.update(
            face,
            actions=[
                DriverFace.city.set(city),
                DriverFace.licence_number.set(licence_number),
                DriverFace.face_status.set("pending"),
                DriverFace.face_error.remove(),
                DriverFace.face_updated_at.set(now),
                DriverFace.requested_by.set(principal.actor),
                *(a.remove() for a in (DriverFace.removed_at, DriverFace.removed_by)),
                *(a.remove() for a in (DriverFace.removal_reason, DriverFace.reference_deleted)),
            ],
        )

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "driver_face.enrolment_requested",
            f"driver:{city}/{licence_number}",
            {"key": ticket.object_key},
        ),
        writes,
        chain=audit_chain(city),
    )
    return {
        **face_view(city, licence_number, None),
        "face_status": "pending",
        "upload": grant.as_dict(),
    }


def enrolment_status(principal: Principal, city: str, licence_number: str) -> dict[str, Any]:
    """Whether the driver's face is enrolled, and why not (the city's officers and admins)."""
    in_jurisdiction(principal, city, Action.READ, hidden=_no_driver(city, licence_number))
    reads = batch_reads.batch_get(
        [
            ItemKey(Driver, driver_key(city, licence_number)),
            ItemKey(DriverFace, driver_key(city, licence_number)),
        ]
    )
    if reads.item(Driver, driver_key(city, licence_number)) is None:
        raise _no_driver(city, licence_number)
    return face_view(city, licence_number, reads.item(DriverFace, driver_key(city, licence_number)))


# ------------------------------------------------------------------ search


def start_search(principal: Principal, city: str, reason: str) -> dict[str, Any]:
    """A new face search of the city's drivers, with its reason, and the photo's upload."""
    in_jurisdiction(
        principal, city, Action.ACT, hidden=NotFound("city_not_found", f"no city {city}")
    )
    search_id = f"fs-{secrets.token_hex(12)}"
    subject = search_subject(city, search_id)
    ticket, grant = uploads.prepare(SEARCH, principal.actor, subject, prefix=PREFIX)
    now = clock.now()
    search = FaceSearch(
        search_id,
        city=city,
        officer=principal.actor,
        reason=reason,
        status="awaiting_photo",
        created_at=clock.iso(now),
        city_day=city_day(city, clock.local_date(now).isoformat()),
        photo_key=ticket.object_key,
        purge_at=int((now + timedelta(days=settings().face_search_retention_days)).timestamp()),
    )

    def writes(tx: TransactWrite) -> None:
        tx.save(ticket, condition=type(ticket).object_key.does_not_exist())
        tx.save(search, condition=FaceSearch.search_id.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "face_search.requested",
            f"face_search:{search_id}",
            {"city": city, "reason": reason, "key": ticket.object_key},
        ),
        writes,
        chain=audit_chain(city),
    )
    return {**search_view(search, {}), "upload": grant.as_dict()}


def _load_search(principal: Principal, city: str, search_id: str, action: Action) -> FaceSearch:
    try:
        search = FaceSearch.get(search_id, consistent_read=True)
    except FaceSearch.DoesNotExist as exc:
        raise _no_search(search_id) from exc
    if search.city != city:
        raise _no_search(search_id)
    in_jurisdiction(principal, search.city, action, hidden=_no_search(search_id))
    return search


def _names(search: FaceSearch) -> dict[str, str | None]:
    """The candidates' names, masked, from the registry, and which of them still have their
    face in the city's index (one BatchGetItem): a candidate whose face was removed is absent
    (`face_removal`: a warm face function may rank it until it re-reads the index)."""
    numbers = [c.licence_number for c in search.candidates or []]
    if not numbers:
        return {}
    reads = batch_reads.batch_get(
        ItemKey(model, driver_key(search.city, n), consistent=False)
        for n in numbers
        for model in (Driver, DriverFace)
    )
    names: dict[str, str | None] = {}
    for number in numbers:
        face = reads.item(DriverFace, driver_key(search.city, number))
        if face is not None and face.face_status == face_rules.REMOVED:
            continue
        driver = reads.item(Driver, driver_key(search.city, number))
        names[number] = masking.mask_name(driver.name) if driver else None
    return names


def confirmation_view(search: FaceSearch) -> dict[str, Any] | None:
    """The officer's confirmation of a search (None before it)."""
    if search.confirmed is None:
        return None
    return {
        "licence_number": None if search.confirmed == face_rules.NONE else search.confirmed,
        "confirmed_by": search.confirmed_by,
        "confirmed_at": search.confirmed_at,
    }


def search_view(search: FaceSearch, names: dict[str, str | None]) -> dict[str, Any]:
    """A search as its readers see it; `names`: the candidates shown, with their masked names
    (`_names`: a candidate whose face was removed is not among them)."""
    return {
        "search_id": search.search_id,
        "city": search.city,
        "status": search.status,
        "error": search.error,
        "reason": search.reason,
        "officer": search.officer,
        "created_at": search.created_at,
        "searched_at": search.searched_at,
        "threshold": float(search.threshold) if search.threshold is not None else None,
        "candidates": [
            {
                "licence_number": c.licence_number,
                "name": names.get(c.licence_number),
                "distance": float(c.distance),
                "match": c.match == face_rules.MATCH,
            }
            for c in search.candidates or []
            if c.licence_number in names
        ],
        "confirmation": confirmation_view(search),
        "upload": None,
    }


def get_search(principal: Principal, city: str, search_id: str) -> dict[str, Any]:
    """The search's status and candidates (the city's officers, the agency's admins)."""
    search = _load_search(principal, city, search_id, Action.READ)
    return search_view(search, _names(search))


def confirm(
    principal: Principal, city: str, search_id: str, licence_number: str | None
) -> dict[str, Any]:
    """The officer's word: this candidate is the driver, or none of them is (audited, once)."""
    search = _load_search(principal, city, search_id, Action.ACT)
    names = _names(search)
    offered = [c.licence_number for c in search.candidates or [] if c.licence_number in names]
    refusal = face_rules.confirmation_refusal(
        search.status, search.confirmed, offered, licence_number
    )
    if refusal is not None:
        code, message = refusal
        error = Unprocessable if code == "not_a_candidate" else Conflict
        raise error(code, message)
    chosen = licence_number or face_rules.NONE
    now = clock.iso()
    distance = next(
        (float(c.distance) for c in search.candidates or [] if c.licence_number == licence_number),
        None,
    )

    def writes(tx: TransactWrite) -> None:
        tx.update(
            search,
            actions=[
                FaceSearch.confirmed.set(chosen),
                FaceSearch.confirmed_by.set(principal.actor),
                FaceSearch.confirmed_at.set(now),
            ],
            condition=FaceSearch.confirmed.does_not_exist() & (FaceSearch.status == "searched"),
        )

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "face_search.confirmed",
            f"face_search:{search_id}",
            {
                "city": city,
                "licence_number": licence_number,
                "distance": distance,
                "searched_by": search.officer,
                "reason": search.reason,
            },
        ),
        writes,
        on_conflict=Conflict("search_confirmed", "the search was confirmed meanwhile"),
        chain=audit_chain(city),
    )
    search.confirmed, search.confirmed_by, search.confirmed_at = chosen, principal.actor, now
    return search_view(search, names)
