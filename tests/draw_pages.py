"""A draw page (what `GET /public/draws/{id}` publishes) made from a draw's two documents, for
tests that verify documents anchored on a page without a stack."""

from __future__ import annotations

import copy
from typing import Any


def page_of(published: dict[str, Any], snapshot: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The page of a published draw whose documents these are (with `changes` applied)."""
    page = {
        "draw_id": snapshot["draw_id"],
        "status": "published",
        "snapshot_hash": published["snapshot_hash"],
        "commitment": published["commitment"],
        "committed_at": snapshot["frozen_at"],
        "reveal_wait_seconds": snapshot.get("reveal_wait_seconds"),
        "beacon": snapshot.get("beacon"),
        "secret": published["secret"],
        "beacon_value": published.get("beacon_value") or None,
        "revealed_at": None,
        "seed": published["seed"],
        "result_hash": published["result_hash"],
    }
    page.update(changes)
    return page


# ------------------------------------------------------------------ a draw and its forgeries

DRAW_ID = "draw-00c0ffee00c0ffee"
SECRET = "5a" * 32
WAIT = 600
FROZEN_AT = "2026-03-01T01:00:00.123Z"


def published_draw() -> tuple[dict[str, Any], dict[str, Any]]:
    """A published draw (documents as the stack stores them) naming a quicknet round: the
    first after its commitment time plus its reveal wait."""
    from enforcement import clock
    from enforcement.dispatch import beacon, draw, risk

    from tests import synthetic

    model = risk.parse_model(risk.ship_model_document())
    snapshot = synthetic.population(model, targets=300, inspectors=16, salt="anchors")
    snapshot["draw_id"] = DRAW_ID
    snapshot["frozen_at"] = FROZEN_AT
    snapshot["reveal_wait_seconds"] = WAIT
    moment = clock.parse(FROZEN_AT).timestamp() + WAIT
    snapshot["beacon"] = beacon.QUICKNET.name(beacon.QUICKNET.first_round_after(moment))
    return draw.publish(snapshot, SECRET, "b7" * 32), snapshot


def drop_first_drawn(published: dict[str, Any], snapshot: dict[str, Any]) -> tuple[Any, Any]:
    """The forgery: the first drawn target taken out of the snapshot, and a result rebuilt for
    the rest with the real secret and beacon value (so it carries the real commitment)."""
    from enforcement.dispatch import draw

    forged = copy.deepcopy(snapshot)
    dropped = published["selected"][0]["target"]
    forged["targets"] = [t for t in forged["targets"] if t["id"] != dropped]
    return draw.publish(forged, published["secret"], published["beacon_value"]), forged


def lower_a_level(published: dict[str, Any], snapshot: dict[str, Any]) -> tuple[Any, Any]:
    """The forgery: a drawn very-high-risk target's level lowered to low, result rebuilt."""
    from enforcement.dispatch import draw

    forged = copy.deepcopy(snapshot)
    chosen = next(p["target"] for p in published["selected"] if p["level"] == "very_high")
    next(t for t in forged["targets"] if t["id"] == chosen)["level"] = "low"
    return draw.publish(forged, published["secret"], published["beacon_value"]), forged
