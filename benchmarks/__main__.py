"""`make bench`: every benchmark suite, or the ones named (`python -m benchmarks checkin`).

Each suite is a module of this package with a `main() -> int` that prints its figures; the
figures measured go into docs/benchmarks.md and the issue notes.
"""

from __future__ import annotations

import importlib
import platform
import sys

SUITES = (
    "api",
    "checkin",
    "cost",
    "concurrency",
    "dispatch",
    "duty",
    "evidence",
    "face",
    "soak",
    "stack",
)


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        print(f"unknown suites {unknown}; known: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    print(f"python {platform.python_version()} on {platform.machine()}")
    status = 0
    for name in chosen:
        print(f"\n######## {name}")
        status |= importlib.import_module(f"benchmarks.{name}").main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
