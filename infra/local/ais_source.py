"""A local AIS source: position files dropped into the bucket, as a real AIS provider delivers them.

Production receives AIS position reports as CSV files under `ais-feed/` of the upload bucket;
the S3 notification runs the AIS feed function (`functions/checkin/ais_feed.py`), which stores
each vessel's newest position. Locally nobody sends them, so a vessel's position goes stale
after `AIS_MAX_AGE_MINUTES` and every later check fails `vessel_position_stale`. This source
plays the provider for the vessels it tracks: `drop()` writes one file with a report of each,
stamped now, through the same bucket, notification and handler; `start(period)` does it
every `period` seconds in a daemon thread until `stop()` (what `make run` uses).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PREFIX = "ais-feed/"
HEADER = "mmsi,lat,lon,sog_knots,reported_at"
#: Seconds between two files when started: well inside the 30 minutes a position stays fresh.
DEFAULT_PERIOD_SECONDS = 60.0


@dataclass(frozen=True)
class Track:
    """Where a tracked vessel is reported (a vessel at anchor: the same place every time)."""

    mmsi: str
    lat: float
    lon: float
    sog_knots: float = 0.0


class AisSource:
    """Drops AIS files for the vessels it tracks into `bucket` with `s3` (a boto3 S3 client)."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._clock = clock
        self._tracks: dict[str, Track] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        #: Keys of the files dropped so far, oldest first.
        self.dropped: list[str] = []

    def track(self, track: Track) -> None:
        with self._lock:
            self._tracks[track.mmsi] = track

    def csv(self, at: datetime) -> str:
        """One file's text: a report of every tracked vessel at `at`."""
        with self._lock:
            tracks = list(self._tracks.values())
        stamp = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        rows = [f"{t.mmsi},{t.lat},{t.lon},{t.sog_knots},{stamp}" for t in tracks]
        return "\n".join([HEADER, *rows]) + "\n"

    def drop(self) -> str | None:
        """Write one file of reports stamped now (None when nothing is tracked); its key."""
        at = self._clock()
        text = self.csv(at)
        if text.count("\n") < 2:
            return None
        key = f"{PREFIX}local-{at.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}.csv"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=text.encode())
        self.dropped.append(key)
        return key

    # ------------------------------------------------------------------ running on its own
    def start(self, period: float = DEFAULT_PERIOD_SECONDS) -> None:
        """Drop a file now and then every `period` seconds, until `stop()`."""
        if self._thread is not None:
            raise RuntimeError("the AIS source is already started")
        self._stopped.clear()
        self._thread = threading.Thread(
            target=self._run, args=(period,), name="local-ais-source", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self, period: float) -> None:
        while True:
            try:
                self.drop()
            except Exception as exc:  # a failed file must not end the feed
                print(f"[ais] file not dropped: {exc}", flush=True)
            if self._stopped.wait(period):
                return
