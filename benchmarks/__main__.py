"""`make bench`: every benchmark suite, or the ones named (`python -m benchmarks checkin`).

Each suite is a module of this package with a `main() -> int` that prints its figures; the
figures measured go into docs/benchmarks.md and the issue notes. One suite runs in this
interpreter; several run each in a fresh one, because the local stacks the suites start share
moto's in-process state (a second stack in one process finds the first one's resources).
"""

from __future__ import annotations

import importlib
import platform
import subprocess
import sys
import time

SUITES = (
    "api",
    "checkin",
    "cost",
    "concurrency",
    "dispatch",
    "duty",
    "evidence",
    "face",
    "forms",
    "soak",
    "stack",
    "survey",
    "survey_board",
    "survey_exports",
    "ticketing",
)


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        print(f"unknown suites {unknown}; known: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    if len(chosen) == 1:
        print(f"python {platform.python_version()} on {platform.machine()}")
        print(f"\n######## {chosen[0]}", flush=True)
        status: int = importlib.import_module(f"benchmarks.{chosen[0]}").main()
        return status
    status = 0
    ran = []
    for name in chosen:
        began = time.monotonic()
        code = subprocess.run([sys.executable, "-m", "benchmarks", name], check=False).returncode
        status |= code
        ran.append(f"{name} {time.monotonic() - began:.0f} s" + (f" (exit {code})" if code else ""))
    print("\n######## wall time per suite: " + ", ".join(ran))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
