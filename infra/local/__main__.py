"""`python -m infra.local` (what `make run` calls): the local stack until Ctrl-C.

Starts the stack with the API on port 3000 (`--port`). If `infra.local.demo` exists and has
`load(stack)` and `walkthrough(stack) -> str`, it loads the demo data and prints the walk-through;
otherwise it prints the URLs and the routes.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import signal
import sys
import threading
from types import FrameType, ModuleType

from infra.local.stack import LocalStack


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto port (default: free)")
    parser.add_argument("--stack-name", default="enforcement-local")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter override (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no request and invocation log")
    return parser.parse_args(argv)


def _parameters(pairs: list[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--param needs NAME=VALUE, got {pair!r}")
        parameters[name] = value
    return parameters


def _demo_module() -> ModuleType | None:
    """`infra.local.demo` if it exists and has both entry points (import errors surface)."""
    if importlib.util.find_spec("infra.local.demo") is None:
        return None
    module = importlib.import_module("infra.local.demo")
    if callable(getattr(module, "load", None)) and callable(getattr(module, "walkthrough", None)):
        return module
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    stack = LocalStack(
        api_port=args.port,
        moto_port=args.moto_port,
        parameters=_parameters(args.param),
        stack_name=args.stack_name,
        quiet=args.quiet,
    )
    stopped = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, _stop)
    with stack:
        print(f"local stack up in {stack.startup_seconds:.2f} s", flush=True)
        demo = _demo_module()
        if demo is not None:
            demo.load(stack)
            print(demo.walkthrough(stack), flush=True)
        else:
            print(stack.describe(), flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        print("stopping...", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
