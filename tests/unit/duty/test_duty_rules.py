"""The pure rules of duty (`enforcement.duty.rules`): local time, days that may be dispatched,
task ids, late and closable tasks, the close-out geofence, eligibility, the hazard queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from enforcement.duty import rota, rules
from enforcement.errors import BadRequest, Conflict, Unprocessable


def test_local_time_is_the_agencys_with_its_offset_and_runs_past_midnight() -> None:
    assert rules.local_time("2026-11-23", 450, "+08:00") == "2026-11-23T07:30+08:00"
    assert rules.local_time("2026-11-23", 1440 + 120, "+08:00") == "2026-11-24T02:00+08:00"
    assert rules.local_time("2026-11-23", 0, "-05:30") == "2026-11-23T00:00-05:30"
    # 23:30 UTC on the 22nd is already the 23rd in Beijing, still the 22nd in New York
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert rules.local_date(moment, "+08:00") == "2026-11-23"
    assert rules.local_date(moment, "-05:00") == "2026-11-22"
    with pytest.raises(ValueError, match="not ±HH:MM"):
        rules.utc_offset("8")


def test_a_tasks_span_is_in_minutes_from_its_days_local_midnight() -> None:
    day = "2026-11-23"
    starts, ends = (rules.local_time(day, m, "+08:00") for m in rota.slot_span("22:00", "02:00"))
    assert rules.span(day, starts, ends, "+08:00") == (1320, 1560)
    assert not rules.overlaps(420, 540, [(540, 600), (300, 420)])  # touching is not overlapping
    assert rules.overlaps(420, 540, [(539, 600)])


def test_days_are_dispatched_from_today_to_seven_ahead() -> None:
    rules.check_dispatchable("2026-11-23", "2026-11-23")
    rules.check_dispatchable("2026-11-30", "2026-11-23")
    for day, code in (("2026-11-22", "date_in_past"), ("2026-12-01", "date_too_far")):
        with pytest.raises(Unprocessable) as refused:
            rules.check_dispatchable(day, "2026-11-23")
        assert refused.value.code == code
    with pytest.raises(BadRequest):
        rules.check_dispatchable("2026-02-30", "2026-11-23")


def test_the_task_id_rule_reads_the_ids_the_rota_makes() -> None:
    slot = rota.Slot("crossing-1", "j", None, 450, 570, 2)
    task_id = slot.task_id("2026-11-23", 2)
    assert task_id == "2026-11-23.0730.crossing-1.2"
    assert rules.task_day(task_id) == "2026-11-23"
    for text in (
        "2026-11-23.730.a.1",
        "not-a-task",
        "2026-11-23.0730.-a.1",
        "x2026-11-23.0730.a.1",
    ):
        assert rules.task_day(text) is None
    assert rules.day_key("yantai", "2026-11-23") == "yantai#2026-11-23"


def test_a_task_is_late_once_its_slot_began_while_nobody_acknowledged_it() -> None:
    starts = "2026-11-23T10:00+08:00"
    before, after = (
        datetime(2026, 11, 23, 1, 59, tzinfo=UTC),
        datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    )
    assert not rules.is_late("assigned", starts, before)
    assert rules.is_late("assigned", starts, after)
    assert rules.is_late("unstaffed", starts, after)
    assert not rules.is_late("acknowledged", starts, after)
    assert not rules.is_late("closed", starts, after)


def test_a_task_closes_once_acknowledged_and_begun() -> None:
    starts = "2026-11-23T10:00+08:00"
    begun = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    rules.check_closable("acknowledged", starts, begun)
    for status, now, code in (
        ("assigned", begun, "task_not_acknowledged"),
        ("closed", begun, "task_not_open"),
        ("unstaffed", begun, "task_not_open"),
        ("acknowledged", datetime(2026, 11, 23, 1, 59, tzinfo=UTC), "slot_not_started"),
    ):
        with pytest.raises(Conflict) as refused:
            rules.check_closable(status, starts, now)
        assert refused.value.code == code


def test_the_close_out_geofence_is_the_areas_radius_inclusive() -> None:
    assert rules.within_area(500.0, 500)
    assert not rules.within_area(500.1, 500)


def test_a_named_officer_must_serve_the_tasks_jurisdiction_and_hold_its_qualification() -> None:
    task = {"task_agency": "a", "task_jurisdiction": "j1", "qualification": "patrol"}
    rules.check_eligible("o", agency="a", jurisdiction="j1", qualifications={"patrol"}, **task)
    rules.check_eligible(
        "o", agency="a", jurisdiction="j1", qualifications=set(), **{**task, "qualification": None}
    )
    for agency, jurisdiction, qualifications in (
        ("b", "j1", {"patrol"}),
        ("a", "j2", {"patrol"}),
        ("a", "j1", {"cargo"}),
    ):
        with pytest.raises(Unprocessable) as refused:
            rules.check_eligible(
                "o",
                agency=agency,
                jurisdiction=jurisdiction,
                qualifications=qualifications,
                **task,
            )
        assert refused.value.code == "officer_not_eligible"


def test_the_hazard_queue_puts_accidents_first_then_the_oldest() -> None:
    reports = [
        ("road_works", "2026-11-23T01:00:00.000Z"),
        ("accident", "2026-11-23T03:00:00.000Z"),
        ("broken_signal", "2026-11-23T02:00:00.000Z"),
        ("accident", "2026-11-23T02:30:00.000Z"),
    ]
    ordered = sorted(reports, key=lambda r: rules.hazard_order(rules.HAZARD_PRIORITY[r[0]], r[1]))
    assert ordered == [reports[3], reports[1], reports[2], reports[0]]
    assert rules.hazard_queue_key("yantai", "open") == "yantai#open"
