"""Verification anchored on what a draw published: a forged pair of documents that agree with
each other (the real draw's id, commitment, secret and beacon; a snapshot with one target
dropped or one level lowered; a result rebuilt for it) is "not the published draw", by the pure
check and by the verify command given the draw's page (test_dispatch_public_verify.py: the
endpoint and the command without a page)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from enforcement import clock
from enforcement.dispatch import anchors, beacon, draw
from enforcement.dispatch import verify as verify_cli

from tests import draw_pages
from tests.draw_pages import page_of

SECRET = draw_pages.SECRET
DRAW_ID = draw_pages.DRAW_ID
WAIT = draw_pages.WAIT


@pytest.fixture
def real() -> tuple[dict[str, Any], dict[str, Any]]:
    return draw_pages.published_draw()


_dropped = draw_pages.drop_first_drawn
_lowered = draw_pages.lower_a_level


FORGERIES = pytest.mark.parametrize("forge", [_dropped, _lowered], ids=["dropped", "lowered"])


def _page(published: dict[str, Any], snapshot: dict[str, Any]) -> anchors.Anchors:
    return anchors.Anchors.from_page(page_of(published, snapshot))


# ------------------------------------------------------------------ the pure check


def test_the_published_draws_own_documents_are_identical(real: Any) -> None:
    published, snapshot = real
    report = anchors.verify(published, snapshot, _page(published, snapshot), beacon.QUICKNET)
    assert (report.verdict, report.differences) == ("identical", [])
    assert report.round_rule_checked


@FORGERIES
def test_a_rebuilt_pair_around_a_changed_snapshot_is_not_the_published_draw(
    real: Any, forge: Any
) -> None:
    published, snapshot = real
    forged_result, forged_snapshot = forge(published, snapshot)
    # the documents agree with each other, with the real id, commitment, secret and beacon:
    # re-running them alone (all the endpoint and the command did) finds nothing
    assert draw.verify(forged_result, forged_snapshot) == []
    assert forged_result["commitment"] == published["commitment"]
    assert forged_result["draw_id"] == published["draw_id"]
    report = anchors.verify(forged_result, forged_snapshot, _page(published, snapshot))
    assert report.verdict == "not_the_published_draw"
    assert not report.identical
    assert report.differences[0].startswith(
        f"snapshot_hash: the draw published {published['snapshot_hash']} at its commitment"
    )
    assert any(line.startswith("seed:") for line in report.differences)
    assert any(line.startswith("result_hash:") for line in report.differences)


def test_before_the_reveal_no_documents_are_the_published_draw(real: Any) -> None:
    published, snapshot = real
    committed = page_of(published, snapshot, status="committed", secret=None, seed=None)
    committed.update(beacon_value=None, result_hash=None)
    report = anchors.verify(published, snapshot, anchors.Anchors.from_page(committed))
    assert report.verdict == "not_the_published_draw"
    assert "not revealed" in report.differences[0]


def test_a_secret_that_does_not_open_the_commitment_is_reported(real: Any) -> None:
    published, snapshot = real
    moved = dict(published, commitment="00" * 32)  # a draw page and result that both say so
    moved["result_hash"] = draw.result_hash(moved)
    report = anchors.verify(moved, snapshot, _page(moved, snapshot))
    assert report.verdict == "differs"
    assert "commitment: the revealed secret does not open the published commitment" in (
        report.differences
    )


def test_a_round_that_is_not_the_first_after_the_wait_is_reported(real: Any) -> None:
    published, snapshot = real
    rule = beacon.QUICKNET.round_for(snapshot["frozen_at"], WAIT)
    early = copy.deepcopy(snapshot)
    early["beacon"] = beacon.QUICKNET.name(rule - 1)  # a round out before the wait ended
    result = draw.publish(early, SECRET, published["beacon_value"])
    report = anchors.verify(result, early, _page(result, early), beacon.QUICKNET)
    assert report.verdict == "differs"
    assert report.round_rule_checked
    assert report.differences == [
        f"beacon: the draw names round {rule - 1}; committed at {snapshot['frozen_at']} with a "
        f"reveal wait of {WAIT} s it had to name {rule}"
    ]
    # without the chain's timing the rule is not checked, and says so
    assert not anchors.verify(result, early, _page(result, early)).round_rule_checked


def test_the_round_rule_is_exact_at_the_millisecond() -> None:
    chain = beacon.QUICKNET
    at = chain.round_time(1000)  # round 1000 comes out at this second
    just_before = clock.iso(clock.from_epoch(at - WAIT - 0.001))
    on_time = clock.iso(clock.from_epoch(at - WAIT))
    assert chain.round_for(just_before, WAIT) == 1000
    assert chain.round_for(on_time, WAIT) == 1001  # strictly after: round 1000 is out then
    assert beacon.epoch_ms("1970-01-01T00:00:01.234Z") == 1234


def test_a_document_of_the_wrong_shape_is_a_difference_not_a_crash(real: Any) -> None:
    published, snapshot = real
    page = _page(published, snapshot)
    for bad_snapshot in (
        {**snapshot, "inspectors": [{**snapshot["inspectors"][0], "load": -1}]},
        {**snapshot, "inspectors": [{**snapshot["inspectors"][0], "load": 2**40}]},
        {**snapshot, "targets": [{**snapshot["targets"][0], "id": 7}]},
        {**snapshot, "model": "x"},
    ):
        report = anchors.verify(published, bad_snapshot, page)
        assert report.verdict == "not_the_published_draw"
    for bad_result in ({**published, "selected": "abc"}, {**published, "secret": "zz"}):
        assert anchors.verify(bad_result, snapshot, page).verdict == "not_the_published_draw"


# ------------------------------------------------------------------ the verify command


def _files(tmp_path: Path, published: Any, snapshot: Any, page: Any = None) -> list[str]:
    (tmp_path / "result.json").write_text(json.dumps(published))
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot))
    files = [str(tmp_path / "result.json"), str(tmp_path / "snapshot.json")]
    if page is not None:
        (tmp_path / "page.json").write_text(json.dumps(page))
        files = ["--draw", str(tmp_path / "page.json"), *files]
    return files


@FORGERIES
def test_the_verify_command_with_the_draw_page_says_not_the_published_draw(
    real: Any, forge: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published, snapshot = real
    forged = forge(published, snapshot)
    # with the draw's page: not the published draw
    assert verify_cli.main(_files(tmp_path, *forged, page_of(published, snapshot))) == 1
    out = capsys.readouterr().out
    assert f"NOT THE PUBLISHED DRAW {DRAW_ID}" in out
    assert "snapshot_hash: the draw published" in out
    # and the real documents with their page are identical
    assert verify_cli.main(_files(tmp_path, published, snapshot, page_of(*real))) == 0
    assert f"identical: the published draw {DRAW_ID}" in capsys.readouterr().out


def test_a_page_with_unreadable_times_is_reported_not_a_crash(real: Any) -> None:
    published, snapshot = real
    for times in ({"committed_at": "yesterday"}, {"revealed_at": "2026-03-01T01:10:00"}):
        page = anchors.Anchors.from_page(page_of(published, snapshot, **times))
        report = anchors.verify(published, snapshot, page, beacon.QUICKNET)
        assert not report.identical
        assert not report.round_rule_checked
        assert any("the round rule cannot be checked" in line for line in report.differences)
