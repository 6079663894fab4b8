"""What a photo's decision reads, read together and once (`enforcement.batch_reads`).

Two BatchGetItems on the path of a check photo: the upload ticket with the check it names, then,
once the photo is read, everything the checks and the decision's transaction need (crew record,
face record, the digests of the photo's bytes and pixels, the vessel, the head of the audit chain
the decision goes to; the crew record also says whether the day of service a duty check would
add is on record: `checkin.service_days`). Each item is then passed down, never read again in
the invocation. Reads happen before the decision's transaction, whose conditions (the ticket
still pending, the check still awaiting its photo, the audit head unmoved, the day not on
record, the crew record's list of days unchanged) make a stale read harmless.

The first batch is eventually consistent (`ticket_and_check`); the second strongly consistent
but for the vessel and the photo digest. The crew record and the face record are read together
and must agree: an enrolment writes both in one transaction (the new reference face, and the
crew record's `face_status`, "pending_review" when the face may be another crew member's), and
two eventually consistent reads could pair the new face with the old status and verify against
a face still waiting for its review; the crew record also carries the certificates a duty
check is judged on, which an officer may just have revoked, and the days of service on record
(a stale "absent" would cancel the decision). The audit head stays consistent too (a stale
one costs a cancelled, billed transaction and a retry, on every busy chain). The photo digest
may be a second old: the decision's transaction puts it on condition that it is absent, so an
exact replay of a photo decided a moment ago is refused all the same (that transaction is
cancelled and the event's retry reads the digest).
"""

from __future__ import annotations

from enforcement import audit, uploads
from enforcement.batch_reads import ItemKey, Reads, batch_get
from enforcement.checkin import face_checks, loading
from enforcement.checkin.models import Check, Vessel
from enforcement.face.uploaded import Photo
from enforcement.models import Upload
from enforcement.uploads import PREFIX

#: The purpose in a key (`uploads.prepare`: uploads/<purpose>/<subject>/<token>) whose subject
#: is a check.
CHECK_PURPOSE = "check"


def ticket_and_check(key: str) -> tuple[Upload | None, Check | None]:
    """The upload ticket of `key` and, for a check photo, the check, in one BatchGetItem.

    The check id is taken from the key only to read it early: the caller uses the check only
    when the ticket names it (`Upload.subject_id`), and reads it otherwise (as it does when the
    check is not found here).

    Both eventually consistent (half the units): they were written together when the check
    started, before the client was given the upload, and what changes on them later (the
    ticket closed, the check decided) is the condition of the decision's transaction, so a copy
    a second old only makes a re-delivery that close to the decision decide again, see the
    transaction refused and answer `duplicate` (`upload_versions.after_conflict`). A ticket not
    found that way is read again strongly consistent before the object is taken for one nobody
    was given a ticket for."""
    parts = key.removeprefix(PREFIX).split("/")
    keys = [ItemKey(Upload, key, consistent=False)]
    check_id = parts[1] if key.startswith(PREFIX) and len(parts) > 2 and parts[1] else None
    if check_id is not None and parts[0] == CHECK_PURPOSE:
        keys.append(ItemKey(Check, check_id, consistent=False))
    else:
        check_id = None
    reads = batch_get(keys)
    ticket = reads.item(Upload, key) or uploads.ticket(key)
    return ticket, reads.item(Check, check_id) if check_id else None


def for_decision(check: Check, photo: Photo, audit_chain: str | None = None) -> Reads:
    """Everything the decision reads besides the ticket and the check, in one BatchGetItem:
    the face check's items (`face_checks.face_keys`: crew record, face record, photo digests),
    the vessel (all but a link) and the head of `audit_chain` (`audit_head`). Whether a duty
    check's day of service is on record already, the crew record says
    (`checkin.service_days`)."""
    keys = face_checks.face_keys(check.crew_id, photo)
    if check.purpose != "link" and check.vessel_id:
        # eventually consistent: its AIS position is minutes old at best, and a manning table
        # changed within the second is indistinguishable from one changed a second later
        keys.append(ItemKey(Vessel, check.vessel_id, consistent=False))
    if audit_chain is not None:
        keys.append(audit.head_key(audit_chain))
    return batch_get(keys)


def audit_head(chain: str, reads: Reads) -> audit.AuditEntry | None:
    """The head of `chain` as `for_decision` read it (None: the chain has none yet), for
    `audit.commit(..., known_head=...)`."""
    key = audit.head_key(chain)
    return reads.item(audit.AuditEntry, key.hash_key, key.range_key)


def vessel_of(check: Check, reads: Reads) -> Vessel:
    """The check's vessel, from `for_decision`'s reads; 404 `vessel_not_found` when gone."""
    vessel_id = check.vessel_id or ""
    vessel = reads.item(Vessel, vessel_id) if vessel_id else None
    if vessel is None:
        raise loading.no_vessel(vessel_id)
    return vessel
