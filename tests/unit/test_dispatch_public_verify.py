"""The forgery that was certified: with the real draw's id, commitment, revealed secret and
beacon, a snapshot with one target dropped (or one level lowered) and a result rebuilt for it.
`POST /public/verify` (the dispatch function's own resolver, the draw's record in place of the
table) answered {"identical": true}, and the verify command's file mode printed "identical" and
exited 0. Written with what the old code had too, so it ran, and failed, against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from enforcement.dispatch import verify as verify_cli
from enforcement.dispatch.models import Draw

from tests.draw_pages import (
    DRAW_ID,
    WAIT,
    drop_first_drawn,
    lower_a_level,
    published_draw,
)
from tests.events import event, handler_module

FORGERIES = pytest.mark.parametrize(
    "forge", [drop_first_drawn, lower_a_level], ids=["dropped", "lowered"]
)


def _record(published: dict[str, Any], snapshot: dict[str, Any]) -> Draw:
    """The draw's record as the steps leave it (what its page is made of)."""
    return Draw(
        DRAW_ID,
        agency=snapshot["agency"],
        status="published",
        model_id=snapshot["model"]["model_id"],
        model_version=snapshot["model"]["version"],
        model_hash=snapshot["model"]["hash"],
        team_size=snapshot["team_size"],
        reveal_wait_seconds=WAIT,
        snapshot_hash=published["snapshot_hash"],
        commitment=published["commitment"],
        committed_at=snapshot["frozen_at"],
        beacon=snapshot["beacon"],
        secret=published["secret"],
        beacon_value=published["beacon_value"],
        seed=published["seed"],
        revealed_at="2026-03-01T01:10:01.500Z",
        result_hash=published["result_hash"],
    )


def _post_verify(body: dict[str, Any]) -> dict[str, Any]:
    app = handler_module("functions/dispatch/app.py").app
    request = event("dispatch_public_verify")
    request.update(
        httpMethod="POST",
        path="/public/verify",
        pathParameters={"proxy": "verify"},
        body=json.dumps(body),
    )
    request["headers"] = {**request["headers"], "Content-Type": "application/json"}
    request["multiValueHeaders"] = {k: [v] for k, v in request["headers"].items()}
    answer = app.resolve(request, None)
    assert answer["statusCode"] == 200, answer
    result: dict[str, Any] = json.loads(answer["body"])
    return result


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A published draw, its record in place of the table (no AWS here)."""
    real = published_draw()
    record = _record(*real)
    monkeypatch.delenv("DRAW_BEACON_URL", raising=False)

    def get(cls: Any, hash_key: str, *args: Any, **kwargs: Any) -> Draw:
        if hash_key != DRAW_ID:
            raise Draw.DoesNotExist()
        return record

    monkeypatch.setattr(Draw, "get", classmethod(get))
    return real


@FORGERIES
def test_post_public_verify_says_a_forged_pair_is_not_the_published_draw(
    stored: Any, forge: Any
) -> None:
    published, snapshot = stored
    forged_result, forged_snapshot = forge(published, snapshot)
    assert forged_result["commitment"] == published["commitment"]
    report = _post_verify({"published": forged_result, "snapshot": forged_snapshot})
    assert report["identical"] is False  # it answered {"identical": true}
    assert report["verdict"] == "not_the_published_draw"
    assert report["differences"][0].startswith("snapshot_hash: the draw published")
    assert report["anchors"]["snapshot_hash"] == published["snapshot_hash"]
    assert report["anchors"]["reveal_wait_seconds"] == WAIT


def test_post_public_verify_certifies_the_published_documents(stored: Any) -> None:
    published, snapshot = stored
    report = _post_verify({"published": published, "snapshot": snapshot})
    assert (report["identical"], report["verdict"], report["differences"]) == (
        True,
        "identical",
        [],
    )
    assert report["beacon"]["note"].startswith("no beacon is configured here")


def test_post_public_verify_of_a_draw_nobody_published(stored: Any) -> None:
    published, snapshot = stored
    other = {**published, "draw_id": "draw-0000000000000bad"}
    report = _post_verify({"published": other, "snapshot": snapshot})
    assert report["identical"] is False
    assert report["verdict"] == "not_the_published_draw"
    assert report["anchors"] is None
    assert report["differences"] == ["draw_id: no published draw is named 'draw-0000000000000bad'"]


@FORGERIES
def test_the_verify_command_without_a_draw_page_never_says_identical(
    forge: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged_result, forged_snapshot = forge(*published_draw())
    (tmp_path / "result.json").write_text(json.dumps(forged_result))
    (tmp_path / "snapshot.json").write_text(json.dumps(forged_snapshot))
    code = verify_cli.main([str(tmp_path / "result.json"), str(tmp_path / "snapshot.json")])
    out = capsys.readouterr().out
    assert code == 3  # it printed "identical" and exited 0
    assert "identical" not in out.replace("NOT ANCHORED", "")
    assert "NOT ANCHORED" in out
    assert f"what draw {DRAW_ID} published at its commitment and reveal" in out
