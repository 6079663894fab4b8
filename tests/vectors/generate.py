"""Write the draw test vectors under tests/vectors/draw-v<N>/ from the reference implementation.

    .venv/bin/python -m tests.vectors.generate          # rewrite the committed files
    .venv/bin/python -m tests.vectors.generate --check  # exit 1 if they would change

Each directory holds a small draw (docs/draw-specification.md): `snapshot.json` and
`result.json` in their canonical bytes (so SHA-256 of the file is the published hash),
`inputs.json` (what a verifier is given: the anchors of the draw page) and `intermediate.json`
(every value computed on the way: hash inputs, tickets, thresholds, the order of the draw, each
team's candidates with their choice keys, the result hash, a redraw). The snapshots are written
out by hand here, field by field, so that a change of layout in the code cannot move them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from enforcement.dispatch import beacon, draw, risk

HERE = Path(__file__).resolve().parent
QUICKNET = beacon.QUICKNET

SECRET = "8f1c2b3a4d5e6f708192a3b4c5d6e7f80112233445566778899aabbccddeeff0"
FROZEN_AT = "2026-03-01T01:00:00.123Z"
REVEAL_WAIT = 600
#: An example round signature (not a real quicknet round): the beacon value is its SHA-256.
SIGNATURE = (
    hashlib.sha256(b"example signature, part 1").digest()
    + hashlib.sha256(b"example signature, part 2").digest()[:16]
).hex()
LEVELS = [
    {"level": "low", "min_score": "0", "rate": "0.3"},
    {"level": "medium", "min_score": "10", "rate": "0.5"},
    {"level": "high", "min_score": "20", "rate": "0.8"},
    {"level": "very_high", "min_score": "30", "rate": "1"},
]
MODEL = {
    "model_id": "ship-risk",
    "version": 3,
    "hash": hashlib.sha256(b"vector model").hexdigest(),
    "levels": LEVELS,
}
NORTH = "j-北仑"  # a non-ASCII jurisdiction: its canonical form is \uXXXX escapes
SOUTH = "j-wusongkou"


def _inspector_ids(version: int) -> list[str]:
    if version == 1:  # version 1 draws named inspectors by their account ids
        return [f"off-{name}" for name in ("chen", "li", "sun", "wang", "wu", "zhao", "zhou")]
    return [
        "insp-" + hashlib.sha256(f"vector inspector {n}".encode()).hexdigest()[:16]
        for n in range(7)
    ]


def snapshot(version: int) -> dict[str, Any]:
    i = _inspector_ids(version)
    targets = [
        # id, kind, jurisdiction, company, level, score, last_team
        ("cargo-01", "cargo", SOUTH, "co-2", "very_high", "31.5", []),  # nobody holds cargo
        ("ship-01", "ship", SOUTH, "co-1", "very_high", "42", [i[1]]),
        ("ship-02", "ship", SOUTH, "co-1", "very_high", "35.25", []),
        ("ship-03", "ship", SOUTH, "co-3", "very_high", "30", []),
        ("ship-04", "ship", SOUTH, "co-4", "high", "22", []),
        ("ship-05", "ship", SOUTH, "co-5", "high", "20.5", []),
        ("ship-06", "ship", SOUTH, "co-6", "medium", "12", []),
        ("ship-07", "ship", SOUTH, "co-7", "medium", "10", []),
        ("ship-08", "ship", SOUTH, "co-8", "low", "3", []),
        ("ship-09", "ship", SOUTH, "co-9", "low", "0", []),
        ("ship-10", "ship", NORTH, "co-1", "very_high", "33", []),
        ("ship-11", "ship", NORTH, "co-2", "low", "1.5", []),
    ]
    inspectors = [
        # id, jurisdiction, qualifications, on_duty, load
        (i[0], SOUTH, ["ship"], True, 0),
        (i[1], SOUTH, ["patrol", "ship"], True, 0),
        (i[2], SOUTH, ["ship"], True, 1),
        (i[3], SOUTH, ["ship"], False, 0),  # off duty
        (i[4], SOUTH, ["ship"], True, 0),
        (i[5], NORTH, ["ship"], True, 2),
        (i[6], NORTH, ["ship"], True, 0),
    ]
    document: dict[str, Any] = {
        "format": f"dispatch-snapshot/{version}",
        "draw_id": f"draw-{'0' * 15}{version}",
        "agency": "msa-example",
        "frozen_at": FROZEN_AT,
        "beacon": QUICKNET.name(_round()),
        "model": MODEL,
        "team_size": 2,
        "targets": [
            {
                "id": t[0],
                "kind": t[1],
                "jurisdiction": t[2],
                "company": t[3],
                "level": t[4],
                "score": t[5],
                "last_team": sorted(t[6]),
            }
            for t in sorted(targets)
        ],
        "inspectors": [
            {
                "id": p[0],
                "jurisdiction": p[1],
                "qualifications": sorted(p[2]),
                "on_duty": p[3],
                "load": p[4],
            }
            for p in sorted(inspectors)
        ],
        "conflicts": sorted([[i[0], "co-1"], [i[6], "co-1"]]),
    }
    if version >= 2:
        document["reveal_wait_seconds"] = REVEAL_WAIT
    return document


def _round() -> int:
    committed = risk_ms(FROZEN_AT)
    # the first round whose time is strictly after the commitment plus the wait (integers, ms)
    after = committed + REVEAL_WAIT * 1000 - QUICKNET.genesis * 1000
    return after // (QUICKNET.period * 1000) + 2


def risk_ms(text: str) -> int:
    from enforcement import clock

    moment = clock.parse(text)
    return int(moment.timestamp()) * 1000 + moment.microsecond // 1000


def _u64(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def _candidates(
    snapshot_doc: dict[str, Any],
    seed_bytes: bytes,
    target: dict[str, Any],
    load: dict[str, int],
    excluded: set[str],
) -> list[dict[str, Any]]:
    """The inspectors of the target's pool with their choice keys, in the order they are taken."""
    rows = []
    for inspector in snapshot_doc["inspectors"]:
        if not inspector["on_duty"] or inspector["jurisdiction"] != target["jurisdiction"]:
            continue
        if target["kind"] not in inspector["qualifications"]:
            continue
        iid = inspector["id"]
        data = seed_bytes + b"I" + load[iid].to_bytes(4, "big") + iid.encode("utf-8")
        rows.append(
            {
                "id": iid,
                "load": load[iid],
                "tiebreak_input": data.hex(),
                "tiebreak": f"{_u64(data):016x}",
                "excluded": iid in excluded,
            }
        )
    rows.sort(key=lambda r: (r["load"], r["tiebreak"], r["id"].encode("utf-8")))
    return rows


def vectors(version: int) -> dict[str, Any]:
    snap = snapshot(version)
    snapshot_bytes = risk.canonical_bytes(snap)
    snapshot_hash = hashlib.sha256(snapshot_bytes).hexdigest()
    assert snapshot_hash == draw.snapshot_hash(snap)
    beacon_value = hashlib.sha256(bytes.fromhex(SIGNATURE)).hexdigest()
    commit_input = b"dispatch-commit/1" + bytes.fromhex(SECRET)
    seed_input = (
        b"dispatch-seed/1"
        + bytes.fromhex(SECRET)
        + bytes.fromhex(snapshot_hash)
        + beacon_value.encode("utf-8")
    )
    seed_hex = hashlib.sha256(seed_input).hexdigest()
    seed_bytes = bytes.fromhex(seed_hex)
    published = draw.publish(snap, SECRET, beacon_value)
    assert published["seed"] == seed_hex
    assert published["commitment"] == hashlib.sha256(commit_input).hexdigest()

    thresholds = {lv["level"]: int(lv["threshold"]) for lv in published["levels"]}
    tickets = []
    for target in snap["targets"]:
        data = seed_bytes + b"T" + target["id"].encode("utf-8")
        value = _u64(data)
        tickets.append(
            {
                "target": target["id"],
                "level": target["level"],
                "input": data.hex(),
                "ticket": f"{value:016x}",
                "ticket_decimal": str(value),
                "threshold": str(thresholds[target["level"]]),
                "selected": value < thresholds[target["level"]],
            }
        )
    order = sorted((t for t in tickets if t["selected"]), key=lambda t: (t["ticket"], t["target"]))

    # teams, target by target in draw order, with the loads as they change
    load = {i["id"]: i["load"] for i in snap["inspectors"] if i["on_duty"]}
    by_id = {t["id"]: t for t in snap["targets"]}
    conflicts = {(a, b) for a, b in snap["conflicts"]}
    teams = []
    for entry in order:
        target = by_id[entry["target"]]
        # every inspector with a conflict with the company, and the previous team
        excluded = {i for i, company in conflicts if company == target["company"]}
        excluded |= set(target["last_team"])
        candidates = _candidates(snap, seed_bytes, target, load, excluded)
        team = [c["id"] for c in candidates if not c["excluded"]][: snap["team_size"]]
        staffed = len(team) == snap["team_size"]
        if staffed:
            for member in team:
                load[member] += 1
        teams.append(
            {
                "target": target["id"],
                "pool": {"jurisdiction": target["jurisdiction"], "kind": target["kind"]},
                "excluded": sorted(excluded),
                "candidates": candidates,
                "team": team if staffed else [],
                "staffed": staffed,
                "loads_after": dict(sorted(load.items())),
            }
        )
    drawn = {p["target"]: p.get("team", []) for p in published["selected"]}
    assert [t["target"] for t in teams if t["staffed"]] == [
        p["target"] for p in published["selected"]
    ]
    assert [t["target"] for t in teams if not t["staffed"]] == [
        p["target"] for p in published["unstaffed"]
    ]
    for row in teams:
        assert row["team"] == drawn.get(row["target"], []), row["target"]

    # one redraw: of the first staffed target for which one can be drawn, its team excluded
    given: dict[str, int] = {}
    for row in teams:
        for member in row["team"]:
            given[member] = given.get(member, 0) + 1
    after_draw = {
        i["id"]: i["load"] + given.get(i["id"], 0) for i in snap["inspectors"] if i["on_duty"]
    }
    for first in (t for t in teams if t["staffed"]):
        target = by_id[first["target"]]
        redraw_input = (
            seed_bytes + b"redraw" + target["id"].encode("utf-8") + (1).to_bytes(4, "big")
        )
        redraw_seed = hashlib.sha256(redraw_input).digest()
        redraw_excluded = set(first["team"]) | set(target["last_team"])
        redraw_excluded |= {i for i, company in conflicts if company == target["company"]}
        redraw_candidates = _candidates(snap, redraw_seed, target, after_draw, redraw_excluded)
        redraw_team = [c["id"] for c in redraw_candidates if not c["excluded"]]
        redraw_team = redraw_team[: snap["team_size"]]
        expected = draw.redraw_team(snap, seed_hex, target["id"], 1, set(first["team"]))
        if len(redraw_team) == snap["team_size"]:
            assert redraw_team == expected
            break
        assert expected == []
    else:
        raise AssertionError("no target of the vector can be redrawn")

    result_bytes = risk.canonical_bytes(published)
    body = {k: v for k, v in published.items() if k != "result_hash"}
    return {
        "snapshot.json": snapshot_bytes,
        "result.json": result_bytes,
        "inputs.json": _json(
            {
                "comment": "what the draw page publishes: the anchors a verifier checks against",
                "draw_id": snap["draw_id"],
                "snapshot_hash": snapshot_hash,
                "commitment": published["commitment"],
                "committed_at": FROZEN_AT,
                "reveal_wait_seconds": REVEAL_WAIT,
                "beacon": snap["beacon"],
                "beacon_chain": {
                    "chain_hash": QUICKNET.chain_hash,
                    "genesis_time": QUICKNET.genesis,
                    "period": QUICKNET.period,
                },
                "beacon_signature": SIGNATURE,
                "beacon_value": beacon_value,
                "secret": SECRET,
                "seed": seed_hex,
                "result_hash": published["result_hash"],
            }
        ),
        "intermediate.json": _json(
            {
                "comment": (
                    "every value of the draw, in the order the specification computes them; "
                    "byte strings in lowercase hex, 64-bit integers as 16 hex digits"
                ),
                "snapshot_sha256": snapshot_hash,
                "commitment_input": commit_input.hex(),
                "commitment": published["commitment"],
                "beacon_round": _round(),
                "beacon_round_time": QUICKNET.round_time(_round()),
                "beacon_value": beacon_value,
                "seed_input": seed_input.hex(),
                "seed": seed_hex,
                "levels": published["levels"],
                "tickets": tickets,
                "draw_order": [t["target"] for t in order],
                "teams": teams,
                "result_hash_input_sha256": hashlib.sha256(risk.canonical_bytes(body)).hexdigest(),
                "result_hash": published["result_hash"],
                "redraw": {
                    "target": first["target"],
                    "n": 1,
                    "excluded_by_request": first["team"],
                    "loads_after_the_draw": dict(sorted(after_draw.items())),
                    "redraw_seed_input": redraw_input.hex(),
                    "redraw_seed": redraw_seed.hex(),
                    "candidates": redraw_candidates,
                    "team": redraw_team,
                },
            }
        ),
    }


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    versions = [int(a) for a in argv if a.isdigit()] or [1, 2]
    changed = []
    for version in versions:
        folder = HERE / f"draw-v{version}"
        folder.mkdir(exist_ok=True)
        for name, data in vectors(version).items():
            path = folder / name
            if not path.exists() or path.read_bytes() != data:
                changed.append(str(path.relative_to(HERE)))
                if not check:
                    path.write_bytes(data)
    if changed:
        print(("would change: " if check else "wrote: ") + ", ".join(changed))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
