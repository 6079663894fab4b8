"""A city's local time: what "today" means for a vehicle's inspection and insurance, a licence's
validity and points cycle, and the time of a violation written without an offset.

The traffic police's local time is the one the duty rota keeps (`Settings.duty_utc_offset`,
+08:00 by default): one setting for the traffic-police agency's jurisdictions, read here only.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

from enforcement import clock
from enforcement.config import settings


def utc_offset() -> timezone:
    """The cities' offset from UTC, from the setting (`+HH:MM` / `-HH:MM`, validated there)."""
    text = settings().duty_utc_offset
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def today() -> date:
    """Today in the cities' local time."""
    return clock.now().astimezone(utc_offset()).date()
