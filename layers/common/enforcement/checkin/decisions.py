"""What happens when a photo lands in the upload bucket.

The upload ticket says what the photo is for: a crew member's reference face (enrolment), an
account proving who it is (link), a check-in (duty), or an application (appointment/discharge).
Each decision is written in one transaction with its audit entry and the ticket's closing (and,
for a verified duty check, its day of service), so no part of a decision is stored without the
rest, and a re-delivered S3 event finds the ticket closed and changes nothing. A decision is made
on one object version, whose id is stored with the photo's SHA-256 (on the ticket, the face
record or the check, and in the audit entry); another version posted under the key later is
refused and deleted (`enforcement.upload_versions`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from enforcement import audit, batch_reads, clock, jurisdictions, notify, uploads
from enforcement.checkin import (
    checks,
    crew,
    decision_reads,
    face_checks,
    loading,
    reviews,
    rules,
    service_days,
)
from enforcement.checkin.models import (
    Check,
    CrewMember,
    FaceRecord,
    PhotoDigest,
    Review,
)
from enforcement.config import settings
from enforcement.errors import Conflict
from enforcement.face.uploaded import Photo, arrived, close_ticket, overtaken, read_photo
from enforcement.models import Upload
from enforcement.upload_versions import discard_unknown, missing

logger = Logger(child=True)

ENGINE_NAME = "face_recognition-1.3.0"


def process_upload(key: str, version_id: str | None = None) -> dict[str, Any]:
    """Handle one S3 object-created event for `key` (the object version it names; None: the one
    now under the key); safe to call again for the same object."""
    ticket, check = decision_reads.ticket_and_check(key)
    if ticket is None:
        logger.warning("object without an upload ticket", extra={"key": key})
        discard_unknown(key, version_id)
        return {"key": key, "outcome": "unknown_upload"}
    version, outcome = arrived(ticket, version_id)
    if outcome is not None:
        return outcome
    try:
        photo = read_photo(ticket, version)
    except uploads.ObjectMissing:
        return missing(ticket)
    try:
        if ticket.purpose == "enrolment":
            return enrol(ticket, photo)
        return decide_check(ticket, photo, check)
    except Conflict:
        outcome = overtaken(key, version)
        if outcome is None:
            raise
        return outcome


# ------------------------------------------------------------------ enrolment


def enrol(ticket: Upload, photo: Photo) -> dict[str, Any]:
    """Enrol the reference photo's face; a face already enrolled for another crew member of
    the agency sends the enrolment to review instead (`enforcement.checkin.enrolment`)."""
    from enforcement.checkin import enrolment  # here: a check-in does not load the 1:N index

    crew_id = ticket.subject_id
    crew = CrewMember(crew_id)
    loaded = loading.load_crew(crew_id)
    agency = jurisdictions.owner(loaded.jurisdiction)
    now = clock.iso()
    if photo.template is None:

        def failed(tx: TransactWrite) -> None:
            tx.update(
                crew,
                actions=[
                    CrewMember.face_status.set("failed"),
                    CrewMember.face_error.set(photo.error or "unknown"),
                    CrewMember.face_updated_at.set(now),
                ],
                condition=CrewMember.crew_id.exists(),
            )
            close_ticket(tx, ticket, "rejected", photo.error, photo)

        audit.commit(
            audit.AuditEvent(
                ticket.actor,
                "face.enrolment_failed",
                f"crew:{crew_id}",
                {"error": photo.error, "key": ticket.object_key, **photo.evidence()},
            ),
            failed,
            agency=agency,
        )
        return {"key": ticket.object_key, "outcome": "rejected", "error": photo.error}

    record = FaceRecord(
        f"crew#{crew_id}",
        template=photo.template.to_bytes(),
        reference_digest=photo.digest or "",
        reference_key=ticket.object_key,
        reference_version=photo.version,
        # lets a check recognise a print or a screen of the reference photo, not only its bytes
        reference_signature=(
            photo.template.signature.to_bytes() if photo.template.signature is not None else None
        ),
        reference_pixels=face_checks.pixel_digest(photo.template),
        enrolled_at=now,
        engine=ENGINE_NAME,
    )

    duplicate = enrolment.possible_duplicate(loaded, photo.template, agency)
    shown = duplicate.photos(ticket.object_key, photo.version, photo.digest) if duplicate else []
    enrolment.remember(crew_id, photo.template, agency)  # before: see enrolment's docstring
    opened: list[Review] = []

    def enrolled(tx: TransactWrite) -> None:
        tx.save(record)
        tx.update(
            crew,
            actions=[
                CrewMember.face_status.set("pending_review" if duplicate else "enrolled"),
                CrewMember.face_error.set(enrolment.POSSIBLE_DUPLICATE)
                if duplicate
                else CrewMember.face_error.remove(),
                CrewMember.face_updated_at.set(now),
            ],
            condition=CrewMember.crew_id.exists(),
        )
        close_ticket(tx, ticket, "done", enrolment.POSSIBLE_DUPLICATE if duplicate else None, photo)
        if duplicate:
            opened[:] = [
                reviews.open_review(
                    tx,
                    kind="enrolment",
                    subject_id=crew_id,
                    crew_id=crew_id,
                    jurisdiction=loaded.jurisdiction or "",
                    reason=enrolment.POSSIBLE_DUPLICATE,
                    message=duplicate.message(),
                    figures=duplicate.figures(now),
                    photos=shown,
                    actor=ticket.actor,
                )
            ]

    audit.commit(
        audit.AuditEvent(
            ticket.actor,
            "face.enrolment_review" if duplicate else "face.enrolled",
            f"crew:{crew_id}",
            {
                "key": ticket.object_key,
                **photo.evidence(),
                **(duplicate.figures(now) if duplicate else {}),
            },
        ),
        enrolled,
        agency=agency,
    )
    if duplicate:
        review_id = opened[0].review_id
        return {"key": ticket.object_key, "outcome": "pending_review", "review_id": review_id}
    return {"key": ticket.object_key, "outcome": "enrolled"}


# ------------------------------------------------------------------ checks


def check_outcomes(
    check: Check, photo: Photo, reads: batch_reads.Reads
) -> dict[str, rules.Outcome]:
    """The checks a purpose needs: link is identity only; discharge needs no certificate."""
    # used at the check's created time: the same key for the used photo on a re-delivery
    outcomes = {rules.FACE: face_checks.face_check(check.crew_id, photo, reads, check.created_at)}
    if check.purpose == "link":
        return outcomes
    cfg = settings()
    vessel = decision_reads.vessel_of(check, reads)
    fix = (
        rules.GpsFix(float(check.gps.lat), float(check.gps.lon), float(check.gps.accuracy_m))
        if check.gps
        else None
    )
    geofence = rules.GeofenceConfig(
        min_radius_m=cfg.geofence_min_radius_m,
        max_accuracy_m=cfg.gps_max_accuracy_m,
        max_position_age=timedelta(minutes=cfg.ais_max_age_minutes),
    )
    # the fix was taken when the check started; the ship's position is judged at that moment
    outcomes[rules.LOCATION] = rules.location_check(
        fix,
        loading.position_of(vessel),
        float(vessel.length_m),
        clock.parse(check.created_at),
        geofence,
    )
    if check.purpose in ("duty", "appointment"):
        crew = reads.item(CrewMember, check.crew_id)
        if crew is None:
            raise loading.no_crew(check.crew_id)
        post = loading.find_post(vessel, check.post or "")
        outcomes[rules.CERTIFICATE] = rules.certificate_check(
            loading.certificates_of(crew), post, clock.now().date()
        )
    return outcomes


#: How the crew member is told of a decided photo, per status.
WORDS = {"verified": "passed", "failed": "failed", "pending_review": "under review"}


def decide_check(ticket: Upload, photo: Photo, check: Check | None = None) -> dict[str, Any]:
    """Decide the ticket's check (`check`: the check, when read with the ticket already)."""
    if check is None or check.check_id != ticket.subject_id:
        check = loading.load_check(ticket.subject_id)
    if check.status != "awaiting_photo":
        return {"key": ticket.object_key, "outcome": "duplicate", "status": check.status}
    agency = jurisdictions.owner(check.jurisdiction)
    event = audit.AuditEvent(
        ticket.actor, f"check.decide.{check.purpose}", f"check:{check.check_id}", {}
    )
    chain = audit.chain_of(event, None, agency)
    decided_at = clock.iso()  # the service day a verified duty check earns is of this time
    reads = decision_reads.for_decision(check, photo, chain)
    outcomes = check_outcomes(check, photo, reads)
    status, reasons = rules.verdict(outcomes)
    verified = status == rules.VERIFIED
    results = {name: o.as_dict() for name, o in outcomes.items()}
    # a verified duty check's day of service, stored with the decision unless already on record
    # (the crew record, read with the face record, says: `service_days`)
    member = reads.item(CrewMember, check.crew_id)
    looked = (
        service_days.look_up(member, crew.service_day_key(check, decided_at))
        if verified and check.purpose == "duty" and member is not None
        else None
    )
    service = (
        crew.service_day(check, decided_at, decision_reads.vessel_of(check, reads))
        if looked is not None and not looked.on_record
        else None
    )
    body = "; ".join(reasons) if reasons else "all checks passed"
    if status == rules.PENDING_REVIEW:
        body = "An officer will look at your photo; you will be told the decision."
    note = notify.notification(
        check.crew_id,
        f"check.{status}",
        f"{checks.TITLES.get(check.purpose, 'Check')} {WORDS[status]}",
        body,
        {"check_id": check.check_id, "purpose": check.purpose, "status": status},
    )
    replay = outcomes[rules.FACE].reason.startswith("replayed")
    kept = inbox_kept(check, status)
    review_ids: list[str] = []

    def writes(tx: TransactWrite) -> None:
        actions: list[Any] = []
        if status == rules.PENDING_REVIEW:
            from enforcement.checkin import check_reviews  # here: most checks open no review

            review = check_reviews.open_check_review(
                tx, check, outcomes[rules.FACE], photo_ref(ticket, photo), ticket.actor
            )
            review_ids[:] = [review.review_id]
            actions.append(Check.review_id.set(review.review_id))
        tx.update(
            check,
            actions=[
                Check.status.set(status),
                Check.results.set(results),
                Check.reasons.set(reasons),  # type: ignore[arg-type]
                Check.decided_at.set(decided_at),
                *actions,
                *_photo_actions(photo),
            ],
            condition=Check.status == "awaiting_photo",
        )
        close_ticket(tx, ticket, "done", reasons[0] if reasons else None, photo)
        if not replay:
            for seen in face_checks.seen_records(photo, ticket.object_key, decided_at):
                tx.save(seen, condition=PhotoDigest.object_key.does_not_exist())
        if kept:
            tx.save(note)
        if verified:
            checks.apply_effects(tx, check)
        if service is not None and looked is not None:
            crew.add_service_day(tx, service, looked)

    audit.commit(
        audit.AuditEvent(
            event.actor,
            event.action,
            event.target,
            {
                "status": status,
                "reasons": reasons,
                "key": ticket.object_key,
                **photo.evidence(),
                **({"review_id": review_ids[0]} if review_ids else {}),
            },
        ),
        writes,
        on_conflict=Conflict("check_changed", "the check or its records changed meanwhile"),
        chain=chain,
        known_head=decision_reads.audit_head(chain, reads),
    )
    notify.publish([note])
    result: dict[str, Any] = {"key": ticket.object_key, "outcome": status, "reasons": reasons}
    if review_ids:
        result["review_id"] = review_ids[0]
    return result


#: Modes in which the crew member took the photo on their own phone and polls the check.
OWN_PHOTO_MODES = ("self", "remote")


def inbox_kept(check: Check, status: str) -> bool:
    """Whether the decision's notification goes to the crew member's inbox (in its transaction)
    as well as to the topic. Not for a verified self or remote check-in: the crew member took
    the photo and is polling the check for that answer, and nothing else reads the inbox entry.
    A failure, a review, and every check the crew member did not start (an officer's on-site
    check, a link, an application) are kept."""
    own = check.purpose == "duty" and check.mode in OWN_PHOTO_MODES
    return not (own and status == rules.VERIFIED)


def photo_ref(ticket: Upload, photo: Photo) -> reviews.PhotoRef:
    """The decided photo as a review shows it: the ticket's key, the version read."""
    return reviews.PhotoRef("check", ticket.object_key, photo.version, photo.digest)


def _photo_actions(photo: Photo) -> list[Any]:
    """The check's record of the photo it was decided on: object version and SHA-256."""
    actions: list[Any] = []
    if photo.version is not None:
        actions.append(Check.photo_version.set(photo.version))
    if photo.digest is not None:
        actions.append(Check.photo_sha256.set(photo.digest))
    return actions
