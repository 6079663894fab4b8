"""What a photo's decision reads, read together and once (`enforcement.batch_reads`).

Two BatchGetItems on the path of a check photo: the upload ticket with the check it names, then,
once the photo is read, everything the checks need (crew record, face record, the digests of the
photo's bytes and pixels, the vessel). Each item is then passed down, never read again in the
invocation. Reads happen before the decision's transaction, whose conditions (the ticket still
pending, the check still awaiting its photo) make a stale read harmless.
"""

from __future__ import annotations

from enforcement.batch_reads import ItemKey, Reads, batch_get
from enforcement.checkin import face_checks, loading
from enforcement.checkin.face_checks import Photo
from enforcement.checkin.models import Check, Vessel
from enforcement.models import Upload
from enforcement.uploads import PREFIX

#: The purpose in a key (`uploads.prepare`: uploads/<purpose>/<subject>/<token>) whose subject
#: is a check.
CHECK_PURPOSE = "check"


def ticket_and_check(key: str) -> tuple[Upload | None, Check | None]:
    """The upload ticket of `key` and, for a check photo, the check, in one BatchGetItem.

    The check id is taken from the key only to read it early: the caller uses the check only
    when the ticket names it (`Upload.subject_id`), and reads it otherwise."""
    parts = key.removeprefix(PREFIX).split("/")
    keys = [ItemKey(Upload, key)]
    check_id = parts[1] if key.startswith(PREFIX) and len(parts) > 2 and parts[1] else None
    if check_id is not None and parts[0] == CHECK_PURPOSE:
        keys.append(ItemKey(Check, check_id))
    else:
        check_id = None
    reads = batch_get(keys)
    return reads.item(Upload, key), reads.item(Check, check_id) if check_id else None


def for_decision(check: Check, photo: Photo) -> Reads:
    """Everything the decision reads besides the ticket and the check, in one BatchGetItem:
    the face check's items (`face_checks.face_keys`: crew record, face record, photo digests)
    and the vessel (all but a link)."""
    keys = face_checks.face_keys(check.crew_id, photo)
    if check.purpose != "link" and check.vessel_id:
        keys.append(ItemKey(Vessel, check.vessel_id))
    return batch_get(keys)


def vessel_of(check: Check, reads: Reads) -> Vessel:
    """The check's vessel, from `for_decision`'s reads; 404 `vessel_not_found` when gone."""
    vessel_id = check.vessel_id or ""
    vessel = reads.item(Vessel, vessel_id) if vessel_id else None
    if vessel is None:
        raise loading.no_vessel(vessel_id)
    return vessel
