"""AIS position feed: files of position reports dropped into the bucket under `ais-feed/`.

A file is CSV with a header: mmsi,lat,lon,sog_knots,reported_at (ISO 8601). Rows that do not
parse or carry an absurd time (ahead of the clock, older than a day), name an unknown vessel, or
are older than the stored position are counted and skipped; one bad row never stops the rest.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from enforcement import clock
from enforcement.checkin import rules, vessels


@dataclass
class FeedResult:
    stored: int = 0
    skipped_older_or_unknown: int = 0
    invalid: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "skipped_older_or_unknown": self.skipped_older_or_unknown,
            "invalid_rows": self.invalid[:50],
        }


def parse_row(row: dict[str, str]) -> tuple[str, float, float, float, datetime]:
    mmsi = row["mmsi"].strip()
    if not (mmsi.isdigit() and len(mmsi) == 9):
        raise ValueError("mmsi")
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("coordinates")
    sog = float(row.get("sog_knots") or 0)
    at = datetime.fromisoformat(row["reported_at"].strip().replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return mmsi, lat, lon, sog, at


def ingest(text: str, source: str = "ais-feed") -> FeedResult:
    result = FeedResult()
    now = clock.now()
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            mmsi, lat, lon, sog, at = parse_row(row)
        except (KeyError, ValueError, TypeError, AttributeError):
            result.invalid.append(number)
            continue
        if rules.position_report_problem(at, now, None):  # from the future or absurdly old
            result.invalid.append(number)
            continue
        if vessels.set_position(mmsi, lat, lon, sog, at, source):
            result.stored += 1
        else:
            result.skipped_older_or_unknown += 1
    return result
