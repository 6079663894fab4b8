"""What happens when a photo lands under `ticketing/faces/` (the face function's driver handler,
`functions/face/drivers.py`, in the face engine's container image).

- A driver's reference photo (`driver_enrolment`): encoded by the engine as deployed and put in
  the city's 1:N index (`drivers-<city>`, the driver's licence number as the subject id),
  replacing the driver's earlier face; the driver's face record says `enrolled`. A photo the
  engine refuses (no face, two faces, too small, unreadable) leaves the record `failed` with the
  engine's code, which the enrolment status answers; or, when an earlier face is enrolled, the
  driver stays `enrolled` (that face is still searched) with the refused photo's code and time
  beside it (`last_attempt_error`, `last_attempt_at`: `face_rules.status_after_refusal`).
- A search's probe photo (`driver_search`): encoded, searched in the city's index for the
  `face_rules.SEARCH_K` nearest drivers, and the candidates stored on the search with their
  distances, each marked by `face_rules.candidates` against the match line; or the search fails
  with the engine's code.

Each decision is one transaction: the record, the upload ticket's closing (on condition that
it is still pending) and the audit entry (officer or admin, reason, result). The ticket is
decided on one object version (`enforcement.upload_versions`): a re-delivered event changes
nothing, a second post of the grant is refused and deleted. The index entry of an enrolment is
written before its transaction (as a crew enrolment's is): a retry writes it again, the same.

Speed (photo landed → candidates stored): one BatchGetItem reads the ticket, the search and
the audit chain's head (the photo's key names the city and the search, so the chain is known
before anything is read); one GET of the photo; the encoding; the index search (the city's index
is kept by the process and its new entries listed from S3 on every search, in a thread while
the photo is read and encoded: `face.index.refreshing`); one TransactWriteItems.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from enforcement import audit, batch_reads, clock, uploads
from enforcement.batch_reads import ItemKey
from enforcement.errors import Conflict
from enforcement.face import index as face_index
from enforcement.face.configured import driver_engine_config, match_zones
from enforcement.face.uploaded import Photo, arrived, close_ticket, overtaken, read_photo
from enforcement.models import Upload
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import (
    ENROLMENT,
    SEARCH,
    CandidateAttribute,
    DriverFace,
    FaceSearch,
    driver_key,
    enrolment_of_key,
    index_name,
    search_of_key,
)
from enforcement.ticketing.models import audit_chain
from enforcement.upload_versions import discard_unknown, missing

logger = Logger(child=True)


def engine_name() -> str:
    """The engine and the detector's setting a driver's template came from (one index, one
    setting: `Settings.driver_face_upsample`)."""
    config = driver_engine_config()
    return f"face_recognition-1.3.0/{config.model}-upsample-{config.upsample}"


PURPOSES = frozenset({ENROLMENT, SEARCH})
#: A search photo's city index is brought up to date beside the photo's encoding on every
#: search (`process`), so the search sees the enrolments and removals written until it
#: began; the search itself takes the index as that refresh left it, if at most this old.
SEARCHED_INDEX_MAX_AGE = 10.0


def process(key: str, version_id: str | None = None) -> dict[str, Any]:
    """Handle one S3 object-created event under `ticketing/faces/`; safe to call again.

    A search photo's key names its city: the city's index is brought up to date while the
    photo is read and encoded, not after (two S3 requests in a thread: a removal or an
    enrolment written before the photo landed is seen)."""
    city, search_id = search_of_key(key) or ("", "")
    if not search_id:
        return _process(key, version_id, city, search_id)
    with face_index.refreshing(index_name(city), max_age=0):
        return _process(key, version_id, city, search_id)


def _process(key: str, version_id: str | None, city: str, search_id: str) -> dict[str, Any]:
    wanted = [ItemKey(Upload, key)]
    enrolled = enrolment_of_key(key)
    face_key = driver_key(*enrolled) if enrolled else ""
    if face_key:  # the driver's face record, as an enrolment's decision reads it
        wanted.append(ItemKey(DriverFace, face_key))
    chain = ""
    if search_id:
        chain = audit.chain_of(_searched_event(search_id), audit_chain(city), None)
        wanted += [ItemKey(FaceSearch, search_id), audit.head_key(chain)]
    reads = batch_reads.batch_get(wanted)
    ticket = reads.item(Upload, key)
    if ticket is None or ticket.purpose not in PURPOSES:
        logger.warning("object without a driver face ticket", extra={"key": key})
        discard_unknown(key, version_id)
        return {"key": key, "outcome": "unknown_upload"}
    version, outcome = arrived(ticket, version_id)
    if outcome is not None:
        return outcome
    try:
        photo = read_photo(ticket, version, driver_engine_config())
    except uploads.ObjectMissing:
        return missing(ticket)
    try:
        if ticket.purpose == ENROLMENT:
            return enrol(ticket, photo, reads.item(DriverFace, face_key) if face_key else None)
        search = reads.item(FaceSearch, search_id) if search_id else None
        if search is None or search.city != city:
            logger.warning("a search photo without its search", extra={"key": key})
            return {"key": key, "outcome": "unknown_search"}
        head_key = audit.head_key(chain)
        head = reads.item(audit.AuditEntry, head_key.hash_key, head_key.range_key)
        return identify(ticket, photo, search, head)
    except Conflict:
        outcome = overtaken(key, version)
        if outcome is None:
            raise
        return outcome


# ------------------------------------------------------------------ enrolment


def enrol(ticket: Upload, photo: Photo, before: DriverFace | None) -> dict[str, Any]:
    """Enrol the driver's reference face in the city's index, or record why it cannot be;
    `before`: the driver's face record as read with the ticket (None: there is none)."""
    city, licence_number = ticket.subject_id.split("/", 1)
    face = DriverFace(driver_key(city, licence_number))
    target = f"driver:{city}/{licence_number}"
    now = clock.iso()
    refusal = photo.error
    if (
        refusal is None
        and before is not None
        and face_rules.granted_before_removal(ticket.created_at, before.removed_at)
    ):
        refusal = "granted_before_removal"
    if refusal is not None:
        # A refused photo never takes away the face the index holds: the driver stays enrolled
        # with this attempt's error beside it (face_rules.status_after_refusal).
        enrolled_at = before.enrolled_at if before is not None else None
        status = face_rules.status_after_refusal(
            before.face_status if before is not None else None, enrolled_at
        )
        unchanged = (  # the record as read (none: as before, the update needs the record)
            DriverFace.driver_key.exists()
            if before is None
            else (DriverFace.face_status == before.face_status)
            & (
                DriverFace.enrolled_at == enrolled_at
                if enrolled_at
                else DriverFace.enrolled_at.does_not_exist()
            )
        )
        code = refusal
        outcome = [DriverFace.face_error.set(code)] if status == "failed" else []

        def failed(tx: TransactWrite) -> None:
            tx.update(
                face,
                actions=[
                    DriverFace.face_status.set(status),
                    *(outcome or [DriverFace.face_error.remove()]),
                    DriverFace.last_attempt_error.set(code),
                    DriverFace.last_attempt_at.set(now),
                    DriverFace.face_updated_at.set(now),
                ],
                condition=unchanged,
            )
            close_ticket(tx, ticket, "rejected", refusal, photo)

        audit.commit(
            audit.AuditEvent(
                ticket.actor,
                "driver_face.enrolment_failed",
                target,
                {
                    "error": refusal,
                    "key": ticket.object_key,
                    "face_status": status,
                    **photo.evidence(),
                },
            ),
            failed,
            chain=audit_chain(city),
        )
        return {"key": ticket.object_key, "outcome": "rejected", "error": refusal}

    assert photo.template is not None  # a photo without one is refused above
    face_index.add(licence_number, photo.template, index_name(city))  # before: see docstring

    def enrolled(tx: TransactWrite) -> None:
        tx.update(
            face,
            actions=[
                DriverFace.face_status.set("enrolled"),
                DriverFace.face_error.remove(),
                DriverFace.face_updated_at.set(now),
                DriverFace.enrolled_at.set(now),
                DriverFace.reference_key.set(ticket.object_key),
                DriverFace.engine.set(engine_name()),
                *(
                    [DriverFace.reference_version.set(photo.version)]
                    if photo.version is not None
                    else []
                ),
                *([DriverFace.reference_digest.set(photo.digest)] if photo.digest else []),
            ],
            # not removed since the read (a removal after the grant: the retry refuses it)
            condition=DriverFace.driver_key.exists()
            & (
                DriverFace.removed_at == before.removed_at
                if before is not None and before.removed_at
                else DriverFace.removed_at.does_not_exist()
            ),
        )
        close_ticket(tx, ticket, "done", None, photo)

    audit.commit(
        audit.AuditEvent(
            ticket.actor,
            "driver_face.enrolled",
            target,
            {"key": ticket.object_key, "index": index_name(city), **photo.evidence()},
        ),
        enrolled,
        chain=audit_chain(city),
    )
    return {"key": ticket.object_key, "outcome": "enrolled"}


# ------------------------------------------------------------------ search


def _searched_event(search_id: str) -> audit.AuditEvent:
    """The shape of a search's audit event as far as its chain goes (the target)."""
    return audit.AuditEvent("", "face_search.searched", f"face_search:{search_id}", {})


def identify(
    ticket: Upload, photo: Photo, search: FaceSearch, head: audit.AuditEntry | None
) -> dict[str, Any]:
    """Store the search's candidates (or why there are none) with its audit entry; `head`: the
    chain's head as read with the ticket (None: the chain has none yet)."""
    if search.status != "awaiting_photo":
        return {"key": ticket.object_key, "outcome": "duplicate", "status": search.status}
    target = f"face_search:{search.search_id}"
    base = {
        "city": search.city,
        "officer": search.officer,
        "reason": search.reason,
        "key": ticket.object_key,
        **photo.evidence(),
    }
    now = clock.iso()
    photo_actions: list[Any] = [FaceSearch.searched_at.set(now)]
    if photo.version is not None:
        photo_actions.append(FaceSearch.photo_version.set(photo.version))
    if photo.digest is not None:
        photo_actions.append(FaceSearch.photo_sha256.set(photo.digest))
    if photo.template is None:

        def failed(tx: TransactWrite) -> None:
            tx.update(
                search,
                actions=[
                    FaceSearch.status.set("failed"),
                    FaceSearch.error.set(photo.error or "unknown"),
                    *photo_actions,
                ],
                condition=FaceSearch.status == "awaiting_photo",
            )
            close_ticket(tx, ticket, "rejected", photo.error, photo)

        audit.commit(
            audit.AuditEvent(
                ticket.actor, "face_search.failed", target, {**base, "error": photo.error}
            ),
            failed,
            chain=audit_chain(search.city),
            known_head=head,
        )
        return {"key": ticket.object_key, "outcome": "failed", "error": photo.error}

    line = match_zones().accept_max
    hits = face_index.search(
        photo.template, face_rules.SEARCH_K, index_name(search.city), SEARCHED_INDEX_MAX_AGE
    )
    found = face_rules.candidates(hits, line)
    stored = [
        CandidateAttribute(
            licence_number=c.licence_number,
            distance=c.distance,
            match=face_rules.MATCH if c.match else face_rules.NO_MATCH,
        )
        for c in found
    ]
    result = [
        {"licence_number": c.licence_number, "distance": c.distance, "match": c.match}
        for c in found
    ]

    def searched(tx: TransactWrite) -> None:
        tx.update(
            search,
            actions=[
                FaceSearch.status.set("searched"),
                FaceSearch.candidates.set(stored),  # type: ignore[arg-type]
                FaceSearch.threshold.set(line),
                *photo_actions,
            ],
            condition=FaceSearch.status == "awaiting_photo",
        )
        close_ticket(tx, ticket, "done", None, photo)

    audit.commit(
        audit.AuditEvent(
            ticket.actor,
            "face_search.searched",
            target,
            {**base, "threshold": line, "candidates": result},
        ),
        searched,
        chain=audit_chain(search.city),
        known_head=head,
    )
    return {
        "key": ticket.object_key,
        "outcome": "searched",
        "candidates": len(found),
        "matches": sum(c.match for c in found),
    }
