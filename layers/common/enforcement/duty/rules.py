"""The pure rules of traffic duty: no AWS, no clock, no settings read here (callers pass them).

The rota's own rule (who gets a slot: eligibility, balance, the seeded tie-break) lives in
`enforcement.duty.rota`, with its specification; this module holds the rules around it: the
agency's local time, which days may be dispatched, how task ids are made and read, when a task
is late, may be closed or reassigned to someone, the close-out geofence, the hazard queue's order.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from enforcement.clock import utc_offset
from enforcement.errors import BadRequest, Conflict, Unprocessable

#: A duty task's id: `<date>.<HHMM>.<area id>.<n>` (see `rota.Slot.task_id`).
TASK_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{4})\.([A-Za-z0-9][A-Za-z0-9_-]*)\.(\d+)$")
#: Days before the dispatched one whose task minutes count as an officer's recent load.
RECENT_DAYS = 6
#: How far ahead a day may be dispatched.
MAX_DAYS_AHEAD = 7
#: Task statuses in which a task still waits for its officer (late once its slot has begun).
WAITING = ("assigned", "unstaffed")
#: Queue order of the command centre: accidents first, then broken signals, hazards, road works.
HAZARD_PRIORITY: dict[str, int] = {
    "accident": 1,
    "broken_signal": 2,
    "road_hazard": 3,
    "road_works": 4,
}
#: Hazard report statuses still in the command centre's hands.
HAZARD_OPEN = ("open", "in_progress")


# ------------------------------------------------------------------ the agency's local time


def local_date(moment: datetime, offset: str) -> str:
    """The agency's calendar day (`YYYY-MM-DD`) at `moment`."""
    return moment.astimezone(utc_offset(offset)).date().isoformat()


def local_time(day: str, minutes: int, offset: str) -> str:
    """The local time `minutes` after the day's local midnight, ISO 8601 to the minute with the
    offset (`2026-11-23T07:30+08:00`); past 1440 it falls on the next day."""
    midnight = datetime.combine(date.fromisoformat(day), datetime.min.time(), utc_offset(offset))
    return (midnight + timedelta(minutes=minutes)).isoformat(timespec="minutes")


def span(day: str, starts_at: str, ends_at: str, offset: str) -> tuple[int, int]:
    """A task's start and end in minutes from its day's local midnight (the rota's units)."""
    day_start = datetime.fromisoformat(local_time(day, 0, offset))
    start = datetime.fromisoformat(starts_at) - day_start
    end = datetime.fromisoformat(ends_at) - day_start
    return int(start.total_seconds() // 60), int(end.total_seconds() // 60)


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether `[start, end)` meets any of `spans` (an officer is on one task at a time)."""
    return any(s < end and start < e for s, e in spans)


# ------------------------------------------------------------------ days and task ids


def day_key(agency: str, day: str) -> str:
    """The tasks of one agency's day share the partition `<agency>#<date>`."""
    return f"{agency}#{day}"


def task_day(task_id: str) -> str | None:
    """The day a task id names, or None when the text is not a task id."""
    match = TASK_ID.match(task_id)
    return match[1] if match else None


def check_dispatchable(day: str, today: str) -> None:
    """A day may be dispatched from today (the agency's local day) to `MAX_DAYS_AHEAD` days
    ahead: 400 `invalid_date` for text that is not a date, 422 `date_in_past` before today,
    422 `date_too_far` beyond."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError as exc:
        raise BadRequest("invalid_date", "dates are YYYY-MM-DD") from exc
    first = date.fromisoformat(today)
    if wanted < first:
        raise Unprocessable("date_in_past", "a past day cannot be dispatched")
    if wanted > first + timedelta(days=MAX_DAYS_AHEAD):
        raise Unprocessable("date_too_far", f"days are dispatched at most {MAX_DAYS_AHEAD} ahead")


# ------------------------------------------------------------------ one task


def is_late(status: str, starts_at: str, now: datetime) -> bool:
    """A task is late when its slot has begun and nobody has acknowledged it yet."""
    return status in WAITING and datetime.fromisoformat(starts_at) <= now


def check_closable(status: str, starts_at: str, now: datetime) -> None:
    """An officer closes a task once acknowledged and once its slot has begun: 409
    `task_not_acknowledged` before the acknowledgement, `task_not_open` once closed,
    `slot_not_started` before the slot."""
    if status == "assigned":
        raise Conflict("task_not_acknowledged", "acknowledge the task before closing it")
    if status != "acknowledged":
        raise Conflict("task_not_open", f"the task is {status}")
    if datetime.fromisoformat(starts_at) > now:
        raise Conflict("slot_not_started", f"the slot starts at {starts_at}")


def within_area(distance_m: float, radius_m: float) -> bool:
    """The close-out geofence: the fix lies within the area's radius of its centre. It is kept
    and shown, never a reason to refuse the close (a fix can be poor in a street canyon)."""
    return distance_m <= radius_m


def check_eligible(
    officer: str,
    *,
    agency: str,
    jurisdiction: str,
    qualifications: set[str] | frozenset[str],
    task_agency: str,
    task_jurisdiction: str,
    qualification: str | None,
) -> None:
    """A named officer may take a task when they serve its agency and jurisdiction and hold the
    area's qualification (if it names one): else 422 `officer_not_eligible`."""
    if agency != task_agency or jurisdiction != task_jurisdiction:
        raise Unprocessable("officer_not_eligible", f"{officer} serves another jurisdiction")
    if qualification and qualification not in qualifications:
        raise Unprocessable("officer_not_eligible", f"{officer} lacks {qualification}")


# ------------------------------------------------------------------ hazard reports


def hazard_queue_key(agency: str, status: str) -> str:
    """Hazard reports queue per agency and status: `<agency>#<status>`."""
    return f"{agency}#{status}"


def hazard_order(priority: int, reported_at: str) -> tuple[int, str]:
    """The command centre's queue order: priority first (accidents 1), then the oldest first."""
    return priority, reported_at
