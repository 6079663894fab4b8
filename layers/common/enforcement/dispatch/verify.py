"""Verify a published draw: `python -m enforcement.dispatch.verify`.

    python -m enforcement.dispatch.verify published.json snapshot.json
    python -m enforcement.dispatch.verify --api https://.../prod draw-0123456789abcdef
    python -m enforcement.dispatch.verify --check-beacon --api https://.../prod draw-0123...

Re-runs the draw on its snapshot from the published secret and prints "identical" or every
difference; exit status 0 when identical, 1 when not, 2 when the documents (or, with
`--check-beacon`, the beacon) cannot be read. `--check-beacon [URL]` also fetches the beacon
round the snapshot names from a drand relay (https://api.drand.sh unless given), refuses an
answer whose randomness is not SHA-256 of its signature, and reports a published beacon value
that is not the round's and a round published before the freeze. Needs nothing but the Python
standard library and this package (no AWS account, no token).
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path
from typing import Any

from enforcement.dispatch import beacon, draw, risk


def _fetch(url: str) -> Any:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (scheme checked)
        return risk.strict_loads(response.read())


def _read(path: str) -> Any:
    return risk.strict_loads(Path(path).read_bytes())


def check_beacon(base_url: str, published: Any, snapshot: Any) -> list[str]:
    """The differences between the draw's beacon value and the beacon itself (none when the
    snapshot names no beacon); BeaconError when the beacon cannot be read."""
    name = snapshot.get("beacon")
    if not name:
        print("beacon: the snapshot names none")
        return []
    name = str(name)
    fetched = beacon.fetch(base_url, name)
    differences = []
    value = published.get("beacon_value") or ""
    if fetched.randomness != value:
        differences.append(
            f"beacon_value: published {value or '(none)'}, the beacon gives {fetched.randomness}"
        )
    chain_hash, _ = beacon.parse_name(name)
    try:
        published_at = beacon.fetch_chain(base_url, chain_hash).round_time(fetched.round)
    except beacon.BeaconError as exc:
        print(f"beacon: round time not checked ({exc})")
    else:
        late = beacon.not_after_freeze(name, published_at, str(snapshot.get("frozen_at") or ""))
        differences.extend([late] if late else [])
    print(
        f"beacon: {name} read from {base_url} (its randomness is SHA-256 of its signature; "
        "the BLS signature is not checked)"
    )
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enforcement.dispatch.verify",
        description="Re-run a published draw on its snapshot and report any difference.",
    )
    parser.add_argument("--api", help="base URL of the API; then give a draw id")
    parser.add_argument(
        "--check-beacon",
        nargs="?",
        const=beacon.DEFAULT_URL,
        metavar="URL",
        help=f"also check the named beacon round at a drand relay (default {beacon.DEFAULT_URL})",
    )
    parser.add_argument("documents", nargs="+", help="published.json snapshot.json, or a draw id")
    args = parser.parse_args(argv)
    if args.check_beacon and not args.check_beacon.startswith(("https://", "http://")):
        # `--check-beacon published.json snapshot.json`: the first document is not a URL
        args.documents.insert(0, args.check_beacon)
        args.check_beacon = beacon.DEFAULT_URL
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
    print(f"draw {published.get('draw_id')}: snapshot {published.get('snapshot_hash')}")
    differences = draw.verify(published, snapshot)
    if args.check_beacon:
        try:
            differences.extend(check_beacon(args.check_beacon, published, snapshot))
        except beacon.BeaconError as exc:
            print(f"cannot check the beacon: {exc}", file=sys.stderr)
            if not differences:
                return 2
    if not differences:
        print(f"identical (result {published.get('result_hash')})")
        return 0
    print(f"{len(differences)} difference(s):")
    for line in differences:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
