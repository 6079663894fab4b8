"""The local AIS source: the files it drops, and its timer, with a recording S3 client."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime
from typing import Any

from enforcement.checkin.ais import parse_row

from infra.local.ais_source import PREFIX, AisSource, Track
from infra.local.stack import wait_for


class RecordingS3:
    def __init__(self) -> None:
        self.puts: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def put_object(self, **kwargs: Any) -> None:
        with self._lock:
            self.puts.append(kwargs)


AT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def test_a_file_reports_every_tracked_vessel_at_the_time_in_the_feeds_format() -> None:
    s3 = RecordingS3()
    source = AisSource(s3, "bucket", clock=lambda: AT)
    assert source.drop() is None  # nothing tracked, nothing dropped
    source.track(Track("413000001", 31.3901, 121.5012))
    source.track(Track("413000002", 30.0, 122.0, 11.5))
    key = source.drop()
    assert key is not None
    assert key.startswith(PREFIX)
    assert [put["Key"] for put in s3.puts] == [key]
    assert s3.puts[0]["Bucket"] == "bucket"
    rows = list(csv.DictReader(io.StringIO(s3.puts[0]["Body"].decode())))
    parsed = [parse_row(row) for row in rows]  # what the feed function reads
    assert parsed == [
        ("413000001", 31.3901, 121.5012, 0.0, AT),
        ("413000002", 30.0, 122.0, 11.5, AT),
    ]


def test_started_it_keeps_dropping_files_until_stopped() -> None:
    s3 = RecordingS3()
    source = AisSource(s3, "bucket")
    source.track(Track("413000001", 31.3901, 121.5012))
    source.start(period=0.01)
    try:
        wait_for(lambda: len(source.dropped) >= 3)
    finally:
        source.stop()
    count = len(s3.puts)
    assert count >= 3
    assert len(set(source.dropped)) == len(source.dropped)  # a new file each time
    source.drop()
    assert len(s3.puts) == count + 1  # stopped: only the explicit drop added one
