"""A city's local time: what "today" means for a vehicle's inspection and insurance, a licence's
validity and points cycle, and the time of a violation written without an offset.

The deployment's one local time (`Settings.local_utc_offset`, +08:00 by default, read by
`enforcement.clock`), the same as the duty rota's days and a port's arrival days.
"""

from __future__ import annotations

from datetime import date, timezone

from enforcement import clock
from enforcement.config import settings


def utc_offset() -> timezone:
    """The cities' offset from UTC: the deployment's local time."""
    return clock.utc_offset(settings().local_utc_offset)


def today() -> date:
    """Today in the cities' local time."""
    return clock.local_date()
