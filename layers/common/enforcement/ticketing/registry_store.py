"""A registry file's good rows kept (`registry_import.process` calls `store`): each row as its
record (`item_of`), read `READ_PAGE` at a time against what is stored (one BatchGetItem), and
written only where it differs, never over a record of a later file; what became of each row is
counted on the import's `Tally`.

Files that cross (two files of a city imported at once, an old file after a newer one): a file
stands in the order its upload was granted (`registry_rows.file_order`), and each record keeps
the order of the newest file that listed it (`source`). A row is not written over a record of a
later file (`registry_rows.stale`, counted `stale`), and every write is conditional on the same
comparison, so a file imported meanwhile is never overwritten by an older one: a changed row is
a conditional PutItem (`source` absent or not later); a row equal to its record, from a later
file, moves the record's `source` on (an UpdateItem on condition that the record is still as
read, else the row is written whole on the first condition). A batch write carries no
condition, so rows are written one call each, `WRITERS` at a time. The grant's time, not the
object's LastModified: it is on the ticket (no call), set by this system in milliseconds
(LastModified has seconds), and it follows the order the syncing system asked to send its files
in, whatever each upload's duration (a large older file finishes uploading after a small newer
one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import islice
from typing import Any, Literal

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from enforcement import clock
from enforcement.ticketing import licences
from enforcement.ticketing.models import (
    Driver,
    Vehicle,
    Violation,
    driver_key,
    plate_key,
    violation_key,
)
from enforcement.ticketing.registry_csv import BadRow
from enforcement.ticketing.registry_rows import (
    DriverRecord,
    VehicleRecord,
    ViolationRecord,
    stale,
)

#: Records compared with what is stored per BatchGetItem (DynamoDB's limit).
READ_PAGE = 100
#: Attributes that say which upload last changed a record, or which file it stands as of, not
#: what the record is.
BOOKKEEPING = frozenset({"upload_id", "updated_at", "source"})
#: Conditional writes in flight at once (each written row is one call: a batch write carries no
#: condition); within botocore's 10 pooled connections.
WRITERS = 8
CONDITION_FAILED = "ConditionalCheckFailedException"

Record = VehicleRecord | DriverRecord | ViolationRecord
Item = Vehicle | Driver | Violation
#: What became of a good row the import wrote (or tried to).
Outcome = Literal["written", "unchanged", "stale"]


@dataclass
class Tally:
    """What an import did: rows read, kept (accepted), written, equal to the record (unchanged),
    not written over a record of a later file (stale); BatchGetItem pages read."""

    accepted: int = 0
    written: int = 0
    unchanged: int = 0
    stale: int = 0
    read_calls: int = 0
    bad: list[BadRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.accepted + len(self.bad),
            "accepted": self.accepted,
            "written": self.written,
            "unchanged": self.unchanged,
            "stale": self.stale,
            "bad_rows": len(self.bad),
        }

    def note(self, outcome: Outcome) -> None:
        if outcome == "written":
            self.written += 1
        elif outcome == "unchanged":
            self.unchanged += 1
        else:
            self.stale += 1


def item_of(city: str, record: Record, today: date | None = None) -> Item:
    """The stored form of a registry row (without the upload that writes it); a driver's points
    are taken to count in the points cycle of `today` (the city's, by default)."""
    if isinstance(record, VehicleRecord):
        return Vehicle(
            plate_key(city, record.plate),
            record.plate_kind,
            city=city,
            plate=record.plate,
            vehicle_type=record.vehicle_type,
            owner=record.owner,
            registration_status=record.registration_status,
            inspection_due=record.inspection_due.isoformat(),
            insurance_expiry=record.insurance_expiry.isoformat(),
            flags=list(record.flags),
        )
    if isinstance(record, DriverRecord):
        on = max(today or clock.local_date(), record.first_issued)
        return Driver(
            driver_key(city, record.licence_number),
            city=city,
            licence_number=record.licence_number,
            name=record.name,
            classes=list(record.classes),
            first_issued=record.first_issued.isoformat(),
            valid_from=record.valid_from.isoformat(),
            valid_to=record.valid_to.isoformat() if record.valid_to else None,
            status=record.status,
            points=record.points,
            points_cycle_start=licences.points_cycle(record.first_issued, on)[0].isoformat(),
            date_of_birth=record.date_of_birth.isoformat(),
        )
    return Violation(
        plate_key(city, record.plate),
        violation_key(record.plate_kind, record.violation_id),
        city=city,
        plate=record.plate,
        plate_kind=record.plate_kind,
        violation_id=record.violation_id,
        code=record.code,
        occurred_at=clock.iso(record.occurred_at),
        place=record.place,
        fine=record.fine,
        points=record.points,
        status=record.status,
    )


def _identity(item: Model) -> Any:
    """An item's key as `Model.batch_get` takes it: the hash key, or (hash key, range key)."""
    hash_key, range_key = item._get_serialized_keys()
    return hash_key if range_key is None else (hash_key, range_key)


def _content(item: Model) -> dict[str, Any]:
    return {k: v for k, v in item.serialize().items() if k not in BOOKKEEPING}


def store(
    city: str,
    registry: str,
    rows: Iterable[Record | BadRow],
    upload: str,
    source: str,
    tally: Tally,
) -> None:
    """Keep the good rows of the file standing at `source` (only those that differ from the
    stored record are written, none over a record of a later file), note the bad ones."""
    model: type[Model] = {"vehicles": Vehicle, "drivers": Driver, "violations": Violation}[registry]
    now = clock.iso()
    good = _good_rows(rows, tally)
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="registry-write") as pool:
        while page := list(islice(good, READ_PAGE)):
            items: list[Item] = [item_of(city, record) for record in page]
            keys = [_identity(item) for item in items]
            stored: dict[Any, Item] = {
                _identity(item): item  # type: ignore[misc]
                for item in model.batch_get(keys, consistent_read=True)
            }
            tally.read_calls += 1
            writes: list[Callable[[], Outcome]] = []
            for item in items:
                before = stored.get(_identity(item))
                if before is not None and stale(before.source, source):
                    tally.stale += 1
                    continue
                item.upload_id, item.updated_at, item.source = upload, now, source
                if before is None or _content(before) != _content(item):
                    writes.append(partial(_write, item))
                elif before.source != source:
                    writes.append(partial(_confirm, before, item))
                else:
                    tally.unchanged += 1  # this file again (a retried import)
            for outcome in pool.map(lambda write: write(), writes):
                tally.note(outcome)


def _condition_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == CONDITION_FAILED


def _write(item: Item) -> Outcome:
    """Write a row whole on condition that its record is of no file or of this file or an
    earlier one (`registry_rows.stale`, as a condition): "written", or "stale" when a later
    file wrote the record since it was read."""
    model = type(item)
    assert item.source is not None
    try:
        item.save(condition=model.source.does_not_exist() | (model.source <= item.source))
    except PutError as exc:
        if _condition_failed(exc):
            return "stale"
        raise
    return "written"


def _confirm(before: Item, item: Item) -> Outcome:
    """A row equal to its record, of a later file: the record now stands as of this file (its
    `source` moved on, nothing else written), on condition that it is still as it was read;
    when another file changed it meanwhile, the row is written whole (`_write`)."""
    model = type(before)
    held = (
        model.source == before.source
        if before.source is not None
        else model.source.does_not_exist() & model.city.exists()
    )
    try:
        before.update(actions=[model.source.set(item.source)], condition=held)
    except UpdateError as exc:
        if _condition_failed(exc):
            return _write(item)
        raise
    return "unchanged"


def _good_rows(rows: Iterable[Record | BadRow], tally: Tally) -> Iterator[Record]:
    for row in rows:
        if isinstance(row, BadRow):
            tally.bad.append(row)
            continue
        tally.accepted += 1
        yield row
