"""What the other hot paths cost, metered on the local stack: an evidence photo, a draw from
request to result, a day's rota (the scheduled generation and an officer reading the day).

The `evidence`, `dispatch` and `duty` suites drive their path here and print its figures: AWS
calls by operation and DynamoDB units by table (`benchmarks.metering`), split by the Lambda
invocation that made them (a request, a step of the draw), the invocations with their memory
(template.yaml) and measured duration, Step Functions transitions, and dollars per million
(`benchmarks.costing` with `benchmarks.prices`). Calls and units are what AWS would bill; the
durations are the local stack's (moto in the same process) and bound Lambda's from above.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks import costing, prices
from benchmarks.metering import AwsMeter, Usage


@dataclass
class PathFigures:
    """What one run of a path used and what it costs."""

    name: str
    usage: Usage
    runs: list[costing.LambdaRun]
    amounts: dict[str, float]
    dollars: dict[str, float]
    unpriced: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.dollars.values())


def _label(function: str, event: Any) -> str:
    """The part of the work an invocation is: its function, and the step or request."""
    if isinstance(event, dict):
        if "action" in event:
            return f"{function} {event['action']}"
        if "httpMethod" in event:
            path = re.sub(r"/[^/]*[0-9][^/]*", "/{id}", str(event.get("path", "")))
            return f"{function} {event['httpMethod']} {path}"
        if "Records" in event:
            return f"{function} (S3 event)"
    return function


@contextmanager
def invocations_as_parts(stack: Any, meter: AwsMeter, functions: tuple[str, ...]) -> Iterator[None]:
    """Meter each invocation of `functions` as a part of its own (`AwsMeter.part`)."""
    runtime = stack._require_runtime()
    with ExitStack() as overrides:
        for function in functions:
            original = runtime.handler_for(stack.functions[function])

            def labelled(event: Any, context: Any, _f: str = function, _h: Any = original) -> Any:
                with meter.part(_label(_f, event)):
                    return _h(event, context)

            overrides.enter_context(stack.override_handler(function, labelled))
        yield


def priced(
    name: str,
    stack: Any,
    usage: Usage,
    invocations: list[Any],
    *,
    s3_client_requests: dict[str, int] | None = None,
    transitions: int = 0,
) -> PathFigures:
    """The figures of a metered run: what it used, priced."""
    runs = [
        costing.LambdaRun(i.function, stack.functions[i.function].memory_mb, i.duration_ms)
        for i in invocations
    ]
    api = sum(1 for i in invocations if i.event_source == "apigateway")
    billed = Usage(
        calls=usage.calls.copy(),
        read_units=usage.read_units,
        write_units=usage.write_units,
        by_table=usage.by_table,
    )
    # Step Functions is billed by its transitions, its Lambda tasks as invocations
    notes = []
    for call, billed_as in (
        ("lambda:Invoke", "invocations"),
        ("stepfunctions:StartExecution", "state transitions"),
    ):
        n = billed.calls.pop(call, 0)
        if n:
            notes.append(f"{n} {call} (billed as {billed_as})")
    amounts = costing.quantities(
        billed, runs, api_requests=api, s3_client_requests=s3_client_requests
    )
    if transitions:
        amounts["states.transition"] = float(transitions)
    by_service, unpriced = costing.dollars(amounts)
    return PathFigures(name, usage, runs, amounts, by_service, unpriced, notes)


def _short(table: str) -> str:
    return re.sub(r"^.*?-(\w+Table)-\w+$", r"\1", table)


def _calls(usage: Usage) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(usage.calls.items()))


def show(figures: PathFigures) -> None:
    """Print a path's figures."""
    usage = figures.usage
    print(
        f"\n-- {figures.name}: {usage.total_calls} AWS calls, DynamoDB read "
        f"{usage.read_units:.1f} / write {usage.write_units:.0f} units, "
        f"${figures.total * 1e6:,.2f} per million ({prices.REGION} list prices, {prices.AS_OF})"
    )
    print(f"   calls: {_calls(usage)}")
    for table, (read, write) in sorted(usage.by_table.items()):
        print(f"   {_short(table):28s} read {read:7.1f}   write {write:6.0f}")
    for part, share in usage.parts.items():
        print(
            f"   [{part}] {share.total_calls} calls, read {share.read_units:.1f} / write "
            f"{share.write_units:.0f} units: {_calls(share)}"
        )
    unlabelled = usage.total_calls - sum(s.total_calls for s in usage.parts.values())
    if unlabelled:
        print(f"   (+{unlabelled} calls outside any function: the state machine's own)")
    for run in figures.runs:
        print(f"   Lambda {run.function:22s} {run.memory_mb:5d} MB {run.duration_ms:8.1f} ms")
    print(
        "   $ per million: "
        + ", ".join(
            f"{service} {usd * 1e6:,.2f}"
            for service, usd in sorted(figures.dollars.items(), key=lambda kv: -kv[1])
        )
    )
    for note in figures.notes:
        print(f"   note: {note}")
    if figures.unpriced:
        print(f"   NOT PRICED (missing from benchmarks/prices.py): {figures.unpriced}")


def _new_of(stack: Any, mark: int, function: str, done: Callable[[Any], bool]) -> list[Any]:
    return [i for i in stack.invocations[mark:] if i.function == function and done(i)]


def wait_invocation(
    stack: Any, mark: int, function: str, done: Callable[[Any], bool] = bool, timeout: float = 120
) -> None:
    """Wait (no AWS call) until an invocation of `function` since `mark` satisfies `done`."""
    from tests.integration.client import wait_for

    wait_for(lambda: _new_of(stack, mark, function, done), bool, timeout=timeout)


# ------------------------------------------------------------------ an evidence photo


def evidence_photos(stack: Any, meter: AwsMeter) -> list[PathFigures]:
    """One hazard photo: presigned upload -> S3 event -> evidence function -> stored on the
    report (the report's creation is not metered); then the same event delivered again."""
    from enforcement.auth import Role

    from tests import photos
    from tests.integration.client import officer_session, upload

    suffix = secrets.token_hex(3)
    reporter = officer_session(
        stack.api_url,
        f"bench{suffix}",
        role=Role.OFFICER,
        agency=f"bench-ev-{suffix}",
        jurisdiction=f"j-bench-{suffix}",
        name="bench",
    )
    body = {
        "kind": "road_hazard",
        "description": "cargo on the road",
        "gps": {"lat": 37.5395, "lon": 121.3520, "accuracy_m": 6},
        "photos": 1,
    }
    warm = reporter.post("/duty/hazards", body)["uploads"][0]
    mark = len(stack.invocations)
    upload(warm, photos.gradient_jpeg(320, 240))  # the function's cold start, not metered
    wait_invocation(stack, mark, "EvidenceFunction")
    out = []
    for n, photo in enumerate((photos.background(), photos.gradient_jpeg())):
        grant = reporter.post("/duty/hazards", body)["uploads"][0]
        mark = len(stack.invocations)
        with meter.measure() as usage, invocations_as_parts(stack, meter, ("EvidenceFunction",)):
            upload(grant, photo)
            wait_invocation(stack, mark, "EvidenceFunction")
        [run] = _new_of(stack, mark, "EvidenceFunction", bool)
        outcome = run.result["records"][0]["outcome"]
        out.append(
            priced(
                f"evidence photo #{n + 1} ({len(photo) // 1024} KiB, {outcome})",
                stack,
                usage,
                [run],
                s3_client_requests={"PostObject": 1},
            )
        )
    mark = len(stack.invocations)
    with meter.measure() as usage, invocations_as_parts(stack, meter, ("EvidenceFunction",)):
        again = stack.invoke("EvidenceFunction", run.event)
    assert again.error is None, again.payload
    out.append(
        priced(
            f"the same event delivered again ({again.payload['records'][0]['outcome']})",
            stack,
            usage,
            _new_of(stack, mark, "EvidenceFunction", bool),
        )
    )
    return out


# ------------------------------------------------------------------ a draw


def draw_population(stack: Any, targets: int, inspectors: int) -> tuple[Any, str]:
    """An agency with the ship model, `targets` very high risk ships and `inspectors`
    inspectors on duty; its admin's client and the model id."""
    from enforcement.auth import Role
    from enforcement.dispatch import risk

    from tests.integration.client import officer_session

    suffix = secrets.token_hex(3)
    agency, jurisdiction = f"bench-msa-{suffix}", f"j-bench-{suffix}"

    def login(name: str, role: Role) -> Any:
        return officer_session(
            stack.api_url,
            f"{name}{suffix}",
            role=role,
            agency=agency,
            jurisdiction=jurisdiction,
            name=name,
        )

    admin = login("adm", Role.ADMIN)
    model_id = f"ship-risk-{suffix}"
    document = risk.ship_model_document()
    document.pop("model_id")
    admin.post(f"/dispatch/risk-models/{model_id}/versions", document)
    # every target very high risk (rate 1): each draw selects them all, so runs compare
    flagged = {c: 1 for c in ("C02.01", "C02.02", "C03.01", "C04.01", "C05.01", "C10.01")}
    flagged.update({f"C0{k}.0{j}": 1 for k in (2, 3, 4, 5) for j in (1, 2, 3, 4)})
    for n in range(targets):
        admin.put(
            f"/dispatch/targets/ship-{suffix}-{n:03d}",
            {
                "kind": "ship",
                "name": f"ship {n}",
                "company_id": f"co-{n % 7}",
                "model_id": model_id,
                "indicators": flagged,
            },
        )
    for n in range(inspectors):
        login(f"insp{n}", Role.OFFICER)
        admin.put(
            f"/dispatch/inspectors/off-insp{n}{suffix}",
            {"qualifications": ["ship", "cargo"], "on_duty": True},
        )
    return admin, model_id


def draw_end_to_end(stack: Any, meter: AwsMeter, admin: Any, model_id: str) -> PathFigures:
    """One on-demand draw: the request, each step of the state machine, the result read by the
    public page."""
    mark = len(stack.invocations)
    functions = ("DispatchApiFunction", "DrawStepsFunction")
    with meter.measure() as usage, invocations_as_parts(stack, meter, functions):
        started = admin.post(
            "/dispatch/draws", {"model_id": model_id, "team_size": 2, "reveal_wait_seconds": 1}
        )
        wait_invocation(
            stack,
            mark,
            "DrawStepsFunction",
            lambda i: (i.result or {}).get("status") in ("published", "failed"),
        )
        public = admin.get(f"/dispatch/draws/{started['draw_id']}")
    assert public["status"] == "published", public
    history = stack.boto3_client("stepfunctions").get_execution_history(
        executionArn=started["execution_arn"], maxResults=1000
    )
    transitions = sum(1 for e in history["events"] if e["type"].endswith("StateEntered"))
    figures = priced(
        f"a draw end to end ({public['selected_count']} selected of the population, "
        f"{len(public['assignments'])} assignments)",
        stack,
        usage,
        [i for i in stack.invocations[mark:] if i.function in functions],
        transitions=transitions,
    )
    figures.notes.append(f"{transitions} state transitions")
    return figures


# ------------------------------------------------------------------ the day's rota


def duty_day(
    stack: Any, meter: AwsMeter, officers: int, areas: int, slots: tuple[tuple[str, str, int], ...]
) -> list[PathFigures]:
    """A traffic agency's day: the scheduled generation of its duty tasks, an officer reading
    their day, and the command centre's board."""
    from datetime import UTC, datetime, timedelta

    from enforcement import accounts
    from enforcement.auth import Role

    from tests.integration.client import Client, officer_session

    stack.fire_schedule("DutyScheduleFunction")  # its cold start, before the agency has areas
    suffix = secrets.token_hex(3)
    agency, jurisdiction = f"bench-duty-{suffix}", f"j-duty-{suffix}"
    centre = officer_session(
        stack.api_url,
        f"cmd{suffix}",
        role=Role.ADMIN,
        agency=agency,
        jurisdiction=jurisdiction,
        name="c",
    )
    password = secrets.token_urlsafe(12)
    for n in range(officers):
        username = f"duty{n:03d}{suffix}"
        accounts.create_officer(
            "system:bench",
            username=username,
            password=password,
            name=username,
            role=Role.OFFICER,
            agency=agency,
            jurisdiction=jurisdiction,
        )
        centre.put(
            f"/dispatch/inspectors/off-{username}",
            {"qualifications": ["patrol"], "on_duty": True},
        )
    for a in range(areas):
        centre.put(
            f"/duty/areas/area-{suffix}-{a:03d}",
            {
                "name": f"area {a}",
                "lat": 37.5,
                "lon": 121.4,
                "qualification": "patrol",
                "slots": [{"start": s, "end": e, "officers": k} for s, e, k in slots],
            },
        )
    officer = Client(
        stack.api_url,
        Client(stack.api_url).post(
            "/auth/officer/login",
            {"username": f"duty000{suffix}", "password": password},
            expect=200,
        )["token"],
    )
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    out = []
    mark = len(stack.invocations)
    with meter.measure() as usage, invocations_as_parts(stack, meter, ("DutyScheduleFunction",)):
        [fired] = stack.fire_schedule("DutyScheduleFunction")
    assert fired.error is None, fired.payload
    [day] = [d for d in fired.payload["days"] if d.get("agency") == agency]
    out.append(
        priced(
            f"the scheduled generation of a day ({day['tasks']} tasks, {day['officers']} officers)",
            stack,
            usage,
            _new_of(stack, mark, "DutyScheduleFunction", bool),
        )
    )
    for name, client, path in (
        ("an officer reading the day", officer, f"/duty/me/tasks?date={today}"),
        ("the command centre's board of the day", centre, f"/duty/days/{today}"),
    ):
        mark = len(stack.invocations)
        with meter.measure() as usage, invocations_as_parts(stack, meter, ("DutyApiFunction",)):
            client.get(path)
        out.append(priced(name, stack, usage, _new_of(stack, mark, "DutyApiFunction", bool)))
    return out
