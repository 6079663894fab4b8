"""`python -m infra.local` (what `make run` calls): the local stack until Ctrl-C.

Starts the stack with the API on port 3000 (`--port`; `make run PORT=...`); a port in use ends
in one line saying so. If `infra.local.demo` exists and has `load(stack)` and
`walkthrough(stack) -> str`, it loads the demo data and prints the walk-through; otherwise it
prints the URLs and the routes. While it runs, the stack's AIS source reports the vessels it
tracks every `--ais-period` seconds, so their positions never go stale.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import signal
import socket
import sys
import threading
from types import FrameType, ModuleType

from infra.local.ais_source import DEFAULT_PERIOD_SECONDS
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
    parser.add_argument(
        "--ais-period",
        type=float,
        default=DEFAULT_PERIOD_SECONDS,
        help=f"seconds between AIS files (default {DEFAULT_PERIOD_SECONDS:g})",
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


def port_in_use(port: int) -> bool:
    """Whether a server could not listen on 127.0.0.1:`port` (0: any free port, never in use)."""
    if port == 0:
        return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTP servers do
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _port_taken_message(port: int) -> str:
    return (
        f"port {port} on 127.0.0.1 is in use (another `make run`?): "
        f"stop that or choose another, e.g. `make run PORT={port + 1}`"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    for port in (args.port, args.moto_port):
        if port_in_use(port):
            print(_port_taken_message(port), file=sys.stderr)
            return 2
    try:
        return _serve(args)
    except OSError as exc:  # taken between the probe and the start
        if exc.errno != errno.EADDRINUSE:
            raise
        print(_port_taken_message(args.port), file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace) -> int:
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
        if stack.ais_source is not None:
            stack.ais_source.start(args.ais_period)
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
