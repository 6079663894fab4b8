"""Verify a published draw: `python -m enforcement.dispatch.verify`.

    python -m enforcement.dispatch.verify published.json snapshot.json
    python -m enforcement.dispatch.verify --api https://.../prod draw-0123456789abcdef

Re-runs the draw on its snapshot from the published secret and prints "identical" or every
difference; exit status 0 when identical, 1 when not, 2 when the documents cannot be read. Needs
nothing but the Python standard library and this package (no AWS account, no token).
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path
from typing import Any

from enforcement.dispatch import draw, risk


def _fetch(url: str) -> Any:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (scheme checked)
        return risk.strict_loads(response.read())


def _read(path: str) -> Any:
    return risk.strict_loads(Path(path).read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enforcement.dispatch.verify",
        description="Re-run a published draw on its snapshot and report any difference.",
    )
    parser.add_argument("--api", help="base URL of the API; then give a draw id")
    parser.add_argument("documents", nargs="+", help="published.json snapshot.json, or a draw id")
    args = parser.parse_args(argv)
    try:
        if args.api:
            if len(args.documents) != 1:
                parser.error("with --api, give one draw id")
            base = f"{args.api.rstrip('/')}/public/draws/{args.documents[0]}"
            published, snapshot = _fetch(f"{base}/result"), _fetch(f"{base}/snapshot")
        else:
            if len(args.documents) != 2:
                parser.error("give published.json and snapshot.json")
            published, snapshot = _read(args.documents[0]), _read(args.documents[1])
    except (OSError, ValueError) as exc:
        print(f"cannot read the documents: {exc}", file=sys.stderr)
        return 2
    differences = draw.verify(published, snapshot)
    print(f"draw {published.get('draw_id')}: snapshot {published.get('snapshot_hash')}")
    if not differences:
        print(f"identical (result {published.get('result_hash')})")
        return 0
    print(f"{len(differences)} difference(s):")
    for line in differences:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
