"""Benchmarks of the local stack itself (part of `make bench`).

Start-up: moto's server, every resource of template.yaml, the fake platforms and the gateway,
from nothing to the first answered request, in a fresh interpreter each time (moto's backends
are per process). A figure, not a test: on a shared machine it varies with whatever else runs.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTS = 5

_ONE_START = """
import json, time
began = time.monotonic()
import requests
from infra.local.stack import LocalStack
imported = time.monotonic() - began
with LocalStack() as stack:
    requests.get(stack.api_url + "/openapi.json", timeout=30).raise_for_status()
    answered = time.monotonic() - began
    print(json.dumps({"imports": imported, "start": stack.startup_seconds, "ready": answered}))
"""


def startup() -> None:
    runs = []
    for _ in range(STARTS):
        began = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-c", _ONE_START],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        runs.append({**json.loads(out.strip().splitlines()[-1]), "total": time.monotonic() - began})
    for field, label in (
        ("imports", "imports"),
        ("start", "LocalStack.start()"),
        ("ready", "to the first answer (/openapi.json)"),
    ):
        values = [r[field] for r in runs]
        print(
            f"start-up, {label} ({STARTS} fresh interpreters): median "
            f"{statistics.median(values):.2f} s, worst {max(values):.2f} s"
        )


def main() -> int:
    startup()
    return 0
