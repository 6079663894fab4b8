"""The pure rules of dispatch (`dispatch.rules`), and the public answers' models: a published
document goes out exactly as it was written, so its hash can be re-derived from the answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement import documents
from enforcement.dispatch import draw, risk, rules
from enforcement.dispatch.public_schemas import PublicDrawPageOut, ResultDocument, SnapshotDocument
from pydantic import TypeAdapter

from tests import synthetic

MODEL = risk.parse_model(risk.ship_model_document())


def test_the_seed_is_shown_only_from_the_reveal_on() -> None:
    shown = ["requested", "committed", "revealed", "drawn", "published", "failed"]
    assert [s for s in shown if rules.revealed(s)] == ["revealed", "drawn", "published"]
    assert [s for s in shown if rules.public(s)] == ["committed", "revealed", "drawn", "published"]
    assert [s for s in shown if rules.drawn(s)] == ["drawn", "published"]


def test_conflicts_only_accumulate() -> None:
    assert rules.merged_conflicts(["co-b", "co-a"], []) == ["co-a", "co-b"]
    assert rules.merged_conflicts(None, ["co-c", "co-c"]) == ["co-c"]
    assert rules.merged_conflicts(["co-a"], ["co-b"]) == ["co-a", "co-b"]


def test_a_redraw_excludes_every_earlier_team() -> None:
    redraws = [{"previous_team": ["a", "b"], "team": ["c", "d"]}]
    assert rules.redraw_excluded(["c", "d"], redraws) == {"a", "b", "c", "d"}
    assert rules.redraw_excluded(["a"], []) == {"a"}


def test_a_target_keeps_its_latest_inspections_newest_first() -> None:
    history = [{"n": n} for n in range(rules.HISTORY_KEPT)]
    kept = rules.target_history({"n": "new"}, history)
    assert len(kept) == rules.HISTORY_KEPT
    assert kept[0] == {"n": "new"}
    assert kept[-1] == {"n": rules.HISTORY_KEPT - 2}
    assert rules.target_history({"n": 1}, None) == [{"n": 1}]


def test_a_scheduled_draw_id_follows_from_agency_and_time() -> None:
    one = rules.scheduled_draw_id("msa-a", "2026-03-01T01:00:00Z")
    assert one == rules.scheduled_draw_id("msa-a", "2026-03-01T01:00:00Z")
    assert one != rules.scheduled_draw_id("msa-b", "2026-03-01T01:00:00Z")
    assert one != rules.scheduled_draw_id("msa-a", "2026-03-02T01:00:00Z")
    assert len(one) == len("draw-") + 16


def test_only_an_assigned_target_gets_a_result_and_only_published_draws_a_redraw() -> None:
    assert [s for s in ("assigned", "unstaffed", "inspected") if rules.may_record(s)] == [
        "assigned"
    ]
    assert [s for s in ("drawn", "published", None) if rules.may_redraw(s)] == ["published"]


# ------------------------------------------------------------------ documents as written


def _as_answered(model: type, document: dict[str, Any]) -> bytes:
    """The document as the route answers it: validated into its model, then dumped."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    answer = adapter.dump_python(adapter.validate_python(document), mode="json")
    return json.dumps(answer, ensure_ascii=False).encode()


@pytest.mark.parametrize("version", [1, 2])
def test_published_documents_are_answered_exactly_as_stored(version: int) -> None:
    snapshot = synthetic.population(
        MODEL, targets=80, inspectors=8, conflicts=3, salt="rules", snapshot_version=version
    )
    published = draw.publish(snapshot, "5a" * 32)
    for model, document in ((SnapshotDocument, snapshot), (ResultDocument, published)):
        stored = documents.strict_loads(documents.canonical_bytes(document).decode())
        answered = _as_answered(model, stored)
        # the same members in the same (canonical) order: nothing added, nothing dropped
        assert answered == json.dumps(stored, ensure_ascii=False).encode()
    answered_snapshot = _as_answered(SnapshotDocument, snapshot).decode()
    assert ("reveal_wait_seconds" in answered_snapshot) is (version == 2)


def test_a_draw_page_has_assignments_only_once_drawn() -> None:
    page = {
        "draw_id": "draw-00000000000000aa",
        "agency": "msa-a",
        "trigger": "on_demand",
        "status": "committed",
        "requested_at": "2026-03-01T01:00:00.000Z",
        "model": {"model_id": "ship", "version": 1, "hash": "0" * 64},
        "team_size": 2,
        **dict.fromkeys(
            ("snapshot_hash", "commitment", "committed_at", "beacon", "secret", "beacon_value")
        ),
        **dict.fromkeys(("seed", "revealed_at", "result_hash", "selected_count")),
        **dict.fromkeys(("unstaffed_count", "drawn_at", "published_at", "reveal_wait_seconds")),
        "beacon_chain": None,
        "snapshot_url": None,
    }
    answered = PublicDrawPageOut.model_validate(page).model_dump(mode="json")
    assert answered == page  # no `assignments: null` before the draw
    drawn = PublicDrawPageOut.model_validate({**page, "status": "drawn", "assignments": []})
    assert drawn.model_dump(mode="json")["assignments"] == []
