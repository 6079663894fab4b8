"""A driver's face taken out of the city's 1:N index (`drivers-<city>`): by an admin of the city's
agency, with a reason; or by a registry import that revokes or cancels the driver's licence
(`face_rules.licence_ended`), as the import's actor. Either way the face record says `removed`
(who, when, why, and whether the reference photo was deleted) and the city's e-ticket audit
chain has the entry, in the same transaction.

The steps, each harmless to repeat, so a stop anywhere is mended by the retry:
1. a removal delta in the city's index (`enforcement.index_deltas`: the functions that remove
   carry no face engine, so not `face.index.remove`, which needs numpy);
2. the reference photo's object version deleted from the upload bucket (the licence photo is
   biometric data: it is not kept for a face no longer searched);
3. one transaction: the face record `removed`, on condition that it is still as read, with the
   audit entry (`driver_face.removed`, or `driver_face.removed_by_import`).

Idempotent: a face removed already is answered as it is (200) and nothing is written again; a
driver whose face the index does not hold (never enrolled, only pending or refused photos) is
404 `face_not_enrolled`. A new enrolment may follow a removal (an admin's new upload).

A search lists the index's new entries as its photo is encoded (`face_uploads.process`), so a
removal written before the photo landed is seen; a search already running may still rank the
driver, so a search's view leaves out every candidate whose face is removed
(`face_searches.search_view`), and such a candidate cannot be confirmed: no officer is offered
a driver who left the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from pynamodb.transactions import TransactWrite

from enforcement import audit, batch_reads, clock, index_deltas, uploads
from enforcement.access import Action, in_jurisdiction
from enforcement.auth import Principal
from enforcement.batch_reads import ItemKey
from enforcement.errors import Conflict, NotFound
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import DriverFace, index_name
from enforcement.ticketing.face_searches import face_view
from enforcement.ticketing.models import Driver, audit_chain, driver_key
from enforcement.ticketing.registry_rows import DriverRecord

logger = Logger(child=True)

#: Drivers read per BatchGetItem after an import (the driver and the face: 2 keys each).
READ_PAGE = batch_reads.MAX_KEYS // 2


def _no_driver(city: str, licence_number: str) -> NotFound:
    return NotFound("driver_not_found", f"no driver {licence_number} on {city}'s registry")


def remove(principal: Principal, city: str, licence_number: str, reason: str) -> dict[str, Any]:
    """An admin of the city's agency removes the driver's enrolled face (see the module)."""
    in_jurisdiction(principal, city, Action.ADMINISTER, hidden=_no_driver(city, licence_number))
    key = driver_key(city, licence_number)
    reads = batch_reads.batch_get([ItemKey(Driver, key), ItemKey(DriverFace, key)])
    if reads.item(Driver, key) is None:
        raise _no_driver(city, licence_number)
    face = reads.item(DriverFace, key)
    if face is not None and face.face_status == face_rules.REMOVED:
        return face_view(city, licence_number, face)  # removed already: nothing to do
    if face is None or not face_rules.face_in_index(face.face_status, face.enrolled_at):
        raise NotFound("face_not_enrolled", f"driver {licence_number} has no face enrolled")
    _take_out(city, [(face, reason)], principal.actor, "driver_face.removed", raise_conflict=True)
    return face_view(city, licence_number, DriverFace.get(key, consistent_read=True))


def noting_ended(rows: Iterable[Any], ended: list[str]) -> Iterator[Any]:
    """`rows` as they are, noting in `ended` the licence numbers of the driver rows whose status
    is revoked or cancelled (a registry import's rows pass through on their way to the table)."""
    for row in rows:
        if isinstance(row, DriverRecord) and face_rules.licence_ended(row.status):
            ended.append(row.licence_number)
        yield row


def licences_ended(city: str, licence_numbers: Iterable[str], actor: str, source: str) -> int:
    """After a drivers' registry import (`source`: its upload id): every driver of
    `licence_numbers` whose STORED licence is revoked or cancelled and whose face the city's
    index holds is removed from it, audited as `actor`. The stored record decides, not the
    file's row (a row the import did not write leaves the face). Returns how many were removed;
    a re-imported file removes nothing more."""
    numbers = iter(sorted(set(licence_numbers)))
    removed = 0
    while page := list(islice(numbers, READ_PAGE)):
        keys = [driver_key(city, number) for number in page]
        reads = batch_reads.batch_get(
            [ItemKey(model, key) for key in keys for model in (Driver, DriverFace)]
        )
        faces = []
        for key in keys:
            driver, face = reads.item(Driver, key), reads.item(DriverFace, key)
            if driver is None or face is None or not face_rules.licence_ended(driver.status):
                continue
            if face_rules.face_in_index(face.face_status, face.enrolled_at):
                faces.append((face, f"licence {driver.status} (registry import {source})"))
        if faces:
            removed += _take_out(city, faces, actor, "driver_face.removed_by_import")
    return removed


def _delete_reference(face: DriverFace) -> bool:
    """Delete the reference photo's object version; False if it could not be (it is kept and
    the record says so)."""
    if not face.reference_key:
        return True  # nothing stored
    try:
        uploads.discard(face.reference_key, face.reference_version)
    except ClientError as exc:
        logger.warning(
            "reference photo not deleted",
            extra={"key": face.reference_key, "error": exc.response["Error"]["Code"]},
        )
        return False
    return True


def _take_out(
    city: str,
    removals: list[tuple[DriverFace, str]],
    actor: str,
    action: str,
    raise_conflict: bool = False,
) -> int:
    """Steps 1-3 of the module's docstring for faces of one city, each with its reason (one
    index delta for all). A face changed meanwhile (a new enrolment landed) raises 409
    `face_changed` if `raise_conflict`, else is left and logged. Returns how many were removed."""
    index_deltas.remove(index_name(city), [face.licence_number for face, _ in removals])
    done = 0
    for face, reason in removals:
        deleted = _delete_reference(face)
        try:
            _record(city, face, actor, action, reason, deleted)
        except Conflict:
            if raise_conflict:
                raise
            logger.warning("face changed while removed", extra={"driver": face.driver_key})
            continue
        done += 1
    return done


def _record(
    city: str, face: DriverFace, actor: str, action: str, reason: str, deleted: bool
) -> None:
    """The face record `removed` (on condition it is as read) with its audit entry."""
    now = clock.iso()
    cleared = [DriverFace.enrolled_at, DriverFace.face_error, DriverFace.last_attempt_error]
    cleared.append(DriverFace.last_attempt_at)
    if deleted:  # the photo is gone: its key, version and digest with it
        cleared += [
            DriverFace.reference_key,
            DriverFace.reference_version,
            DriverFace.reference_digest,
        ]

    def writes(tx: TransactWrite) -> None:
        tx.update(
            face,
            actions=[
                DriverFace.face_status.set(face_rules.REMOVED),
                DriverFace.face_updated_at.set(now),
                DriverFace.removed_at.set(now),
                DriverFace.removed_by.set(actor),
                DriverFace.removal_reason.set(reason),
                DriverFace.reference_deleted.set(deleted),
                *(attribute.remove() for attribute in cleared),
            ],
            condition=(DriverFace.face_status == face.face_status)
            & (DriverFace.enrolled_at == face.enrolled_at),
        )

    audit.commit(
        audit.AuditEvent(
            actor,
            action,
            f"driver:{city}/{face.licence_number}",
            {
                "reason": reason,
                "index": index_name(city),
                "enrolled_at": face.enrolled_at,
                "reference_key": face.reference_key,
                "reference_deleted": deleted,
            },
        ),
        writes,
        on_conflict=Conflict("face_changed", "the driver's face changed meanwhile: read it again"),
        chain=audit_chain(city),
    )
