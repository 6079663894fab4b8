"""Benchmarks of clearance in the remote survey (part of `make bench`; `python -m benchmarks
survey_board`).

- the figures of a flight, pure (`rules.flight_figures` over its clearance times), CPU time by
  `time.process_time` for a day of 230 flights of 80 travellers;
- on the local stack, metered (`benchmarks.paths`): the day board of a port with 230 flights
  (ten times the seed's 23), each of 80 passengers with 76 released and 3 held, read by an
  officer over HTTP; and one release (an officer's disposition) of a traveller of such a
  flight, and one referral. AWS calls and DynamoDB units are what AWS would bill; the
  durations are the local stack's (moto in the same process, the machine shared) and bound
  Lambda's from above.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from datetime import timedelta
from typing import Any

from enforcement import clock
from enforcement.remote_survey import rules

DAY = "2026-12-01"
FLIGHTS = 230
PASSENGERS = 80
RELEASED = 76
HELD = 3


def _times(rng: random.Random, count: int) -> list[int]:
    """Clearance times as a port sees them: most within 10-40 min, a tail to 90 min."""
    return sorted(int(rng.lognormvariate(7.2, 0.45)) for _ in range(count))


def bench_figures() -> None:
    rng = random.Random(12)
    flights = [_times(rng, RELEASED) for _ in range(FLIGHTS)]
    runs = 20
    began = time.process_time()
    for _ in range(runs):
        for seconds in flights:
            rules.flight_figures(PASSENGERS, PASSENGERS - 1, RELEASED, HELD, seconds)
            rules.p90_breached(seconds, 30)
    spent = (time.process_time() - began) / runs
    print(
        f"figures of a day's {FLIGHTS} flights x {RELEASED} releases (pure, one core): "
        f"{spent * 1000:.2f} ms CPU per board"
    )


def _flight(port: str, agency: str, number: str, on_block: str, clearance: list[int]) -> Any:
    """A flight of the board's day: on block at `on_block`, all but one declared, RELEASED
    released in `clearance` seconds each, HELD held."""
    from enforcement.remote_survey.models import Flight, port_day

    return Flight(
        port_day(port, DAY),
        number,
        port=port,
        agency=agency,
        arrival_date=DAY,
        origin="JPN",
        departure_airport="NRT",
        scheduled_on_block=on_block,
        actual_on_block=on_block,
        passengers=PASSENGERS,
        declared=PASSENGERS - 1,
        released=RELEASED,
        held=HELD,
        clearance_seconds=clearance,
    )


def _seed_day(port: str, agency: str) -> None:
    from enforcement.remote_survey.models import Flight

    rng = random.Random(7)
    start = clock.now() - timedelta(hours=20)
    with Flight.batch_write() as batch:
        for n in range(FLIGHTS):
            on_block = clock.iso(start + timedelta(minutes=5 * n))
            batch.save(_flight(port, agency, f"MU{n:04d}", on_block, _times(rng, RELEASED)))


def _quick_flight(port: str, agency: str, number: str) -> None:
    """A flight on block 10 minutes ago whose 76 releases took 4-9 minutes: within target."""
    on_block = clock.iso(clock.now() - timedelta(minutes=10))
    _flight(port, agency, number, on_block, [240 + 4 * n for n in range(RELEASED)]).save()


def _own_ms(figures: Any) -> str:
    """The handler's own time: its duration minus the time inside AWS calls (moto's work,
    in this process, and the meter's own reads)."""
    duration = sum(run.duration_ms for run in figures.runs)
    return f"{duration - figures.usage.aws_seconds * 1000:.0f} ms"


def _declaration(port: str, agency: str, flight_number: str, outcome: str) -> str:
    from tests.survey_records import write_declaration

    declaration = write_declaration(
        port,
        agency,
        flight_number,
        DAY,
        owner="acc-bench",
        answers={"symptoms": ["none"], "temperature": "36.6"},
        outcome=outcome,
        scanned_by="officer",
        rule_version="bench",
    )
    return str(declaration.declaration_id)


def bench_on_stack() -> None:
    from enforcement.auth import Role

    from benchmarks import paths
    from benchmarks.metering import AwsMeter
    from infra.local.stack import LocalStack
    from tests.integration.client import officer_session

    sfx = secrets.token_hex(3)
    agency, port = f"customs-{sfx}", f"pvg-{sfx}"
    meter = AwsMeter()
    with LocalStack(quiet=True) as stack:
        officer = officer_session(
            stack.api_url,
            f"board{sfx}",
            role=Role.OFFICER,
            agency=agency,
            jurisdiction=port,
            name="board",
        )
        _seed_day(port, agency)
        functions = ("RemoteSurveyApiFunction",)
        officer.get(f"/remote-survey/boards/{DAY}")  # a warm function
        walls = []
        for _ in range(3):
            began = time.perf_counter()
            board = officer.get(f"/remote-survey/boards/{DAY}")
            walls.append(time.perf_counter() - began)
        assert len(board["flights"]) == FLIGHTS
        mark = len(stack.invocations)
        with meter.measure() as usage, paths.invocations_as_parts(stack, meter, functions):
            board = officer.get(f"/remote-survey/boards/{DAY}")
        size = sum(len(str(f)) for f in board["flights"])
        figures = paths.priced(
            f"the day board of {FLIGHTS} flights (answer ~{size // 1024} KiB)",
            stack,
            usage,
            paths._new_of(stack, mark, "RemoteSurveyApiFunction", bool),
        )
        paths.show(figures)
        print(
            f"   handler's own time (duration - time inside AWS calls): {_own_ms(figures)}; "
            f"over HTTP, warm: median {statistics.median(walls) * 1000:.0f} ms, worst "
            f"{max(walls) * 1000:.0f} ms of {len(walls)} (moto's Query answer dominates)"
        )
        _quick_flight(port, agency, "MU9999")
        for name, disposition, outcome, flight in (
            ("released within target", "released", "release", "MU9999"),
            ("released past target: the alert", "released", "release", "MU0100"),
            ("referred", "referred", "onsite_referral", "MU0100"),
        ):
            declaration_id = _declaration(port, agency, flight, outcome)
            mark = len(stack.invocations)
            with meter.measure() as usage, paths.invocations_as_parts(stack, meter, functions):
                officer.post(
                    f"/remote-survey/declarations/{declaration_id}/clearance",
                    {"disposition": disposition},
                    expect=200,
                )
            figures = paths.priced(
                f"one disposition, {name} (a flight of {RELEASED} releases)",
                stack,
                usage,
                paths._new_of(stack, mark, "RemoteSurveyApiFunction", bool),
            )
            paths.show(figures)
            print(f"   handler's own time: {_own_ms(figures)}")


def main() -> int:
    bench_figures()
    bench_on_stack()
    return 0
