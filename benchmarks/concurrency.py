"""Concurrent audited writes over real HTTP against the local stack (part of `make bench`).

Two loads, each against a fresh stack:

1. **Many agencies**: 16 writers (four officers in each of four agencies), each creating
   vessels in its own jurisdiction one after another (`POST /checkin/vessels`, one audited
   write per request), all writers at once.
2. **One crew member**: 20 check-ins (`POST /checkin/checks`) of one crew member sent at the
   same moment, in several rounds; and the same number one at a time, for comparison.

For each: throughput (writes answered 2xx per second of wall time), p50 / p95 latency, the
answers by status (409 `audit_busy` counted apart), connection errors, and **lost writes**:
a write answered 2xx whose record later reads 404, or that has no audit entry. Then the audit
chains are verified. Latencies include moto's own work (one process, two cores).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
AGENCIES = ("msa-bench", "customs-bench", "traffic-bench", "coast-bench")
WRITERS_PER_AGENCY = 4
WRITES_PER_WRITER = 10
CHECKINS_AT_ONCE = 20
CHECKIN_ROUNDS = 3
GPS = {"gps": {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}}
TIMEOUT = 180


@dataclass
class Outcome:
    """Every answer of one load: latency, status and what the write created."""

    started: float = 0.0
    ended: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, status: str, created: str | None) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] += 1
            if created is not None:
                self.created.append(created)

    def figures(self) -> dict[str, Any]:
        wall = max(self.ended - self.started, 1e-9)
        ok = len(self.created)
        return {
            "requests": len(self.latencies_ms),
            "2xx": ok,
            "writes/s": ok / wall,
            "wall s": wall,
            "p50 ms": percentile(self.latencies_ms, 50),
            "p95 ms": percentile(self.latencies_ms, 95),
            "audit_busy": self.statuses.get("409 audit_busy", 0),
            "statuses": dict(sorted(self.statuses.items())),
        }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _timed_call(
    outcome: Outcome,
    session: requests.Session,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str],
    created_from: Callable[[dict[str, Any]], str],
) -> None:
    start = time.perf_counter()
    try:
        response = session.request(method, url, json=body, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        outcome.add((time.perf_counter() - start) * 1000, f"error {type(exc).__name__}", None)
        return
    ms = (time.perf_counter() - start) * 1000
    created: str | None = None
    status = str(response.status_code)
    if response.ok:
        created = created_from(response.json())
    else:
        try:
            status += f" {response.json().get('code')}"
        except ValueError:
            status += " (no JSON)"
    outcome.add(ms, status, created)


# ---------------------------------------------------------------------------------- audit


def audit_targets(stack: Any) -> Counter[str]:
    """How many audit entries name each target, read straight from the table (all chains)."""
    client = stack.boto3_client("dynamodb")
    table = stack.env["AUDIT_TABLE"]
    targets: Counter[str] = Counter()
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if int(item["seq"]["N"]) > 0 and "target" in item:
                targets[item["target"]["S"]] += 1
    return targets


def verify_audit() -> str:
    from enforcement import audit

    try:
        from enforcement.audit_checkpoints import verify_all
    except ImportError:  # the single chain of the first version
        single = audit.verify_chain()
        if single.ok:
            return f"intact: one chain, {single.entries} entries"
        return f"BROKEN at entry {single.first_broken_seq}: {single.reason}"
    report = verify_all(checkpoints=False)
    return f"{'intact' if report.ok else 'BROKEN'}: {report.summary()}"


# ---------------------------------------------------------------------------------- loads


@contextmanager
def fresh_stack(**options: Any) -> Iterator[Any]:
    """A local stack whose moto state is wiped when it stops (moto's backends live as long as
    the process, so the next load starts from nothing)."""
    from infra.local.stack import LocalStack

    # a stack name of its own: pynamodb models keep their endpoint while their table name stays
    options.setdefault("stack_name", f"bench-{secrets.token_hex(3)}")
    with LocalStack(**options) as stack:
        try:
            yield stack
        finally:
            requests.post(f"{stack.moto_url}/moto-api/reset", timeout=TIMEOUT)


def many_agencies() -> dict[str, Any]:
    from enforcement.auth import Role

    from tests.integration.client import officer_session

    with fresh_stack() as stack:
        api = stack.api_url
        tokens: list[tuple[str, str]] = []
        for agency in AGENCIES:
            jurisdiction = f"{agency}-harbour"
            for n in range(WRITERS_PER_AGENCY):
                client = officer_session(
                    api,
                    f"{agency}-w{n}-{secrets.token_hex(3)}",
                    role=Role.OFFICER,
                    agency=agency,
                    jurisdiction=jurisdiction,
                    name=f"writer {n}",
                )
                tokens.append((jurisdiction, str(client.token)))
        outcome = Outcome()
        barrier = threading.Barrier(len(tokens))
        base = 200_000_000 + secrets.randbelow(10_000) * 10_000

        def writer(index: int, jurisdiction: str, token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with requests.Session() as session:
                barrier.wait()
                for k in range(WRITES_PER_WRITER):
                    mmsi = str(base + index * 100 + k)
                    body = {
                        "mmsi": mmsi,
                        "name_zh": f"测试{mmsi}",
                        "home_port": "上海",
                        "jurisdiction": jurisdiction,
                        "length_m": 50,
                        "manning": [
                            {
                                "code": "master",
                                "title": "船长",
                                "certificate_type": "master",
                                "min_grade": "B",
                            }
                        ],
                    }
                    _timed_call(
                        outcome,
                        session,
                        "POST",
                        f"{api}/checkin/vessels",
                        body,
                        headers,
                        lambda answer: str(answer["vessel_id"]),
                    )

        outcome.started = time.perf_counter()
        with ThreadPoolExecutor(len(tokens)) as pool:
            for future in [pool.submit(writer, i, j, t) for i, (j, t) in enumerate(tokens)]:
                future.result()
        outcome.ended = time.perf_counter()
        by_jurisdiction = {j: t for j, t in tokens}
        lost_404 = 0
        with requests.Session() as session:
            for vessel_id in outcome.created:
                answers = [
                    session.get(
                        f"{api}/checkin/vessels/{vessel_id}",
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=TIMEOUT,
                    ).status_code
                    for token in by_jurisdiction.values()
                ]
                if 200 not in answers:
                    lost_404 += 1
        targets = audit_targets(stack)
        unaudited = sum(1 for v in outcome.created if targets[f"vessel:{v}"] == 0)
        figures = outcome.figures()
        figures["lost (2xx, later not found)"] = lost_404
        figures["lost (2xx, no audit entry)"] = unaudited
        figures["audit chains"] = verify_audit()
        return figures


def _crew_session(stack: Any) -> str:
    from benchmarks.demo_session import demo_crew

    crew, _ = demo_crew(stack)
    return str(crew.token)


def one_crew_member() -> dict[str, Any]:
    with fresh_stack() as stack:
        api = stack.api_url
        token = _crew_session(stack)
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{api}/checkin/checks"

        def check_id(answer: dict[str, Any]) -> str:
            return str(answer["check_id"])

        sequential = Outcome()
        sequential.started = time.perf_counter()
        with requests.Session() as session:
            for _ in range(CHECKINS_AT_ONCE):
                _timed_call(sequential, session, "POST", url, GPS, headers, check_id)
        sequential.ended = time.perf_counter()

        concurrent = Outcome()
        concurrent.started = time.perf_counter()
        for _ in range(CHECKIN_ROUNDS):
            barrier = threading.Barrier(CHECKINS_AT_ONCE)

            def one(barrier: threading.Barrier = barrier) -> None:
                with requests.Session() as session:
                    barrier.wait()
                    _timed_call(concurrent, session, "POST", url, GPS, headers, check_id)

            with ThreadPoolExecutor(CHECKINS_AT_ONCE) as pool:
                for future in [pool.submit(one) for _ in range(CHECKINS_AT_ONCE)]:
                    future.result()
        concurrent.ended = time.perf_counter()

        created = sequential.created + concurrent.created
        with requests.Session() as session:
            lost_404 = sum(
                1
                for c in created
                if session.get(f"{url}/{c}", headers=headers, timeout=TIMEOUT).status_code == 404
            )
        targets = audit_targets(stack)
        unaudited = sum(1 for c in created if targets[f"check:{c}"] == 0)
        return {
            "one at a time": sequential.figures(),
            f"{CHECKINS_AT_ONCE} at once": concurrent.figures(),
            "lost (2xx, later 404)": lost_404,
            "lost (2xx, no audit entry)": unaudited,
            "audit chains": verify_audit(),
        }


def _print(title: str, figures: dict[str, Any], indent: str = "  ") -> None:
    print(f"{indent}{title}")
    for name, value in figures.items():
        if isinstance(value, dict):
            _print(name, value, indent + "  ")
        elif isinstance(value, float):
            print(f"{indent}  {name:32s} {value:10.2f}")
        else:
            print(f"{indent}  {name:32s} {value}")


LOADS = {"agencies": many_agencies, "crew": one_crew_member}


def run_load(name: str) -> None:
    writers = len(AGENCIES) * WRITERS_PER_AGENCY
    title = {
        "agencies": f"== {writers} writers over {len(AGENCIES)} agencies, "
        f"{WRITES_PER_WRITER} vessels each (POST /checkin/vessels)",
        "crew": f"== check-ins of one crew member (POST /checkin/checks), {CHECKINS_AT_ONCE} "
        f"at once x {CHECKIN_ROUNDS} rounds",
    }[name]
    _print(title, LOADS[name](), "")


def main() -> int:
    """Each load in a fresh interpreter: moto's backends and the functions' caches are
    process-wide, so a second stack in one process would inherit the first one's."""
    status = 0
    for name in LOADS:
        status |= subprocess.run(
            [sys.executable, "-m", "benchmarks.concurrency", name], cwd=ROOT, check=False
        ).returncode
    return status


if __name__ == "__main__":
    run_load(sys.argv[1])
