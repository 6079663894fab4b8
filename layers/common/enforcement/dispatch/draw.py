"""The draw itself: no AWS, no I/O, no floats, no Python `random`. Given the same snapshot and
seed, every machine gets the same result, bit for bit.

The specification, complete to the byte, is `docs/draw-specification.md` (version 2; version 1
documents are still drawn and verified); the two documents' layouts are JSON Schema files in
`docs/schemas/`, and `tests/vectors/draw-v<N>/` gives every intermediate value of a small draw.
In short:

1. **Snapshot.** The frozen population (targets with their level, inspectors by their public id
   with roster entry and load, declared conflicts, the model's levels and rates, the team size,
   the beacon round named and, from version 2, the reveal wait) is a JSON document; its hash is
   SHA-256 of its canonical JSON (`risk.canonical_bytes`), published at the commitment.
2. **Commitment and seed.** `commitment = SHA-256("dispatch-commit/1" ‖ secret)` over the 32 raw
   bytes of the secret; `seed = SHA-256("dispatch-seed/1" ‖ secret ‖ snapshot hash ‖ beacon
   value)`: secret and snapshot hash as 32 raw bytes each, the beacon value as the UTF-8 bytes
   of its text (lowercase hex for drand; empty when the snapshot names no beacon).
3. **Targets.** ticket = first 8 bytes of `SHA-256(seed ‖ "T" ‖ UTF-8 id)`, big-endian;
   selected when `ticket < floor(rate * 2^64)`, the rate an exact decimal.
4. **Teams.** Selected targets in ascending (ticket, id) order; for each, the first `team_size`
   of its pool (on duty, same jurisdiction, qualified for its kind) in ascending order of
   (load, tie-break, id), skipping conflicted inspectors and the previous team, where the
   tie-break is the first 8 bytes of `SHA-256(seed ‖ "I" ‖ load as 4 bytes big-endian ‖ UTF-8
   id)` and the load counts what this draw gave so far; the team lists them in that order.
   Fewer than `team_size` → unstaffed, and nobody's load moves.
5. **Result.** The published document; its hash is SHA-256 of its canonical JSON without the
   `result_hash` field. `verify(published, snapshot)` re-runs it and names every difference;
   `anchors.verify` also holds the documents to what the draw page published.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from enforcement.dispatch import layout
from enforcement.dispatch.risk import ModelError, canonical_bytes, exact
from enforcement.dispatch.snapshot import SNAPSHOT_FORMAT as SNAPSHOT_FORMAT
from enforcement.dispatch.snapshot import Inspector as Inspector
from enforcement.dispatch.snapshot import Target as Target
from enforcement.dispatch.snapshot import make_snapshot as make_snapshot

RESULT_FORMAT = "dispatch-result/2"
#: Every snapshot format still drawn, and the format of the result it gives.
FORMATS = {
    "dispatch-snapshot/1": "dispatch-result/1",  # without `reveal_wait_seconds`
    SNAPSHOT_FORMAT: RESULT_FORMAT,
}
TWO_64 = 1 << 64
COMMIT_TAG = b"dispatch-commit/1"
SEED_TAG = b"dispatch-seed/1"
TARGET_TAG = b"T"
INSPECTOR_TAG = b"I"


# ------------------------------------------------------------------ hashing and commitment


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the snapshot's canonical JSON (read it with `risk.strict_loads`)."""
    return sha256_hex(canonical_bytes(snapshot, check=False))


def result_hash(result: Mapping[str, Any]) -> str:
    body = {k: v for k, v in result.items() if k != "result_hash"}
    return sha256_hex(canonical_bytes(body))


def new_secret() -> str:
    """32 bytes from the operating system's generator, as hex."""
    return secrets.token_hex(32)


def commitment(secret_hex: str) -> str:
    return sha256_hex(COMMIT_TAG + bytes.fromhex(secret_hex))


def seed(secret_hex: str, snapshot_hash_hex: str, beacon: str = "") -> str:
    """The draw's seed: bound to the committed secret, the snapshot and the public beacon
    (secret and snapshot hash as raw bytes, the beacon value as the UTF-8 bytes of its text)."""
    data = SEED_TAG + bytes.fromhex(secret_hex) + bytes.fromhex(snapshot_hash_hex)
    return sha256_hex(data + beacon.encode("utf-8"))


# ------------------------------------------------------------------ tickets


def threshold(rate: Fraction) -> int:
    """floor(rate * 2^64): a ticket below it is selected."""
    if not 0 <= rate <= 1:
        raise ModelError(f"rate {rate} is outside [0, 1]")
    return (rate.numerator * TWO_64) // rate.denominator


def ticket(seed_bytes: bytes, target_id: str) -> int:
    digest = hashlib.sha256(seed_bytes + TARGET_TAG + target_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _tiebreak(seed_bytes: bytes, load: int, inspector_id: str) -> int:
    data = seed_bytes + INSPECTOR_TAG + load.to_bytes(4, "big") + inspector_id.encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


# ------------------------------------------------------------------ the draw


@dataclass
class _Pool:
    """Inspectors eligible by jurisdiction and qualification, least load first (a lazy heap:
    entries whose load is out of date are dropped when they surface)."""

    heap: list[tuple[int, int, str]]


def _levels(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    levels = []
    for level in snapshot["model"]["levels"]:
        rate = exact(level["rate"], f"rate of level {level['level']}")
        cut = threshold(rate)
        levels.append(
            {
                "level": str(level["level"]),
                "rate": str(level["rate"]),
                "threshold": str(cut),
                "probability": f"{cut}/{TWO_64}",
            }
        )
    return levels


def run(snapshot: Mapping[str, Any], seed_hex: str) -> dict[str, Any]:
    """The draw: which targets are selected and which team goes to each (see the module doc).
    The snapshot's shape is the caller's to ensure: `verify` checks a document from outside with
    `layout.check_snapshot` first; the steps draw snapshots they made themselves."""
    result_format = FORMATS.get(str(snapshot.get("format")))
    if result_format is None:
        raise ModelError(f"not a snapshot of a known format ({', '.join(FORMATS)})")
    seed_bytes = bytes.fromhex(seed_hex)
    if len(seed_bytes) != 32:
        raise ModelError("the seed is 32 bytes (64 hex digits)")
    levels = _levels(snapshot)
    cuts = {level["level"]: int(level["threshold"]) for level in levels}
    team_size = int(snapshot["team_size"])

    # 1. targets: one ticket each, compared with the threshold of its level
    selected: list[tuple[int, str, Mapping[str, Any]]] = []
    by_level: dict[str, int] = defaultdict(int)
    prefix = seed_bytes + TARGET_TAG
    sha256 = hashlib.sha256
    for target in snapshot["targets"]:
        level = target["level"]
        cut = cuts.get(level)
        if cut is None:
            raise ModelError(f"target {target['id']} has level {level!r}, not in the model")
        by_level[level] += 1
        value = int.from_bytes(sha256(prefix + target["id"].encode("utf-8")).digest()[:8], "big")
        if value < cut:
            selected.append((value, target["id"], target))
    selected.sort(key=lambda item: (item[0], item[1]))

    # 2. teams: least load first, ties by hash order, per (jurisdiction, qualification) pool
    load: dict[str, int] = {}
    pools: dict[tuple[str, str], _Pool] = {}
    memberships: dict[str, list[_Pool]] = {}
    for inspector in snapshot["inspectors"]:
        if not inspector["on_duty"]:
            continue
        iid = inspector["id"]
        load[iid] = int(inspector["load"])
        entry = (load[iid], _tiebreak(seed_bytes, load[iid], iid), iid)
        memberships[iid] = []
        for qualification in inspector["qualifications"]:
            joined = pools.setdefault((inspector["jurisdiction"], qualification), _Pool([]))
            joined.heap.append(entry)
            memberships[iid].append(joined)
    for each in pools.values():
        heapq.heapify(each.heap)
    conflicted: dict[str, set[str]] = defaultdict(set)
    for inspector_id, company in snapshot["conflicts"]:
        conflicted[company].add(inspector_id)

    picks: list[dict[str, Any]] = []
    unstaffed: list[dict[str, Any]] = []
    for value, target_id, target in selected:
        pool: _Pool | None = pools.get((target["jurisdiction"], target["kind"]))
        excluded = conflicted.get(target["company"], set()) | set(target["last_team"])
        team: list[str] = []
        set_aside: list[tuple[int, int, str]] = []
        while pool is not None and pool.heap and len(team) < team_size:
            entry = heapq.heappop(pool.heap)
            entry_load, _, iid = entry
            if entry_load != load[iid]:
                continue  # out of date: a newer entry with the current load is in the heap
            set_aside.append(entry)
            if iid not in excluded:
                team.append(iid)
        if pool is not None:
            if len(team) < team_size:
                team = []
            for entry in set_aside:
                if entry[2] in team:
                    continue
                heapq.heappush(pool.heap, entry)
        base = {"target": target_id, "level": target["level"], "ticket": f"{value:016x}"}
        if not team:
            unstaffed.append({**base, "reason": "not_enough_eligible_inspectors"})
            continue
        for iid in team:
            load[iid] += 1
            entry = (load[iid], _tiebreak(seed_bytes, load[iid], iid), iid)
            for member_pool in memberships[iid]:
                heapq.heappush(member_pool.heap, entry)
        picks.append({**base, "team": team})

    return {
        "format": result_format,
        "draw_id": snapshot["draw_id"],
        "agency": snapshot["agency"],
        "model": {k: snapshot["model"][k] for k in ("model_id", "version", "hash")},
        "team_size": team_size,
        "levels": levels,
        "population": {
            "targets": len(snapshot["targets"]),
            "inspectors_on_duty": len(load),
            "by_level": dict(sorted(by_level.items())),
        },
        "selected": picks,
        "unstaffed": unstaffed,
    }


def publish(snapshot: Mapping[str, Any], secret_hex: str, beacon: str = "") -> dict[str, Any]:
    """The whole published document of a draw: commitment, reveal, seed, and the result."""
    digest = snapshot_hash(snapshot)
    seed_hex = seed(secret_hex, digest, beacon)
    result = run(snapshot, seed_hex)
    document = {
        **result,
        "snapshot_hash": digest,
        "commitment": commitment(secret_hex),
        "secret": secret_hex,
        "beacon_value": beacon,
        "seed": seed_hex,
    }
    document["result_hash"] = result_hash(document)
    return document


# ------------------------------------------------------------------ verification


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def verify(
    published: Mapping[str, Any], snapshot: Mapping[str, Any], digest: str | None = None
) -> list[str]:
    """Re-run a published draw on its snapshot; an empty list means identical, otherwise one
    line per difference (what, published value, recomputed value). `digest`: the snapshot's
    hash when the caller has it already."""
    differences: list[str] = []

    def differ(what: str, claimed: Any, recomputed: Any) -> None:
        if claimed != recomputed:
            differences.append(
                f"{what}: published {_short(claimed)}, recomputed {_short(recomputed)}"
            )

    try:
        layout.check_result(published)
    except ModelError as exc:
        return [str(exc)]
    try:
        digest = digest or snapshot_hash(snapshot)
    except (ModelError, TypeError, ValueError) as exc:
        return [f"snapshot: {exc}"]
    differ("snapshot_hash", published.get("snapshot_hash"), digest)
    secret_hex = str(published.get("secret") or "")
    if not layout.HEX64.fullmatch(secret_hex):
        return [*differences, "secret: not 32 bytes in lowercase hex"]
    differ("commitment", published.get("commitment"), commitment(secret_hex))
    beacon = str(published.get("beacon_value") or "")
    if snapshot.get("beacon") and not beacon:
        differences.append(
            f"beacon_value: the snapshot names beacon {snapshot['beacon']!r}, "
            "the published draw gives no value for it"
        )
    # the seed is bound to the snapshot hash that was published before the reveal
    claimed_hash = str(published.get("snapshot_hash") or "")
    seed_hex = seed(
        secret_hex, claimed_hash if layout.HEX64.fullmatch(claimed_hash) else digest, beacon
    )
    differ("seed", published.get("seed"), seed_hex)
    try:
        layout.check_snapshot(snapshot)  # a document from outside: its shape first
        expected = run(snapshot, seed_hex)
    except (ModelError, KeyError, TypeError, ValueError) as exc:
        return [*differences, f"snapshot: cannot be drawn ({exc})"]
    for key in ("format", "draw_id", "agency", "model", "team_size", "levels", "population"):
        differ(key, published.get(key), expected[key])
    differences.extend(_compare_picks(published, expected))
    if "result_hash" in published:
        differ("result_hash", published["result_hash"], result_hash(published))
    return differences


def _compare_picks(published: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("selected", "unstaffed"):
        claimed = {p.get("target"): p for p in published.get(key) or []}
        wanted = {p["target"]: p for p in expected[key]}
        for target in sorted(set(wanted) - set(claimed), key=str):
            out.append(f"{key}: target {target} is missing from the published draw")
        for target in sorted(set(claimed) - set(wanted), key=str):
            out.append(f"{key}: target {target} is published but not drawn")
        for target in sorted(set(claimed) & set(wanted), key=str):
            for field in sorted(set(claimed[target]) | set(wanted[target])):
                if claimed[target].get(field) != wanted[target].get(field):
                    out.append(
                        f"{key}: target {target} {field}: published "
                        f"{_short(claimed[target].get(field))}, recomputed "
                        f"{_short(wanted[target].get(field))}"
                    )
        order_claimed = [p.get("target") for p in published.get(key) or []]
        order_wanted = [p["target"] for p in expected[key]]
        if not out and order_claimed != order_wanted:
            out.append(f"{key}: the draw order differs")
    return out


def redraw_team(
    snapshot: Mapping[str, Any], seed_hex: str, target_id: str, n: int, excluded: set[str]
) -> list[str]:
    """The `n`-th redraw of a target's team: eligible as in the draw and not in `excluded`,
    least load first (load at the freeze plus what the draw gave), ties by hash order under
    `SHA-256(seed ‖ "redraw" ‖ target id ‖ n)`. Empty when too few are eligible."""
    target = next((t for t in snapshot["targets"] if t["id"] == target_id), None)
    if target is None:
        raise ModelError(f"target {target_id} is not in the snapshot")
    given: dict[str, int] = defaultdict(int)
    for pick in run(snapshot, seed_hex)["selected"]:
        for member in pick["team"]:
            given[member] += 1
    redraw_seed = hashlib.sha256(
        bytes.fromhex(seed_hex) + b"redraw" + target_id.encode("utf-8") + n.to_bytes(4, "big")
    ).digest()
    conflicted = {i for i, company in snapshot["conflicts"] if company == target["company"]}
    blocked = conflicted | set(target["last_team"]) | excluded
    ranked = sorted(
        (
            int(i["load"]) + given[i["id"]],
            _tiebreak(redraw_seed, int(i["load"]) + given[i["id"]], i["id"]),
            i["id"],
        )
        for i in snapshot["inspectors"]
        if i["on_duty"]
        and i["jurisdiction"] == target["jurisdiction"]
        and target["kind"] in i["qualifications"]
        and i["id"] not in blocked
    )
    team_size = int(snapshot["team_size"])
    if len(ranked) < team_size:
        return []
    return [iid for _, _, iid in ranked[:team_size]]
