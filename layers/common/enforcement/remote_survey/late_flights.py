"""The late-flight schedule (every 5 minutes): a flight nobody releases raises no alert at a
release, so this looks at the ports' flights of the day and alerts those whose clearance p90 so
far is past the target (`clearance.is_late`: the travellers still waiting count with the time
since on-block), once per flight, by the release path's own `clearance.alert_if_late`.

The flights of a port's day are one Query of the flights table by `port_day`, for the port's
local today and yesterday (a flight landing before midnight is still in process after it),
filtered to the flights not yet alerted. The ports are the registered jurisdictions (one Scan
of a table of one item per port or bureau); a jurisdiction with no flights costs an empty
Query (0.5 read units).
"""

from __future__ import annotations

import datetime as dt

from aws_lambda_powertools import Logger

from enforcement import clock, jurisdictions
from enforcement.config import settings
from enforcement.remote_survey import clearance
from enforcement.remote_survey.models import Flight, port_day

logger = Logger(child=True)


def days_in_process(now: dt.datetime) -> list[str]:
    """The local dates whose flights may still be in process at `now`: today and yesterday."""
    today = clock.local_date(now)
    return [today.isoformat(), (today - dt.timedelta(days=1)).isoformat()]


def sweep(now: dt.datetime | None = None) -> list[str]:
    """Alert every late flight of every port not yet alerted; the flights alerted now
    (`<port>#<date>#<flight number>`). A flight alerted meanwhile by a release is skipped by
    the alert's own condition."""
    moment = now or clock.now()
    at = clock.iso(moment)
    target = settings().clearance_p90_target_minutes
    alerted: list[str] = []
    for port in jurisdictions.registered():
        for day in days_in_process(moment):
            key = port_day(port.jurisdiction, day)
            query = Flight.query(key, filter_condition=Flight.alerted_at.does_not_exist())
            for flight in query:
                if not clearance.is_late(flight, target, at):
                    continue
                if clearance.alert_if_late(key, flight.flight_number, at):
                    alerted.append(f"{key}#{flight.flight_number}")
    logger.info("late flights", extra={"alerted": alerted})
    return alerted
