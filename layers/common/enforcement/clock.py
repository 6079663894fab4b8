"""Server time: nothing typed that a system knows. One place to read it, so tests can see it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from enforcement.config import settings


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    return (moment or now()).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=8)
def utc_offset(text: str) -> timezone:
    """A local time zone from `±HH:MM` (China keeps no summer time: a fixed offset is exact)."""
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", text)
    if not match:
        raise ValueError(f"UTC offset {text!r} is not ±HH:MM")
    minutes = int(match[2]) * 60 + int(match[3])
    return timezone(timedelta(minutes=-minutes if match[1] == "-" else minutes))


def local_zone() -> timezone:
    """The deployment's jurisdictions' time zone (`Settings.local_utc_offset`): a time written
    without an offset (a registry's violation) is read in it."""
    return utc_offset(settings().local_utc_offset)


def local_date(moment: datetime | None = None) -> date:
    """The calendar day of the deployment's jurisdictions at `moment` (now by default), in
    `Settings.local_utc_offset`: the duty rota's days, a port's arrival days, what `today()`
    means in a form, the date a travel document's expiry is judged on, a city's "today" for a
    vehicle's papers and a licence."""
    return (moment or now()).astimezone(local_zone()).date()
