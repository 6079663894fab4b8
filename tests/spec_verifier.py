"""A second, minimal implementation of the draw, written from docs/draw-specification.md alone.

It imports nothing of the project (only the standard library: `hashlib`, and `json` to *parse*
documents), so that where it agrees bit for bit with the published draws and the test vectors,
the specification is complete: an outsider following the text gets the same bytes. Section
numbers refer to the specification.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

TWO_64 = 2**64
SUPPORTED = {"dispatch-snapshot/1": "dispatch-result/1", "dispatch-snapshot/2": "dispatch-result/2"}


# ------------------------------------------------------------------ 1, 2: notation, canonical JSON


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def u64(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big")


def be32(n: int) -> bytes:
    if not 0 <= n < 2**32:
        raise ValueError("be32 out of range")
    return n.to_bytes(4, "big")


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def parse(data: bytes | str) -> Any:
    """A published document: JSON with integers only (2.1)."""

    def no_float(token: str) -> Any:
        raise ValueError(f"not an integer: {token}")

    return json.loads(data, parse_float=no_float, parse_constant=no_float)


_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        point = ord(char)
        if char in _SHORT:
            out.append(_SHORT[char])
        elif 0x20 <= point <= 0x7E:
            out.append(char)
        elif point > 0xFFFF:  # two UTF-16 code units, high first
            point -= 0x10000
            out.append(f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}")
        else:
            out.append(f"\\u{point:04x}")
    out.append('"')
    return "".join(out)


def _code_points(text: str) -> list[int]:
    return [ord(c) for c in text]


def _encode(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_code_points)
        return "{" + ",".join(_string(k) + ":" + _encode(value[k]) for k in keys) + "}"
    raise ValueError(f"not allowed in a canonical document: {value!r}")


def canonical(value: Any) -> bytes:
    return _encode(value).encode("ascii")


# ------------------------------------------------------------------ 4, 5: hashes, commitment


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return sha256(canonical(snapshot)).hex()


def result_hash(result: dict[str, Any]) -> str:
    return sha256(canonical({k: v for k, v in result.items() if k != "result_hash"})).hex()


def commitment_input(secret_hex: str) -> bytes:
    return b"dispatch-commit/1" + bytes.fromhex(secret_hex)


def commitment(secret_hex: str) -> str:
    return sha256(commitment_input(secret_hex)).hex()


# ------------------------------------------------------------------ 6: the beacon round rule


def epoch_ms(text: str) -> int:
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def beacon_round(committed_at: str, wait: int, genesis: int, period: int) -> int:
    d = epoch_ms(committed_at) + 1000 * wait - 1000 * genesis
    return 1 if d < 0 else d // (1000 * period) + 2


def round_time(n: int, genesis: int, period: int) -> int:
    return genesis + (n - 1) * period


def beacon_name(chain_hash: str, n: int) -> str:
    return f"drand/quicknet/{chain_hash}/round/{n}"


# ------------------------------------------------------------------ 7: seed and thresholds


def seed_input(secret_hex: str, snapshot_hash_hex: str, beacon_value: str) -> bytes:
    return (
        b"dispatch-seed/1"
        + bytes.fromhex(secret_hex)
        + bytes.fromhex(snapshot_hash_hex)
        + utf8(beacon_value)
    )


def seed(secret_hex: str, snapshot_hash_hex: str, beacon_value: str) -> str:
    return sha256(seed_input(secret_hex, snapshot_hash_hex, beacon_value)).hex()


def rate_fraction(rate: str) -> Fraction:
    if rate in ("0", "1"):
        return Fraction(int(rate))
    whole, _, digits = rate.partition(".")
    if whole != "0" or not 1 <= len(digits) <= 12 or not digits.isdigit() or digits[-1] == "0":
        raise ValueError(f"not a rate: {rate!r}")
    return Fraction(int(digits), 10 ** len(digits))


def threshold(rate: str) -> int:
    fraction = rate_fraction(rate)
    return (fraction.numerator * TWO_64) // fraction.denominator


# ------------------------------------------------------------------ 8: tickets, 9: teams


def ticket_input(seed_bytes: bytes, target_id: str) -> bytes:
    return seed_bytes + b"T" + utf8(target_id)


def tiebreak_input(seed_bytes: bytes, load: int, inspector_id: str) -> bytes:
    return seed_bytes + b"I" + be32(load) + utf8(inspector_id)


def tickets(snapshot: dict[str, Any], seed_bytes: bytes) -> list[dict[str, Any]]:
    cuts = {lv["level"]: threshold(lv["rate"]) for lv in snapshot["model"]["levels"]}
    rows = []
    for target in snapshot["targets"]:
        data = ticket_input(seed_bytes, target["id"])
        value = u64(sha256(data))
        rows.append(
            {
                "target": target["id"],
                "level": target["level"],
                "input": data.hex(),
                "ticket": f"{value:016x}",
                "ticket_decimal": str(value),
                "threshold": str(cuts[target["level"]]),
                "selected": value < cuts[target["level"]],
            }
        )
    return rows


def ordered_pool(
    snapshot: dict[str, Any],
    key_seed: bytes,
    target: dict[str, Any],
    load: dict[str, int],
    excluded: set[str],
) -> list[dict[str, Any]]:
    pool = []
    for inspector in snapshot["inspectors"]:
        if not inspector["on_duty"] or inspector["jurisdiction"] != target["jurisdiction"]:
            continue
        if target["kind"] not in inspector["qualifications"]:
            continue
        iid = inspector["id"]
        data = tiebreak_input(key_seed, load[iid], iid)
        pool.append(
            {
                "id": iid,
                "load": load[iid],
                "tiebreak_input": data.hex(),
                "tiebreak": f"{u64(sha256(data)):016x}",
                "excluded": iid in excluded,
            }
        )
    # (load, tie-break, id): equal-width hex keeps the integer order; ids by code point
    pool.sort(key=lambda row: (row["load"], row["tiebreak"], _code_points(row["id"])))
    return pool


def _excluded(snapshot: dict[str, Any], target: dict[str, Any]) -> set[str]:
    found = {pair[0] for pair in snapshot["conflicts"] if pair[1] == target["company"]}
    return found | set(target["last_team"])


def draw(snapshot: dict[str, Any], seed_hex: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The result document without its binding members (3.2), and the trace of every value."""
    seed_bytes = bytes.fromhex(seed_hex)
    rows = tickets(snapshot, seed_bytes)
    order = sorted(
        (r for r in rows if r["selected"]), key=lambda r: (r["ticket"], _code_points(r["target"]))
    )
    by_id = {t["id"]: t for t in snapshot["targets"]}
    load = {i["id"]: i["load"] for i in snapshot["inspectors"] if i["on_duty"]}
    size = snapshot["team_size"]
    selected, unstaffed, teams = [], [], []
    for row in order:
        target = by_id[row["target"]]
        excluded = _excluded(snapshot, target)
        pool = ordered_pool(snapshot, seed_bytes, target, load, excluded)
        team = [p["id"] for p in pool if not p["excluded"]][:size]
        staffed = len(team) == size
        base = {"target": row["target"], "level": row["level"], "ticket": row["ticket"]}
        if staffed:
            for member in team:
                load[member] += 1
            selected.append({**base, "team": team})
        else:
            unstaffed.append({**base, "reason": "not_enough_eligible_inspectors"})
        teams.append(
            {
                "target": row["target"],
                "pool": {"jurisdiction": target["jurisdiction"], "kind": target["kind"]},
                "excluded": sorted(excluded, key=_code_points),
                "candidates": pool,
                "team": team if staffed else [],
                "staffed": staffed,
                "loads_after": dict(sorted(load.items())),
            }
        )
    by_level: dict[str, int] = {}
    for target in snapshot["targets"]:
        by_level[target["level"]] = by_level.get(target["level"], 0) + 1
    levels = []
    for level in snapshot["model"]["levels"]:
        cut = threshold(level["rate"])
        levels.append(
            {
                "level": level["level"],
                "rate": level["rate"],
                "threshold": str(cut),
                "probability": f"{cut}/{TWO_64}",
            }
        )
    result = {
        "format": SUPPORTED[snapshot["format"]],
        "draw_id": snapshot["draw_id"],
        "agency": snapshot["agency"],
        "model": {k: snapshot["model"][k] for k in ("model_id", "version", "hash")},
        "team_size": size,
        "levels": levels,
        "population": {
            "targets": len(snapshot["targets"]),
            "inspectors_on_duty": len(load),
            "by_level": by_level,
        },
        "selected": selected,
        "unstaffed": unstaffed,
    }
    trace = {
        "tickets": rows,
        "draw_order": [r["target"] for r in order],
        "teams": teams,
    }
    return result, trace


def publish(snapshot: dict[str, Any], secret_hex: str, beacon_value: str) -> dict[str, Any]:
    digest = snapshot_hash(snapshot)
    seed_hex = seed(secret_hex, digest, beacon_value)
    result, _ = draw(snapshot, seed_hex)
    result.update(
        snapshot_hash=digest,
        commitment=commitment(secret_hex),
        secret=secret_hex,
        beacon_value=beacon_value,
        seed=seed_hex,
    )
    result["result_hash"] = result_hash(result)
    return result


# ------------------------------------------------------------------ 10: redraws


def redraw(
    snapshot: dict[str, Any], result: dict[str, Any], target_id: str, n: int, previous: set[str]
) -> dict[str, Any]:
    seed_bytes = bytes.fromhex(result["seed"])
    load = {i["id"]: i["load"] for i in snapshot["inspectors"] if i["on_duty"]}
    for pick in result["selected"]:
        for member in pick["team"]:
            load[member] += 1
    data = seed_bytes + b"redraw" + utf8(target_id) + be32(n)
    rseed = sha256(data)
    target = next(t for t in snapshot["targets"] if t["id"] == target_id)
    excluded = _excluded(snapshot, target) | previous
    pool = ordered_pool(snapshot, rseed, target, load, excluded)
    team = [p["id"] for p in pool if not p["excluded"]][: snapshot["team_size"]]
    return {
        "loads": dict(sorted(load.items())),
        "redraw_seed_input": data.hex(),
        "redraw_seed": rseed.hex(),
        "candidates": pool,
        "team": team if len(team) == snapshot["team_size"] else [],
    }


# ------------------------------------------------------------------ 11: verification


def verify(
    page: dict[str, Any],
    result: dict[str, Any],
    snapshot: dict[str, Any],
    chain: tuple[str, int, int] | None = None,
) -> list[str]:
    """Every way the documents fail section 11 against the draw page (empty: identical).
    `chain` = (chain hash, genesis, period) to check the round rule."""
    problems = []
    if page["status"] not in ("revealed", "drawn", "published"):
        return ["not revealed"]
    anchors = [
        ("snapshot hash", snapshot_hash(snapshot), page["snapshot_hash"]),
        ("snapshot draw_id", snapshot["draw_id"], page["draw_id"]),
        ("frozen_at", snapshot["frozen_at"], page["committed_at"]),
        ("beacon", snapshot["beacon"], page["beacon"]),
        ("result draw_id", result["draw_id"], page["draw_id"]),
        ("result snapshot_hash", result["snapshot_hash"], page["snapshot_hash"]),
        ("commitment", result["commitment"], page["commitment"]),
        ("secret", result["secret"], page["secret"]),
        ("beacon_value", result["beacon_value"] or None, page["beacon_value"] or None),
        ("seed", result["seed"], page["seed"]),
        ("result hash", result_hash(result), page["result_hash"]),
    ]
    if snapshot["format"] != "dispatch-snapshot/1":
        anchors.append(
            ("reveal_wait_seconds", snapshot["reveal_wait_seconds"], page["reveal_wait_seconds"])
        )
    problems += [
        f"not the published draw: {what}" for what, given, want in anchors if given != want
    ]
    if commitment(page["secret"]) != page["commitment"]:
        problems.append("the secret does not open the commitment")
    if seed(page["secret"], page["snapshot_hash"], page["beacon_value"] or "") != page["seed"]:
        problems.append("the seed does not follow")
    if page["beacon"] and chain is not None:
        chain_hash, genesis, period = chain
        n = beacon_round(page["committed_at"], page["reveal_wait_seconds"], genesis, period)
        if page["beacon"] != beacon_name(chain_hash, n):
            problems.append(f"the round named is not {n}")
        if page.get("revealed_at") and epoch_ms(page["revealed_at"]) < 1000 * round_time(
            n, genesis, period
        ):
            problems.append("revealed before the round came out")
    again = publish(snapshot, page["secret"], page["beacon_value"] or "")
    if canonical(again) != canonical(result):
        problems.append("the re-run gives another result")
    return problems
