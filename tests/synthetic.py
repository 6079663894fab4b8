"""A synthetic dispatch population for tests and benchmarks: deterministic (hash-derived, no
`random`), so the same arguments give the same snapshot everywhere. Not part of the layer."""

from __future__ import annotations

import hashlib
from typing import Any

from enforcement.dispatch.risk import RiskModel, rate_text
from enforcement.dispatch.snapshot import Inspector, Target, make_snapshot

KINDS = ("ship", "cargo", "company")


def _u64(*parts: object) -> int:
    data = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def population(
    model: RiskModel,
    *,
    targets: int,
    inspectors: int,
    jurisdictions: int = 4,
    companies: int = 500,
    conflicts: int = 0,
    team_size: int = 2,
    salt: str = "synthetic",
    model_version: int = 1,
    kinds: tuple[str, ...] = KINDS,
    snapshot_version: int = 2,
) -> dict[str, Any]:
    """A snapshot of `targets` targets spread over the model's levels (most of them low, as in
    life) and `inspectors` inspectors, 90 % of them on duty, with loads 0-4."""
    levels = [level.level for level in model.levels]
    # share of targets per level, lowest first: 70 %, 20 %, 8 %, 2 % (for four levels)
    shares = (
        [70, 20, 8, 2][: len(levels)] if len(levels) <= 4 else [100 // len(levels)] * len(levels)
    )
    cumulative = [sum(shares[: i + 1]) for i in range(len(shares))]
    population_targets = []
    for n in range(targets):
        pick = _u64(salt, "level", n) % cumulative[-1]
        level = levels[next(i for i, c in enumerate(cumulative) if pick < c)]
        population_targets.append(
            Target(
                id=f"t{n:06d}",
                kind=kinds[_u64(salt, "kind", n) % len(kinds)],
                jurisdiction=f"j{_u64(salt, 'jur', n) % jurisdictions}",
                company=f"co{_u64(salt, 'co', n) % companies:04d}",
                level=level,
                last_team=(f"i{_u64(salt, 'last', n) % max(inspectors, 1):05d}",)
                if n % 5 == 0
                else (),
            )
        )
    population_inspectors = []
    for n in range(inspectors):
        quals = tuple(k for k in kinds if _u64(salt, "q", n, k) % 3 != 0) or (
            kinds[n % len(kinds)],
        )
        population_inspectors.append(
            Inspector(
                id=f"i{n:05d}",
                jurisdiction=f"j{n % jurisdictions}",
                qualifications=quals,
                on_duty=_u64(salt, "duty", n) % 10 != 0,
                load=int(_u64(salt, "load", n) % 5),
            )
        )
    declared = [
        (
            f"i{_u64(salt, 'ci', n) % max(inspectors, 1):05d}",
            f"co{_u64(salt, 'cc', n) % companies:04d}",
        )
        for n in range(conflicts)
    ]
    return make_snapshot(
        draw_id=f"draw-{salt}",
        agency="msa-example",
        frozen_at="2026-01-01T00:00:00.000Z",
        model={
            "model_id": model.model_id,
            "version": model_version,
            "hash": model.hash,
            "levels": [
                {"level": lv.level, "min_score": str(lv.min_score), "rate": rate_text(lv.rate)}
                for lv in model.levels
            ],
        },
        team_size=team_size,
        targets=population_targets,
        inspectors=population_inspectors,
        conflicts=declared,
        version=snapshot_version,
    )
