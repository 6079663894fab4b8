"""`make bench SUITES=api`: the check-in API handler's own compute and its cold start.

1. Warm, in process: the events API Gateway sent for `POST /checkin/checks` (a self check-in)
   and `GET /checkin/checks/{id}` are handed to the handler again, `RUNS` times each, on the
   local stack. Each run's duration, the time inside AWS calls (`metering.Usage.timed`: botocore,
   the round trip to moto and moto's own work) and the handler's own compute, duration minus
   that, are printed as p50 / p95; and the CPU time of the handler's thread (moto answers in
   other threads), which includes botocore's serialising and parsing.
2. Cold start: a fresh interpreter imports the handler and answers its first request (the
   same POST) against the running stack; import, first request and the botocore clients it
   made are printed.

`python -m benchmarks.api --profile` prints cProfile's view of the warm POST instead (and
writes it to $PROFILE_OUT, checkin-api.prof in the temporary folder by default);
`--cold-profile` the first request of a fresh interpreter.

The crew member is the `make run` demo's, logged in again after his link (as every session
after the one he linked in is): his token names his crew record.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.checkin import percentile
from benchmarks.demo_session import steady_crew
from benchmarks.metering import AwsMeter

ROOT = Path(__file__).resolve().parents[1]
FUNCTION = "CheckinApiFunction"
RUNS = 60
WARMUP = 5
COLD_RUNS = 3
GPS = {"gps": {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}}


@dataclass(frozen=True)
class Run:
    duration_ms: float
    aws_ms: float
    cpu_ms: float
    calls: Counter[str]

    @property
    def own_ms(self) -> float:
        return self.duration_ms - self.aws_ms


def sent_event(stack: Any, request: Any) -> dict[str, Any]:
    """The event API Gateway sent the function for `request()`."""
    mark = len(stack.invocations)
    request()
    sent = [i for i in list(stack.invocations)[mark:] if i.function == FUNCTION]
    return dict(sent[-1].event)


def invoke(stack: Any, meter: AwsMeter, event: dict[str, Any], status: int) -> Run:
    with meter.measure() as usage:
        cpu = time.thread_time()
        start = time.perf_counter()
        result = stack.invoke(FUNCTION, event)  # in this thread, as the runtime calls it
        duration = time.perf_counter() - start
        cpu = time.thread_time() - cpu
    answer = json.loads(result.payload_json)
    assert answer.get("statusCode") == status, answer
    return Run(duration * 1000, usage.aws_seconds * 1000, cpu * 1000, usage.calls)


def warm_runs(stack: Any, meter: AwsMeter, event: dict[str, Any], status: int) -> list[Run]:
    for _ in range(WARMUP):
        invoke(stack, meter, event, status)
    return [invoke(stack, meter, event, status) for _ in range(RUNS)]


COLD_PROBE = """
import importlib.util, json, sys, time, types
import botocore.session
made = []
create = botocore.session.Session.create_client
def counted(self, name, *a, **k):
    made.append(name)
    return create(self, name, *a, **k)
botocore.session.Session.create_client = counted
path, event = sys.argv[1], json.loads(sys.stdin.read())
sys.path.insert(0, str(__import__("pathlib").Path(path).parent))
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported = time.perf_counter()
context = types.SimpleNamespace(
    function_name="CheckinApiFunction", memory_limit_in_mb=512, aws_request_id="cold",
    invoked_function_arn="arn:aws:lambda:cn-north-1:123456789012:function:checkin",
    get_remaining_time_in_millis=lambda: 30000)
import cProfile, os, pstats
profiler = cProfile.Profile() if os.environ.get("COLD_PROFILE") else None
profiler and profiler.enable()
answer = module.lambda_handler(event, context)
done = time.perf_counter()
if profiler:
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(70)
assert answer["statusCode"] == 201, answer
print(json.dumps({"import": imported - start, "first": done - imported, "clients": made}))
"""


def cold_starts(stack: Any, event: dict[str, Any], runs: int = COLD_RUNS) -> list[dict[str, Any]]:
    spec = stack.functions[FUNCTION]
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_PROBE, str(spec.source_file)],
            input=json.dumps(event),
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ),  # the stack's: endpoints, table names, credentials
        )
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if os.environ.get("COLD_PROFILE"):
            print(done.stderr)
    return out


def _line(name: str, values: list[float]) -> str:
    return (
        f"  {name:34s} p50 {percentile(values, 50):7.2f}   p95 {percentile(values, 95):7.2f}"
        f"   mean {statistics.fmean(values):7.2f}"
    )


def print_runs(title: str, runs: list[Run]) -> None:
    print(f"-- {title}: {len(runs)} warm runs (ms)")
    print(_line("duration", [r.duration_ms for r in runs]))
    print(_line("inside AWS calls", [r.aws_ms for r in runs]))
    print(_line("own compute (duration - AWS)", [r.own_ms for r in runs]))
    print(_line("CPU of the handler's thread", [r.cpu_ms for r in runs]))
    print(f"  AWS calls: {dict(sorted(runs[-1].calls.items()))} ({runs[-1].calls.total()})")


def profile(stack: Any, meter: AwsMeter, event: dict[str, Any]) -> None:
    for _ in range(WARMUP):
        invoke(stack, meter, event, 201)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(RUNS):
        stack.invoke(FUNCTION, event)
    profiler.disable()
    out = Path(os.environ.get("PROFILE_OUT") or Path(tempfile.gettempdir(), "checkin-api.prof"))
    profiler.dump_stats(out)
    print(f"(profile written to {out})")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    from infra.local.stack import LocalStack

    argv = sys.argv[1:] if argv is None else argv
    meter = AwsMeter()
    with LocalStack(parameters={"RemoteTaskPollSeconds": "1"}) as stack:
        crew, _ = steady_crew(stack)
        post = sent_event(stack, lambda: crew.post("/checkin/checks", GPS))
        started = crew.post("/checkin/checks", GPS)
        get = sent_event(stack, lambda: crew.get(f"/checkin/checks/{started['check_id']}"))
        if "--profile" in argv:
            profile(stack, meter, post)
            return 0
        if "--cold-profile" in argv:  # the first request of a fresh interpreter, profiled
            os.environ["COLD_PROFILE"] = "1"
            cold_starts(stack, post, runs=1)
            return 0
        print("== the check-in API handler in process, warm, on the local stack")
        print_runs("POST /checkin/checks", warm_runs(stack, meter, post, 201))
        print_runs("GET /checkin/checks/{id}", warm_runs(stack, meter, get, 200))
        print(f"== cold start: a fresh interpreter, import + first POST ({COLD_RUNS} runs)")
        for cold in cold_starts(stack, post):
            print(
                f"  import {cold['import'] * 1000:7.0f} ms   first request "
                f"{cold['first'] * 1000:6.0f} ms   botocore clients made: "
                f"{dict(Counter(cold['clients']))}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
