"""Benchmarks of the check-in path (part of `make bench`).

1. Import (cold-start) time of every handler in template.yaml, each in a fresh interpreter.
2. Warm latency of the check-in routes over real HTTP against the local stack.
3. The end-to-end self check-in (API call, presigned upload, S3 event, face engine, decision),
   each check with a new photograph of the enrolled person (CAPTURES).
4. AWS calls per check-in, by service and operation, counted at botocore's HTTP layer.

The local stack runs moto and the handlers in one process, so latencies include moto's own
work; they bound the code's overhead from above rather than predict Lambda's figures.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
IMPORT_RUNS = 3
WARM_RUNS = 30
E2E_RUNS = 8


def _cfn_loader() -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)  # type: ignore[arg-type]

    Loader.add_multi_constructor("!", any_tag)
    return Loader


def handlers() -> dict[str, tuple[Path, str]]:
    """Logical id → (module file, handler function) of every function in the template."""
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_cfn_loader())  # noqa: S506
    found = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        if props.get("PackageType") == "Image":
            folder = resource["Metadata"]["LocalCodeUri"]
            handler = props["ImageConfig"]["Command"][0]
        else:
            folder, handler = props["CodeUri"], props["Handler"]
        module, function = handler.rsplit(".", 1)
        found[name] = (ROOT / folder / f"{module}.py", function)
    return found


IMPORT_PROBE = """
import importlib.util, sys, time
path, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, str(__import__('pathlib').Path(path).parent))
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(getattr(module, name))
print(time.perf_counter() - start)
"""


def import_times() -> dict[str, float]:
    times = {}
    for name, (path, function) in handlers().items():
        runs = []
        for _ in range(IMPORT_RUNS):
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE, str(path), function],
                capture_output=True,
                text=True,
                check=True,
                env={"AWS_DEFAULT_REGION": "cn-north-1", "PATH": "/usr/bin:/bin"},
            )
            runs.append(float(out.stdout.strip().splitlines()[-1]))
        times[name] = statistics.median(runs)
    return times


@contextmanager
def counting_aws_calls() -> Iterator[Counter[str]]:
    """Count every HTTP request botocore sends (boto3 and pynamodb both go through it)."""
    from botocore.httpsession import URLLib3Session

    calls: Counter[str] = Counter()
    original = URLLib3Session.send

    def send(self: URLLib3Session, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target")
        if target:
            name = target.decode() if isinstance(target, bytes) else str(target)
            calls[name.replace("DynamoDB_20120810.", "dynamodb:")] += 1
        else:
            host_path = request.url.split("//", 1)[-1]
            calls[f"{request.method} {host_path.split('/', 2)[1] if '/' in host_path else ''}"] += 1
        return original(self, request)

    URLLib3Session.send = send  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        URLLib3Session.send = original  # type: ignore[method-assign]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(run: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        out.append((time.perf_counter() - start) * 1000)
    return out


#: One person's photographs, all genuinely different captures (dlib's examples, johns/): the
#: first is enrolled as the reference, each check sends another. Chosen because every pair of
#: them is in the ACCEPT zones (match and replay) at the default lines, so each check verifies;
#: re-encodings of one photograph would be copies of each other and refused as replays.
CAPTURES = (
    "000264_01099001.jpg",
    "000274_01099061.jpg",
    "000277_01099000.jpg",
    "000289_01099139.jpg",
    "000290_01099067.jpg",
    "000291_01099023.jpg",
    "000291_01099214.jpg",
    "000293_01099081.jpg",
    "000296_01099007.jpg",
    "000299_01099008.jpg",
)


def capture(n: int) -> bytes:
    """The n-th photograph of CAPTURES (John_Savage of dlib's johns/)."""
    from tests.photos import identities_folder

    return (identities_folder() / "John_Savage" / CAPTURES[n]).read_bytes()


def enrol_reference(stack: Any, officer: Any, handle: str = "li") -> None:
    """Enrol the demo crew member's reference face again, from CAPTURES[0]."""
    from tests.integration.client import upload, wait_for

    crew_id = stack.demo_crew[handle]
    path = f"/checkin/crew/{crew_id}/face-enrolment"
    grant = officer.post(path)["upload"]
    upload(grant, capture(0))
    status = wait_for(lambda: officer.get(path), lambda r: r["face_status"] != "pending", 120)
    assert status["face_status"] == "enrolled", status


def stack_figures() -> dict[str, Any]:
    from benchmarks.demo_session import steady_crew
    from infra.local.stack import LocalStack
    from tests.integration.client import upload, wait_for

    figures: dict[str, Any] = {}
    with LocalStack(parameters={"RemoteTaskPollSeconds": "1"}) as stack:
        crew, officer = steady_crew(stack)
        enrol_reference(stack, officer)
        gps = {"gps": {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}}

        crew.post("/checkin/checks", gps)  # warm the function
        post_ms = timed(lambda: crew.post("/checkin/checks", gps), WARM_RUNS)
        started = crew.post("/checkin/checks", gps)
        get_ms = timed(lambda: crew.get(f"/checkin/checks/{started['check_id']}"), WARM_RUNS)
        figures["POST /checkin/checks (ms)"] = (percentile(post_ms, 50), percentile(post_ms, 95))
        figures["GET /checkin/checks/{id} (ms)"] = (percentile(get_ms, 50), percentile(get_ms, 95))

        e2e_ms: list[float] = []
        counts: list[Counter[str]] = []
        for n in range(E2E_RUNS):
            with counting_aws_calls() as calls:
                start = time.perf_counter()
                check = crew.post("/checkin/checks", gps)
                upload(check["upload"], capture(1 + n))
                result = wait_for(
                    lambda c=check: crew.get(f"/checkin/checks/{c['check_id']}"),
                    lambda r: r["status"] != "awaiting_photo",
                )
                e2e_ms.append((time.perf_counter() - start) * 1000)
            assert result["status"] == "verified", (CAPTURES[1 + n], result)
            counts.append(calls)
        figures["self check-in end to end (ms)"] = (percentile(e2e_ms, 50), percentile(e2e_ms, 95))
        figures["AWS calls per self check-in"] = dict(sorted(counts[-1].items()))
        figures["AWS calls per self check-in (total)"] = sum(counts[-1].values())
    return figures


def main() -> int:
    print("== handler import (cold start) time, median of", IMPORT_RUNS, "fresh interpreters")
    for name, seconds in import_times().items():
        print(f"  {name:32s} {seconds * 1000:8.0f} ms")
    print("== local stack (moto + handlers in one process)")
    for name, value in stack_figures().items():
        if isinstance(value, tuple):
            print(f"  {name:40s} p50 {value[0]:7.1f}   p95 {value[1]:7.1f}")
        elif isinstance(value, dict):
            print(f"  {name}:")
            for op, n in value.items():
                print(f"      {op:40s} {n}")
        else:
            print(f"  {name:40s} {value}")
    return 0
