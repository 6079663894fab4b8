"""`make bench SUITES=cost`: what a verified self check-in costs, in AWS calls, capacity
units and dollars per million, for a new crew member and for one with a long photo history.

Drives the path on the local stack (API call, presigned upload, S3 event, face function,
decision, one GET of the result, as the mini-program does) and meters it: AWS calls and
DynamoDB units (`benchmarks.metering`), Lambda invocations with their memory from template.yaml
and measured durations, API Gateway requests, the client's S3 upload. Prices come from
`benchmarks.prices` (region and date stated there); the arithmetic is `benchmarks.costing`.

Lambda durations are printed twice: measured on the local stack (moto in the same process, so
they bound Lambda's from above) and modelled (the handler's own compute plus a stated latency per
AWS call, `benchmarks.latencies`); the calls and units are what AWS would bill. The crew member
is logged in after his link, as in every later session (`demo_session.steady_crew`).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from typing import Any

import numpy as np

from benchmarks import costing, latencies, prices
from benchmarks.checkin import capture, enrol_reference
from benchmarks.metering import AwsMeter, Usage

#: Measured check-ins per case (each with a new photograph; their median is printed).
RUNS = 3
#: Photos in the long history (the history's limit, `PhotoHistory.LIMIT`).
LONG_HISTORY = 200
GPS = {"gps": {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}}


def _history(stack: Any, crew_id: str) -> tuple[Any, str, str]:
    """The DynamoDB client, the used-photo table and the crew member's history key."""
    return (
        stack.boto3_client("dynamodb"),
        stack.resources["UsedPhotosTable"],
        f"used#crew#{crew_id}",
    )


def history_length(stack: Any, crew_id: str) -> int:
    client, table, history = _history(stack, crew_id)
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="history = :h",
        ExpressionAttributeValues={":h": {"S": history}},
        Select="COUNT",
    )
    return sum(page["Count"] for page in pages)


def seed_history(stack: Any, crew_id: str, photos: int) -> None:
    """Fill the crew member's used-photo history up to `photos` entries, as the code stores it
    (one item per photo: time used and digest in the key, template 512 B, signature 256 B,
    pixels' digest, expiry), with made-up photos of other faces (far from his: every one in
    the replay ACCEPT zone) used before his own, within the history's life."""
    client, table, history = _history(stack, crew_id)
    extra = max(0, photos - history_length(stack, crew_id))
    rng = np.random.default_rng(0)
    now = time.time()
    for n in range(extra):
        used = now - 86_400 * 30 + n  # a month ago, oldest first
        used_at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(used))
        digest = hashlib.sha256(f"seed-{n}".encode()).hexdigest()
        client.put_item(
            TableName=table,
            Item={
                "history": {"S": history},
                "used": {"S": f"{used_at}#{digest}"},
                "pixels": {"S": hashlib.sha256(f"seed-pixels-{n}".encode()).hexdigest()},
                "template": {"B": rng.normal(0.0, 0.09, size=128).astype("<f4").tobytes()},
                "signature": {"B": rng.integers(1, 256, size=256, dtype=np.uint8).tobytes()},
                "expires_at": {"N": str(int(now + 86_400 * 60))},
            },
        )


def check_in(stack: Any, crew: Any, meter: AwsMeter, photo: bytes) -> tuple[Usage, list[Any]]:
    """One verified self check-in, metered; the usage and the Lambda invocations it made."""
    from tests.integration.client import upload, wait_for

    mark = len(stack.invocations)
    with meter.measure() as usage:
        check = crew.post("/checkin/checks", GPS)
        upload(check["upload"], photo)
        wait_for(
            lambda: [i for i in stack.invocations[mark:] if i.function == "FaceFunction"],
            bool,
            timeout=120,
        )
        result = crew.get(f"/checkin/checks/{check['check_id']}")
        time.sleep(0.2)  # anything the decision set off (none on this path today)
    assert result["status"] == "verified", result
    return usage, stack.invocations[mark:]


def case_figures(stack: Any, usage: Usage, invocations: list[Any]) -> dict[str, Any]:
    specs = stack.functions
    runs = [lambda_run(usage, i, specs[i.function].memory_mb) for i in invocations]
    api = sum(1 for i in invocations if i.event_source == "apigateway")
    figures: dict[str, Any] = {"usage": usage, "runs": runs}
    for label, modelled in (("", False), ("modelled ", True)):
        amounts = costing.quantities(
            usage, runs, api_requests=api, s3_client_requests={"PostObject": 1}, modelled=modelled
        )
        by_service, unpriced = costing.dollars(amounts)
        figures[f"{label}amounts"] = amounts
        figures[f"{label}dollars"] = by_service
        figures["unpriced"] = unpriced
        figures[f"{label}total"] = sum(by_service.values())
    return figures


def lambda_run(usage: Usage, invocation: Any, memory_mb: int) -> costing.LambdaRun:
    """The invocation with the AWS calls it made (those that started while it ran: the path's
    invocations run one after another) and the time inside them."""
    start = invocation.started_at
    calls = usage.calls_between(start, start + invocation.duration_ms / 1000)
    return costing.LambdaRun(
        invocation.function,
        memory_mb,
        invocation.duration_ms,
        aws_ms=sum(seconds for _, _, seconds in calls) * 1000,
        calls=tuple(sorted(Counter(name for name, _, _ in calls).items())),
    )


def run_cases() -> dict[str, list[dict[str, Any]]]:
    from benchmarks.demo_session import steady_crew
    from infra.local.stack import LocalStack

    meter = AwsMeter()
    cases: dict[str, list[dict[str, Any]]] = {"new crew member": [], "long history": []}
    with LocalStack(parameters={"RemoteTaskPollSeconds": "1"}) as stack:
        crew, officer = steady_crew(stack)
        enrol_reference(stack, officer)
        crew_id = stack.demo_crew["li"]
        check_in(stack, crew, meter, capture(1))  # warm both functions: no cold start below
        photo = 2
        for name in cases:
            if name == "long history":
                seed_history(stack, crew_id, LONG_HISTORY)
            for _ in range(RUNS):
                before = history_length(stack, crew_id)
                usage, invocations = check_in(stack, crew, meter, capture(photo))
                figures = case_figures(stack, usage, invocations)
                figures["history"] = before
                cases[name].append(figures)
                photo += 1
    return cases


def _median_case(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda r: r["total"])[len(runs) // 2]


def main() -> int:
    print(f"== cost of a verified self check-in ({prices.REGION} list prices as of {prices.AS_OF})")
    cases = run_cases()
    for name, runs in cases.items():
        case = _median_case(runs)
        usage: Usage = case["usage"]
        print(
            f"\n-- {name}: photos in the history before each check "
            f"{[r['history'] for r in runs]}; the median of {len(runs)} check-ins"
        )
        print(f"  AWS calls (botocore) {usage.total_calls}:")
        for op, n in sorted(usage.calls.items()):
            print(f"      {op:40s} {n}")
        print(
            f"  DynamoDB read units {usage.read_units:.1f}, write units {usage.write_units:.0f}"
            f" (each check: {[(r['usage'].read_units, r['usage'].write_units) for r in runs]})"
        )
        for table, (read, write) in sorted(usage.by_table.items()):
            short = re.sub(r"^.*?-(\w+Table)-\w+$", r"\1", table)
            print(f"      {short:28s} read {read:6.1f}   write {write:5.0f}")
        if os.environ.get("BENCH_ITEMS"):  # every item billed, in the order of the calls
            for op, table, kind, size, units in usage.items:
                short = re.sub(r"^.*?-(\w+Table)-\w+$", r"\1", table)
                print(f"      {op:20s} {short:24s} {kind:5s} {size:6d} B {units:4.1f}")
        print(
            "  Lambda runs (ms): MEASURED on the local stack = inside AWS calls (moto's work"
            " included) + own compute; MODELLED = own compute + stated latency per call"
            " (benchmarks/latencies.py)"
        )
        for run in case["runs"]:
            print(
                f"      {run.function:22s} {run.memory_mb:5d} MB  measured {run.duration_ms:7.1f}"
                f" = AWS {run.aws_ms:6.1f} + own {run.own_ms:6.1f}   modelled"
                f" {run.modelled_ms:6.1f} ({latencies.total_ms(run.calls):.0f} for"
                f" {sum(n for _, n in run.calls)} calls)"
            )
            if latencies.unlisted(run.calls):
                print(
                    f"        no stated latency, {latencies.DEFAULT_MS} ms assumed: "
                    f"{latencies.unlisted(run.calls)}"
                )
        print("  quantities (Lambda GB-s: measured | modelled):")
        for key, amount in sorted(case["amounts"].items()):
            modelled = case["modelled amounts"][key]
            print(f"      {key:32s} {amount:10.4f} | {modelled:10.4f}")
        print("  $ per million check-ins, by service (Lambda: measured | modelled durations):")
        for service, usd in sorted(case["dollars"].items(), key=lambda kv: -kv[1]):
            modelled = case["modelled dollars"][service]
            print(f"      {service:16s} {usd * 1e6:9.2f} | {modelled * 1e6:9.2f}")
        print(
            f"      {'TOTAL':16s} {case['total'] * 1e6:9.2f} | {case['modelled total'] * 1e6:9.2f}"
            f"   (range over the runs, measured: {min(r['total'] for r in runs) * 1e6:.2f}"
            f"-{max(r['total'] for r in runs) * 1e6:.2f}; modelled:"
            f" {min(r['modelled total'] for r in runs) * 1e6:.2f}"
            f"-{max(r['modelled total'] for r in runs) * 1e6:.2f})"
        )
        if case["unpriced"]:
            print(f"  NOT PRICED (missing from benchmarks/prices.py): {case['unpriced']}")
    compare = prices.price("rekognition.compare_faces") * 1e6
    print(f"\n  beside it: Rekognition CompareFaces, one per check-in: ${compare:,.0f} per million")
    return 0
