"""Verify a published draw: `python -m enforcement.dispatch.verify`.

    python -m enforcement.dispatch.verify --api https://.../prod draw-0123456789abcdef
    python -m enforcement.dispatch.verify --api https://.../prod published.json snapshot.json
    python -m enforcement.dispatch.verify --draw page.json published.json snapshot.json
    python -m enforcement.dispatch.verify --check-beacon --api https://.../prod draw-0123...

Holds the documents to what the draw published at its commitment and reveal (its page,
`GET /public/draws/{id}`: snapshot hash, commitment, commitment time, reveal wait, beacon round,
secret, beacon value, seed, result hash), read from the API (`--api`) or from a page saved
earlier (`--draw`), then re-runs the draw on its snapshot. Prints "identical", "NOT THE
PUBLISHED DRAW" or every difference. Documents given without a page cannot be anchored: a pair
that only agrees with itself proves nothing (anyone can rebuild one around a changed snapshot),
and the command says so. Exit status: 0 identical, 1 not the published draw or different, 2 the
documents, the page (or with `--check-beacon` the beacon) cannot be read, 3 not anchored.

`--check-beacon [URL]` also fetches the beacon round the snapshot names from a drand relay
(https://api.drand.sh unless given), refuses an answer whose randomness is not SHA-256 of its
signature, reports a published beacon value that is not the round's and a round published
before the freeze, and checks from the chain's `/info` that the round is the first after the
commitment time plus the reveal wait. Needs nothing but the Python standard library and this
package (no AWS account, no token). The specification: docs/draw-specification.md.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from enforcement.dispatch import anchors, beacon, risk
from enforcement.dispatch.risk import ModelError


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


def _chain(
    page: Mapping[str, Any], name: str, relay: str | None
) -> tuple[beacon.Chain | None, str]:
    """The timing of the chain a round name belongs to, and where it was taken from."""
    try:
        chain_hash, _ = beacon.parse_name(name)
    except beacon.BeaconError:
        return None, "not a drand round"
    if relay:
        try:
            return beacon.fetch_chain(relay, chain_hash), f"the relay's {relay}/<chain>/info"
        except beacon.BeaconError as exc:
            return None, str(exc)
    if chain_hash == beacon.QUICKNET.chain_hash:
        return beacon.QUICKNET, "drand quicknet's genesis and period"
    given = page.get("beacon_chain")
    if isinstance(given, Mapping) and given.get("chain_hash") == chain_hash:
        genesis, period = given.get("genesis_time"), given.get("period")
        if isinstance(genesis, int) and isinstance(period, int) and period > 0:
            return beacon.Chain(chain_hash, genesis, period), "the draw page's beacon_chain"
    return None, "nowhere: an unknown chain (--check-beacon URL reads it from a relay)"


def _anchored(
    published: Any, snapshot: Any, page: Mapping[str, Any], where: str, relay: str | None
) -> int:
    anchored = anchors.Anchors.from_page(page)
    chain, chain_source = (
        _chain(page, anchored.beacon or "", relay)
        if anchored.beacon
        else (
            None,
            "",
        )
    )
    report = anchors.verify(published, snapshot, anchored, chain)
    if anchored.beacon:
        rule = "checked" if report.round_rule_checked else "not checked"
        print(f"beacon round rule: {rule}; chain timing from {chain_source}")
    if relay:
        try:
            report.differences.extend(check_beacon(relay, published, snapshot))
        except beacon.BeaconError as exc:
            print(f"cannot check the beacon: {exc}", file=sys.stderr)
            if report.identical:
                return 2
    if report.verdict == "not_the_published_draw":
        print(f"NOT THE PUBLISHED DRAW {anchored.draw_id} (its page: {where}):")
    elif report.differences:
        print(f"{len(report.differences)} difference(s) (anchored on its page: {where}):")
    else:
        print(
            f"identical: the published draw {anchored.draw_id} (anchored on its page: {where}; "
            f"result {published.get('result_hash')})"
        )
        return 0
    for line in report.differences:
        print(f"  {line}")
    return 1


def _unanchored(published: Any, snapshot: Any, relay: str | None) -> int:
    differences = anchors.unanchored(published, snapshot)
    if relay:
        try:
            differences.extend(check_beacon(relay, published, snapshot))
        except beacon.BeaconError as exc:
            print(f"cannot check the beacon: {exc}", file=sys.stderr)
    if differences:
        print(f"{len(differences)} difference(s) between the documents (not anchored):")
        for line in differences:
            print(f"  {line}")
        return 1
    print(
        "NOT ANCHORED: the two documents agree with each other, but nothing here ties them to "
        f"what draw {published.get('draw_id')} published at its commitment and reveal: anyone "
        "can rebuild such a pair around a changed snapshot. Give --api URL (its page is read "
        "from the API) or --draw PAGE.json (its page, saved from /public/draws/<id>)."
    )
    return 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enforcement.dispatch.verify",
        description="Hold a draw's documents to what it published, and re-run it.",
    )
    parser.add_argument("--api", help="base URL of the API (the draw page is read from it)")
    parser.add_argument("--draw", metavar="PAGE.json", help="the draw page, saved earlier")
    parser.add_argument(
        "--check-beacon",
        nargs="?",
        const=beacon.DEFAULT_URL,
        metavar="URL",
        help=f"also check the named beacon round at a drand relay (default {beacon.DEFAULT_URL})",
    )
    parser.add_argument("documents", nargs="+", help="a draw id (with --api), or two files")
    args = parser.parse_args(argv)
    if args.check_beacon and not args.check_beacon.startswith(("https://", "http://")):
        # `--check-beacon published.json snapshot.json`: the first document is not a URL
        args.documents.insert(0, args.check_beacon)
        args.check_beacon = beacon.DEFAULT_URL
    page: Any = None
    where = ""
    try:
        if len(args.documents) == 1:
            if not args.api:
                parser.error("give a draw id with --api URL, or published.json snapshot.json")
            base = f"{args.api.rstrip('/')}/public/draws/{args.documents[0]}"
            page, where = _fetch(base), base
            published, snapshot = _fetch(f"{base}/result"), _fetch(f"{base}/snapshot")
        elif len(args.documents) == 2:
            published, snapshot = _read(args.documents[0]), _read(args.documents[1])
            if not isinstance(published, dict) or not isinstance(snapshot, dict):
                raise ValueError("the documents are not JSON objects")
            if args.draw:
                page, where = _read(args.draw), args.draw
            elif args.api:
                where = f"{args.api.rstrip('/')}/public/draws/{published.get('draw_id')}"
                page = _fetch(where)
        else:
            parser.error("give one draw id (with --api), or published.json snapshot.json")
    except (OSError, ValueError) as exc:
        print(f"cannot read the documents or the draw page: {exc}", file=sys.stderr)
        return 2
    print(f"draw {published.get('draw_id')}: snapshot {published.get('snapshot_hash')}")
    if page is None:
        return _unanchored(published, snapshot, args.check_beacon)
    try:
        anchors.Anchors.from_page(page)
    except ModelError as exc:
        print(f"cannot read the draw page: {exc}", file=sys.stderr)
        return 2
    return _anchored(published, snapshot, page, where, args.check_beacon)


if __name__ == "__main__":
    sys.exit(main())
