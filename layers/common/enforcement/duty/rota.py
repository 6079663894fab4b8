"""The daily duty rota: patrol slots of the day → officers on duty, balanced, random among equals.

Pure and deterministic (no AWS, no clock, no `random`): the same rota document gives the same
tasks on any machine, so a dispatch can be re-run from its stored document and checked.

1. **Slots.** Each patrol area has time slots in local time (`HH:MM` to `HH:MM`, an end before the
   start runs past midnight) and the number of officers each slot needs. A slot of the day
   becomes one task per officer needed; task ids are `<date>.<HHMM>.<area id>.<n>`.
2. **Officers.** Everyone on duty in the agency at dispatch time, with their jurisdiction,
   qualifications and the minutes of duty tasks they were given in the days before (the week's
   load, for fairness across days).
3. **Order.** Tasks are staffed by start time, then area id, then n.
4. **Choice.** A task goes to an officer of the area's jurisdiction, holding the area's
   qualification (if it names one), not already on a task whose time overlaps, and whose minutes
   today stay within `max_minutes_per_day`. Among those, the least minutes today, then the least
   minutes in the days before; remaining ties are broken by the first 8 bytes of
   `SHA-256(seed ‖ "D" ‖ minutes today as 4 bytes ‖ officer id)`, the smallest first (then the
   id). A task without an eligible officer is `unstaffed` (the command centre sees it and
   reassigns by hand).

Balance bound: within one group of interchangeable officers (same jurisdiction and
qualifications, no overlap in the way), the minutes given today differ by at most the longest
slot, because each task goes to someone with the least minutes.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from enforcement.documents import canonical_bytes

ROTA_FORMAT = "duty-rota/1"
DAY_MINUTES = 24 * 60
TIEBREAK_TAG = b"D"


class RotaError(ValueError):
    """A rota document that cannot be dispatched (bad time, duplicate ids)."""


@dataclass(frozen=True)
class Slot:
    """A patrol slot of one area on the day, in minutes from the day's local midnight."""

    area_id: str
    jurisdiction: str
    qualification: str | None
    start: int
    end: int  # > start; past 1440 when the slot runs past midnight
    officers: int

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def task_id(self, day: str, n: int) -> str:
        return f"{day}.{self.start // 60:02d}{self.start % 60:02d}.{self.area_id}.{n}"


@dataclass(frozen=True)
class Officer:
    account_id: str
    jurisdiction: str
    qualifications: frozenset[str]
    recent_minutes: int = 0


@dataclass(frozen=True)
class Placement:
    """One task of the day: a slot's n-th officer, or unstaffed (`officer_id` None)."""

    task_id: str
    area_id: str
    start: int
    end: int
    officer_id: str | None


def minutes_of(text: str) -> int:
    """`HH:MM` → minutes from midnight (00:00 to 23:59)."""
    try:
        hours, minutes = text.split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError as exc:
        raise RotaError(f"time {text!r} is not HH:MM") from exc
    well_formed = len(hours) == 2 and len(minutes) == 2 and 0 <= int(minutes) < 60
    if not well_formed or not 0 <= value < DAY_MINUTES:
        raise RotaError(f"time {text!r} is not HH:MM")
    return value


def slot_span(start: str, end: str) -> tuple[int, int]:
    """Start and end minutes of a slot; an end at or before the start runs past midnight."""
    first, last = minutes_of(start), minutes_of(end)
    if last <= first:
        last += DAY_MINUTES
    return first, last


def weekday(day: str) -> int:
    """ISO weekday of a `YYYY-MM-DD` date: Monday 1 … Sunday 7."""
    try:
        return date.fromisoformat(day).isoweekday()
    except ValueError as exc:
        raise RotaError(f"date {day!r} is not YYYY-MM-DD") from exc


def tiebreak(seed: bytes, minutes: int, officer_id: str) -> int:
    """The seeded order among officers with the same minutes today and the same recent load."""
    digest = hashlib.sha256(
        seed + TIEBREAK_TAG + minutes.to_bytes(4, "big") + officer_id.encode()
    ).digest()
    return int.from_bytes(digest[:8], "big")


def document_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the rota document's canonical JSON (sorted keys, no spaces, ASCII)."""
    return hashlib.sha256(canonical_bytes(dict(document), check=False)).hexdigest()


def dispatch(
    day: str,
    slots: Sequence[Slot],
    officers: Sequence[Officer],
    seed_hex: str,
    max_minutes_per_day: int,
) -> list[Placement]:
    """The day's tasks, each with its officer (or unstaffed), in staffing order.

    Rule 4 applied task after task; each (jurisdiction, qualification) group keeps its officers
    in a heap ordered by the rule's key, so a task costs a few heap operations instead of a pass
    over the group (`choose` is the same rule as a plain scan; the tests hold the two equal).
    """
    seed = bytes.fromhex(seed_hex)
    ids = [o.account_id for o in officers]
    if len(set(ids)) != len(ids):
        raise RotaError("an officer is listed twice")
    starts = [(s.area_id, s.start) for s in slots]
    if len(set(starts)) != len(starts):
        raise RotaError("an area has two slots starting at the same time")
    by_jurisdiction: dict[str, list[Officer]] = defaultdict(list)
    for officer in officers:
        by_jurisdiction[officer.jurisdiction].append(officer)
    recent = {o.account_id: o.recent_minutes for o in officers}
    today: dict[str, int] = defaultdict(int)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    heaps: dict[tuple[str, str | None], list[tuple[int, int, int, str]]] = {}
    member_of: dict[str, list[list[tuple[int, int, int, str]]]] = defaultdict(list)

    def heap(jurisdiction: str, qualification: str | None) -> list[tuple[int, int, int, str]]:
        group = heaps.get((jurisdiction, qualification))
        if group is None:
            members = [
                o
                for o in by_jurisdiction.get(jurisdiction, [])
                if not qualification or qualification in o.qualifications
            ]
            group = [rank(o.account_id, today[o.account_id], recent, seed) for o in members]
            heapq.heapify(group)
            heaps[(jurisdiction, qualification)] = group
            for o in members:
                member_of[o.account_id].append(group)
        return group

    placements: list[Placement] = []
    for slot in sorted(slots, key=lambda s: (s.start, s.area_id)):
        group = heap(slot.jurisdiction, slot.qualification)
        for n in range(1, slot.officers + 1):
            chosen: str | None = None
            set_aside: list[tuple[int, int, int, str]] = []
            while group:
                entry = heapq.heappop(group)
                candidate = entry[3]
                if entry[0] != today[candidate]:
                    continue  # stale: the officer's current entry is further down
                set_aside.append(entry)
                if free(candidate, slot, today, busy, max_minutes_per_day):
                    chosen = candidate
                    set_aside.pop()
                    break
            for entry in set_aside:
                heapq.heappush(group, entry)
            if chosen is not None:
                today[chosen] += slot.minutes
                busy[chosen].append((slot.start, slot.end))
                fresh = rank(chosen, today[chosen], recent, seed)
                for other in member_of[chosen]:
                    heapq.heappush(other, fresh)
            placements.append(
                Placement(slot.task_id(day, n), slot.area_id, slot.start, slot.end, chosen)
            )
    return placements


def rank(
    officer_id: str, minutes: int, recent: Mapping[str, int], seed: bytes
) -> tuple[int, int, int, str]:
    """Rule 4's order: least minutes today, least recent minutes, then the seeded tie-break."""
    return (minutes, recent.get(officer_id, 0), tiebreak(seed, minutes, officer_id), officer_id)


def free(
    officer_id: str,
    slot: Slot,
    today: Mapping[str, int],
    busy: Mapping[str, list[tuple[int, int]]],
    max_minutes_per_day: int,
) -> bool:
    """Whether the officer can take the slot: within the day's minutes and not on a task then."""
    if today.get(officer_id, 0) + slot.minutes > max_minutes_per_day:
        return False
    return not any(s < slot.end and slot.start < e for s, e in busy.get(officer_id, ()))


def choose(
    slot: Slot,
    candidates: Iterable[Officer],
    today: Mapping[str, int],
    busy: Mapping[str, list[tuple[int, int]]],
    seed: bytes,
    max_minutes_per_day: int,
) -> str | None:
    """The officer rule 4 gives a task of `slot` among `candidates` (of its jurisdiction), given
    the minutes and busy times handed out so far; None when nobody can take it."""
    recent = {o.account_id: o.recent_minutes for o in candidates}
    eligible = [
        rank(o.account_id, today.get(o.account_id, 0), recent, seed)
        for o in candidates
        if (not slot.qualification or slot.qualification in o.qualifications)
        and free(o.account_id, slot, today, busy, max_minutes_per_day)
    ]
    return min(eligible)[3] if eligible else None


def from_document(document: Mapping[str, Any]) -> list[Placement]:
    """Re-run a stored rota document (see `enforcement.duty.days.build_document`)."""
    if document.get("format") != ROTA_FORMAT:
        raise RotaError(f"not a {ROTA_FORMAT} document")
    slots = [
        Slot(
            area_id=str(s["area_id"]),
            jurisdiction=str(s["jurisdiction"]),
            qualification=s.get("qualification") or None,
            start=int(s["start"]),
            end=int(s["end"]),
            officers=int(s["officers"]),
        )
        for s in document["slots"]
    ]
    officers = [
        Officer(
            account_id=str(o["account_id"]),
            jurisdiction=str(o["jurisdiction"]),
            qualifications=frozenset(o.get("qualifications") or ()),
            recent_minutes=int(o.get("recent_minutes") or 0),
        )
        for o in document["officers"]
    ]
    return dispatch(
        str(document["date"]),
        slots,
        officers,
        str(document["seed"]),
        int(document["max_minutes_per_day"]),
    )
