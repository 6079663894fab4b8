"""The snapshot document of a draw: the frozen population (targets with their level,
inspectors with roster entry and load, declared conflicts), the model's levels and rates, the
team size, the beacon round named and, from version 2, the reveal wait.

`make_snapshot` writes it in its canonical layout (members sorted as the specification says,
`docs/draw-specification.md` section 3.1); its hash is `draw.snapshot_hash`. No AWS, no I/O.
`draw` re-exports these names, so `draw.make_snapshot` is this function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enforcement.dispatch.risk import ModelError

SNAPSHOT_FORMAT = "dispatch-snapshot/2"


@dataclass(frozen=True)
class Target:
    id: str
    kind: str
    jurisdiction: str
    company: str
    level: str
    score: str = "0"
    last_team: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "company": self.company,
            "level": self.level,
            "score": self.score,
            "last_team": sorted(self.last_team),
        }


@dataclass(frozen=True)
class Inspector:
    id: str
    jurisdiction: str
    qualifications: tuple[str, ...]
    on_duty: bool
    load: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "jurisdiction": self.jurisdiction,
            "qualifications": sorted(set(self.qualifications)),
            "on_duty": self.on_duty,
            "load": self.load,
        }


def make_snapshot(
    *,
    draw_id: str,
    agency: str,
    frozen_at: str,
    model: Mapping[str, Any],
    team_size: int,
    targets: Sequence[Target],
    inspectors: Sequence[Inspector],
    conflicts: Sequence[tuple[str, str]],
    beacon: str | None = None,
    reveal_wait_seconds: int = 0,
    version: int = 2,
) -> dict[str, Any]:
    """The canonical snapshot document. `model` is {model_id, version, hash, levels: [{level,
    min_score, rate}]} with decimal strings. `version=1` gives the layout of draws published
    before the reveal wait was part of the snapshot (for tests of old draws)."""
    if team_size < 1:
        raise ModelError("team_size must be at least 1")
    if version not in (1, 2):
        raise ModelError(f"no snapshot version {version}")
    if not 0 <= reveal_wait_seconds <= 86_400:
        raise ModelError("reveal_wait_seconds is within 0 and 86400")
    ids = [t.id for t in targets]
    if len(set(ids)) != len(ids):
        raise ModelError("target ids must be unique")
    inspector_ids = [i.id for i in inspectors]
    if len(set(inspector_ids)) != len(inspector_ids):
        raise ModelError("inspector ids must be unique")
    document: dict[str, Any] = {
        "format": f"dispatch-snapshot/{version}",
        "draw_id": draw_id,
        "agency": agency,
        "frozen_at": frozen_at,
        "beacon": beacon,
        "model": dict(model),
        "team_size": team_size,
        "targets": [t.as_dict() for t in sorted(targets, key=lambda t: t.id)],
        "inspectors": [i.as_dict() for i in sorted(inspectors, key=lambda i: i.id)],
        "conflicts": [list(pair) for pair in sorted({(a, b) for a, b in conflicts})],
    }
    if version >= 2:
        document["reveal_wait_seconds"] = reveal_wait_seconds
    return document
