"""Whether a day of service is on a crew member's record, answered from the crew record.

A verified duty check earns its day once (`ServiceRecord`, keyed `<date>#<vessel>#<post>`,
`crew.service_day_key`). The crew record carries `service_days`: the keys of its latest day of
service on record, all of one date ([] for a crew member with none yet). Every write of a day
(`crew.add_service_day`: a photo's decision, a review's confirm) updates the list in the same
transaction when the day is as new as the list's or newer, on condition that the list is still
what was read. So the list holds every record of its date, and no record is newer than it: a
decision, which reads the crew record anyway, knows whether today's day is on record without
reading the service records.

What the list cannot tell is read: for a crew record written before the list was kept (None),
the records of the latest day on record (one consistent Query, newest first), which then start
the list; for a day older than the list's (a review confirmed after midnight), that day's record
(one GetItem). The `ServiceRecord` put stays conditional on the key not existing either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from enforcement.checkin.models import CrewMember, ServiceRecord


def date_of(key: str) -> str:
    """The date part of a `ServiceRecord.record_key`."""
    return key.split("#", 1)[0]


@dataclass(frozen=True)
class DayOnRecord:
    """The answer for one day's key, and how a write of the day keeps the crew record's list."""

    key: str
    on_record: bool
    #: the crew record's list as read (None: not kept yet): the condition of the list's update
    read: list[str] | None
    #: the list once the day is stored (None: left as it is, for a day older than the list's)
    after: list[str] | None


def latest_day(crew_id: str) -> list[str]:
    """The keys of the crew member's latest day on record ([] when none): one consistent Query,
    newest first, stopped where the date changes."""
    keys: list[str] = []
    for record in ServiceRecord.query(crew_id, scan_index_forward=False, consistent_read=True):
        if keys and date_of(record.record_key) != date_of(keys[0]):
            break
        keys.append(record.record_key)
    return keys


def _recorded(crew_id: str, key: str) -> bool:
    try:
        ServiceRecord.get(crew_id, key, consistent_read=True)
    except ServiceRecord.DoesNotExist:
        return False
    return True


def look_up(member: CrewMember, key: str) -> DayOnRecord:
    """Whether the day `key` is on `member`'s record (the crew record read strongly consistent),
    from its `service_days` unless it cannot tell."""
    read = [str(k) for k in member.service_days] if member.service_days is not None else None
    latest = read if read is not None else latest_day(member.crew_id)
    date = date_of(key)
    if not latest or date_of(latest[0]) < date:
        return DayOnRecord(key, False, read, [key])
    if date_of(latest[0]) == date:
        return DayOnRecord(key, key in latest, read, [*latest, key])
    return DayOnRecord(key, _recorded(member.crew_id, key), read, None)
