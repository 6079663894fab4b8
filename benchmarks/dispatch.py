"""Benchmarks of the random dispatch draw (part of `make bench`).

A draw over 100k targets and 1k inspectors (four risk levels of the shipped ship model, three
target kinds, four jurisdictions, 2,000 declared conflicts, teams of two), then its verification:
each must take at most 1 s on one core. The figures go into docs/benchmarks.md.

- freeze: the snapshot's canonical JSON and its hash;
- draw: hash, seed, tickets, selection and team assignment (`draw.publish`);
- verify: everything `draw.verify` does on the published document and its snapshot (the
  snapshot's layout checked first);
- anchored: `anchors.verify`, what the public verification does: the documents held to the draw
  page's values (one more result hash), then `draw.verify`;
- parse: reading the snapshot file back with `risk.strict_loads` (what a verifier does first);
- memory: Python heap peak (tracemalloc) of a draw and of a verification, and process RSS;
- metered: one draw end to end on the local stack (request, each step of the state machine,
  the result), its AWS calls and units by step and its dollars per million (`benchmarks.paths`).
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from enforcement.dispatch import anchors, draw, risk

from tests import synthetic

TARGETS = 100_000
INSPECTORS = 1_000
CONFLICTS = 2_000
RUNS = 5
BUDGET_SECONDS = 1.0
SECRET = "5eed" * 16


def _timed(action: Callable[[], Any], runs: int = RUNS) -> tuple[float, float, Any]:
    times = []
    value: Any = None
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - began)
    return statistics.median(times), max(times), value


def _peak_mib(action: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    model = risk.parse_model(risk.ship_model_document())
    began = time.perf_counter()
    snapshot = synthetic.population(
        model, targets=TARGETS, inspectors=INSPECTORS, conflicts=CONFLICTS, salt="bench"
    )
    print(
        f"population: {TARGETS:,} targets x {INSPECTORS:,} inspectors, {CONFLICTS:,} conflicts "
        f"(built in {time.perf_counter() - began:.2f} s)"
    )
    size = len(risk.canonical_bytes(snapshot, check=False))
    freeze_median, freeze_max, _ = _timed(lambda: draw.snapshot_hash(snapshot))
    draw_median, draw_max, published = _timed(lambda: draw.publish(snapshot, SECRET))
    verify_median, verify_max, differences = _timed(lambda: draw.verify(published, snapshot))
    page = anchors.Anchors(
        draw_id=snapshot["draw_id"],
        status="published",
        snapshot_hash=published["snapshot_hash"],
        commitment=published["commitment"],
        committed_at=snapshot["frozen_at"],
        reveal_wait_seconds=snapshot.get("reveal_wait_seconds"),
        secret=SECRET,
        seed=published["seed"],
        result_hash=published["result_hash"],
    )
    anchored_median, anchored_max, report = _timed(
        lambda: anchors.verify(published, snapshot, page)
    )
    assert report.identical, report.differences
    text = risk.canonical_bytes(snapshot, check=False)
    parse_median, _, _ = _timed(lambda: risk.strict_loads(text), runs=3)
    assert differences == [], differences
    selected, unstaffed = len(published["selected"]), len(published["unstaffed"])
    draw_peak = _peak_mib(lambda: draw.publish(snapshot, SECRET))
    verify_peak = _peak_mib(lambda: draw.verify(published, snapshot))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"snapshot: {size / 2**20:.1f} MiB canonical JSON")
    print(f"selected {selected:,} targets, {unstaffed} unstaffed; levels {published['population']}")
    print(f"{'step':<8} {'median':>8} {'max':>8}   (of {RUNS} runs)")
    for name, median, worst in (
        ("freeze", freeze_median, freeze_max),
        ("draw", draw_median, draw_max),
        ("verify", verify_median, verify_max),
        ("anchored", anchored_median, anchored_max),
    ):
        print(f"{name:<8} {median:>7.3f}s {worst:>7.3f}s")
    print(f"parse    {parse_median:>7.3f}s            (snapshot file -> document)")
    print(
        f"memory: draw heap peak {draw_peak:.0f} MiB, verify heap peak {verify_peak:.0f} MiB, "
        f"process max RSS {rss:.0f} MiB"
    )
    ok = max(draw_max, verify_max, anchored_max) <= BUDGET_SECONDS
    print(
        f"budget {BUDGET_SECONDS:.0f} s each for draw, verify and anchored: "
        f"{'met' if ok else 'MISSED'}"
    )
    metered()
    return 0 if ok else 1


#: The metered draw's population: very high risk ships (all drawn), inspectors on duty.
METERED_TARGETS = 20
METERED_INSPECTORS = 10


def metered() -> None:
    from benchmarks import paths
    from benchmarks.metering import AwsMeter
    from infra.local.stack import LocalStack

    print(
        f"\n== a draw end to end on the local stack, metered ({METERED_TARGETS} ships, "
        f"{METERED_INSPECTORS} inspectors, teams of 2; the second draw, warm)"
    )
    meter = AwsMeter()
    with LocalStack() as stack:
        admin, model_id = paths.draw_population(stack, METERED_TARGETS, METERED_INSPECTORS)
        paths.draw_end_to_end(stack, meter, admin, model_id)  # cold starts, not shown
        paths.show(paths.draw_end_to_end(stack, meter, admin, model_id))


if __name__ == "__main__":
    raise SystemExit(main())
