"""Benchmarks of traffic duty tasks and evidence photos (part of `make bench`).

- rota: `rota.dispatch` for a city's day at three sizes (officers on duty; patrol areas with four
  slots a day, two of them needing two officers, all within one of eight jurisdictions). The
  scheduled dispatch runs it once a day per agency in a Lambda with a 300 s timeout.
- day on the local stack: the scheduled dispatch of a day end to end (build the rota document
  from DynamoDB, store it in S3, audit, write the tasks, one inbox note per officer), for 200
  officers and 100 areas, then an officer reading their day and the command centre's board;
  each metered (AWS calls, DynamoDB units, dollars per million: `benchmarks.paths`); moto's
  in-process DynamoDB is included in the times.
- evidence: `evidence.check_image` on a 480 px, a 1080 px and a 12 MP JPEG (what the evidence
  function does to every photo besides hashing it).
"""

from __future__ import annotations

import hashlib
import io
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

from enforcement.duty import rota

DAY = "2026-11-23"
SLOTS = (("07:00", "09:00", 2), ("09:00", "12:00", 1), ("14:00", "17:00", 1), ("17:00", "19:00", 2))
SIZES = ((200, 100), (1_000, 500), (5_000, 2_500))  # officers, areas
JURISDICTIONS = 8


def _timed(action: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times, value = [], None
    for _ in range(runs):
        began = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - began)
    return statistics.median(times), max(times), value


def _city(officers: int, areas: int) -> tuple[list[rota.Slot], list[rota.Officer]]:
    slots = []
    for a in range(areas):
        jurisdiction = f"j{a % JURISDICTIONS}"
        for start, end, need in SLOTS:
            first, last = rota.slot_span(start, end)
            slots.append(rota.Slot(f"area-{a:05d}", jurisdiction, "patrol", first, last, need))
    staff = [
        rota.Officer(
            f"off-{n:05d}",
            f"j{n % JURISDICTIONS}",
            frozenset({"patrol"}),
            int.from_bytes(hashlib.sha256(str(n).encode()).digest()[:2], "big") % 2400,
        )
        for n in range(officers)
    ]
    return slots, staff


def bench_rota() -> None:
    print("rota.dispatch (one core)")
    for officers, areas in SIZES:
        slots, staff = _city(officers, areas)
        seed = secrets.token_hex(32)
        median, worst, placements = _timed(
            lambda s=slots, o=staff, k=seed: rota.dispatch(DAY, s, o, k, 600), runs=3
        )
        unstaffed = sum(1 for p in placements if p.officer_id is None)
        minutes = {o.account_id: 0 for o in staff}
        for p in placements:
            if p.officer_id:
                minutes[p.officer_id] += p.end - p.start
        spread = max(
            max(v for k, v in minutes.items() if int(k[4:]) % JURISDICTIONS == j)
            - min(v for k, v in minutes.items() if int(k[4:]) % JURISDICTIONS == j)
            for j in range(JURISDICTIONS)
        )
        print(
            f"  {officers:>5} officers, {len(placements):>5} tasks: median {median * 1000:7.1f} ms,"
            f" worst {worst * 1000:7.1f} ms; unstaffed {unstaffed}; largest spread of minutes"
            f" within a jurisdiction {spread} (longest slot 180)"
        )


def bench_day_on_stack() -> None:
    from benchmarks import paths
    from benchmarks.metering import AwsMeter
    from infra.local.stack import LocalStack

    print("a day on the local stack (200 officers, 100 areas of 3 slots, 400 tasks), metered")
    with LocalStack(quiet=True) as stack:
        for figures in paths.duty_day(stack, AwsMeter(), 200, 100, SLOTS[:3]):
            paths.show(figures)


def bench_evidence() -> None:
    from enforcement import evidence
    from PIL import Image

    print("evidence.check_image (decode to prove the photo complete)")
    for width, height in ((640, 480), (1920, 1080), (4000, 3000)):
        pixels = Image.radial_gradient("L").resize((width, height)).convert("RGB")
        out = io.BytesIO()
        pixels.save(out, "JPEG", quality=90)
        data = out.getvalue()
        median, worst, _ = _timed(lambda d=data: evidence.check_image(d, 20 << 20), runs=7)
        print(
            f"  {width}x{height} ({len(data) // 1024} KiB): median {median * 1000:6.1f} ms,"
            f" worst {worst * 1000:6.1f} ms"
        )


def main() -> int:
    bench_rota()
    bench_evidence()
    bench_day_on_stack()
    return 0
