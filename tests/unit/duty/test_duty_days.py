"""Patrol areas and dispatching a day (`duty.areas`, `duty.days`) on moto's in-process
DynamoDB and S3: who may, once per day, the stored rota re-run, a half-written day finished,
the settings of duty, and the answers' JSON exactly what the typed contract sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement import config, documents, notify
from enforcement.duty import areas, days, rota
from enforcement.duty.models import DutyDay, DutyTask
from enforcement.duty.schemas import DayOut, DaySummaryOut, PatrolAreaIn, PatrolAreaOut, RotaOut
from enforcement.errors import Conflict, Forbidden, Unprocessable
from enforcement.models import Notification

from tests.unit.duty.conftest import (
    AGENCY,
    OTHER_AGENCY,
    TODAY,
    Clock,
    admin,
    area,
    officer,
    on_duty,
)

pytestmark = pytest.mark.usefixtures("tables")


def wire(model: Any, answer: Any) -> None:
    """The typed answer sends exactly the service's JSON (keys, values, nulls)."""
    assert json.dumps(model.model_validate(answer).model_dump(mode="json")) == json.dumps(answer)


def inbox(account_id: str, kind: str) -> list[Notification]:
    return [n for n in Notification.query(account_id) if n.kind == kind]


def test_an_area_is_put_by_its_agencys_admin_only() -> None:
    made = area("crossing", [{"start": "07:00", "end": "09:00", "officers": 2}])
    wire(PatrolAreaOut, made)
    assert (made["agency"], made["jurisdiction"], made["slots"][0]["weekdays"]) == (
        AGENCY,
        "j-zhifu",
        [1, 2, 3, 4, 5, 6, 7],
    )
    body = PatrolAreaIn.model_validate(
        {"name": "x", "lat": 1, "lon": 1, "slots": [{"start": "07:00", "end": "08:00"}]}
    )
    with pytest.raises(Forbidden) as refused:
        areas.put_area(admin(OTHER_AGENCY, "j-wh"), "crossing", body)
    assert refused.value.code == "other_agency"
    with pytest.raises(Forbidden) as refused:
        areas.put_area(officer("wang"), "crossing-2", body)
    assert refused.value.code == "role_not_allowed"
    assert [a["area_id"] for a in areas.list_areas(officer("wang"))] == ["crossing"]
    assert areas.list_areas(admin(OTHER_AGENCY, "j-wh")) == []


def test_a_day_is_dispatched_once_from_a_stored_rota_that_re_runs_to_its_tasks() -> None:
    for name in ("wang", "lin", "zhao"):
        on_duty(name)
    on_duty("rest", duty=False)
    on_duty("desk", ("cargo",))
    area("crossing", [{"start": "07:00", "end": "09:00", "officers": 2}])
    area("harbour", [{"start": "08:00", "end": "12:00"}], qualification=None)
    area("sunday", [{"start": "07:00", "end": "09:00", "weekdays": [7]}])  # 23 Nov is a Monday

    day = days.request_dispatch(admin(), TODAY)
    wire(DaySummaryOut, day)
    assert (day["status"], day["trigger"], day["tasks"], day["unstaffed"]) == (
        "dispatched",
        "on_demand",
        3,
        0,
    )
    assert day["officers"] == 4  # on duty: three patrol officers and the desk officer
    with pytest.raises(Conflict) as again:
        days.request_dispatch(admin(), TODAY)
    assert again.value.code == "already_dispatched"

    board = days.day_view(admin(), TODAY)
    wire(DayOut, board)
    placed = {t["task_id"]: t["officer_id"] for t in board["task_list"]}
    assert set(placed) == {
        f"{TODAY}.0700.crossing.1",
        f"{TODAY}.0700.crossing.2",
        f"{TODAY}.0800.harbour.1",
    }
    crossing = {placed[f"{TODAY}.0700.crossing.1"], placed[f"{TODAY}.0700.crossing.2"]}
    assert len(crossing) == 2
    assert crossing <= {"off-wang", "off-lin", "off-zhao"}
    assert placed[f"{TODAY}.0800.harbour.1"] not in crossing  # never two tasks at once
    assert board["counts"] == {"assigned": 3}
    assert board["late"] == 3  # 10:00 local: every slot has begun, none acknowledged

    document = days.rota_document(admin(), TODAY)
    wire(RotaOut, document)
    assert document["hash_matches"]
    assert document["identical"]
    assert [s["area_id"] for s in document["document"]["slots"]] == ["crossing", "harbour"]
    stored = DutyDay.get(AGENCY, TODAY)
    assert rota.document_hash(documents.get(stored.rota_key)) == stored.rota_hash
    typed = RotaOut.model_validate(document).model_dump(mode="json")["document"]
    assert json.dumps(typed) == json.dumps(document["document"])  # the stored key order too

    for person in crossing:  # each officer is told once, with their tasks
        [note] = inbox(person, "duty.tasks")
        assert note.data["date"] == TODAY


def test_the_rota_document_tells_a_changed_assignment_from_a_reassignment() -> None:
    on_duty("wang")
    on_duty("lin")
    area("crossing", [{"start": "07:00", "end": "09:00"}])
    days.request_dispatch(admin(), TODAY)
    [task] = DutyTask.query(f"{AGENCY}#{TODAY}")
    other = "off-lin" if task.officer_id == "off-wang" else "off-wang"
    task.update(actions=[DutyTask.officer_id.set(other)])  # changed behind the rule's back
    checked = days.rota_document(admin(), TODAY)
    assert not checked["identical"]
    assert checked["differences"] == [f"{task.task_id}: officer {other}"]


def test_only_the_agencys_admin_dispatches_and_only_from_today_to_a_week_ahead() -> None:
    with pytest.raises(Forbidden):
        days.request_dispatch(officer("wang"), TODAY)
    with pytest.raises(Unprocessable) as past:
        days.request_dispatch(admin(), "2026-11-22")
    assert past.value.code == "date_in_past"
    with pytest.raises(Unprocessable) as far:
        days.request_dispatch(admin(), "2026-12-01")
    assert far.value.code == "date_too_far"


def test_the_day_limit_and_the_time_zone_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, moment: Clock
) -> None:
    monkeypatch.setenv("DUTY_MAX_MINUTES_PER_DAY", "180")
    monkeypatch.setenv("LOCAL_UTC_OFFSET", "-05:00")
    config.settings.cache_clear()  # read afresh, as a new process would
    config.settings()
    # gone from the environment, kept in the process's settings: a module that read the
    # environment itself would fall back to +08:00 and 600 minutes
    monkeypatch.delenv("DUTY_MAX_MINUTES_PER_DAY")
    monkeypatch.delenv("LOCAL_UTC_OFFSET")
    on_duty("wang")
    area("crossing", [{"start": "07:00", "end": "09:00"}, {"start": "13:00", "end": "15:00"}])
    # 02:00 UTC on the 23rd is 21:00 on the 22nd at -05:00: the 22nd is today there
    day = days.request_dispatch(admin(), "2026-11-22")
    assert (day["tasks"], day["unstaffed"]) == (2, 1)  # 4 hours of slots, 3 allowed
    document = days.rota_document(admin(), "2026-11-22")["document"]
    assert (document["utc_offset"], document["max_minutes_per_day"]) == ("-05:00", 180)
    starts = sorted(t["starts_at"] for t in days.day_view(admin(), "2026-11-22")["task_list"])
    assert starts == ["2026-11-22T07:00-05:00", "2026-11-22T13:00-05:00"]


def test_the_minutes_of_the_six_days_before_go_into_the_rota_document(moment: Clock) -> None:
    on_duty("wang")
    on_duty("lin")
    area("crossing", [{"start": "07:00", "end": "09:00"}])
    days.request_dispatch(admin(), TODAY)
    [first] = DutyTask.query(f"{AGENCY}#{TODAY}")
    moment.advance(days=1)
    days.request_dispatch(admin(), "2026-11-24")
    document = days.rota_document(admin(), "2026-11-24")["document"]
    loads = {o["account_id"]: o["recent_minutes"] for o in document["officers"]}
    assert loads == {first.officer_id: 120, ({"off-wang", "off-lin"} - {first.officer_id}).pop(): 0}
    [second] = DutyTask.query(f"{AGENCY}#2026-11-24")
    assert second.officer_id != first.officer_id  # the recent load goes before chance


def test_a_day_interrupted_before_the_officers_are_told_is_finished_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_duty("wang")
    area("crossing", [{"start": "07:00", "end": "09:00"}, {"start": "13:00", "end": "15:00"}])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("lost the connection")

    with monkeypatch.context() as patched:
        patched.setattr(notify, "notification", broken)
        with pytest.raises(RuntimeError):
            days.request_dispatch(admin(), TODAY)
    assert DutyDay.get(AGENCY, TODAY).status == "dispatching"
    assert len(list(DutyTask.query(f"{AGENCY}#{TODAY}"))) == 2
    finished = days.request_dispatch(admin(), TODAY)
    assert finished["status"] == "dispatched"
    assert len(inbox("off-wang", "duty.tasks")) == 1
    assert days.rota_document(admin(), TODAY)["identical"]


def test_the_schedule_dispatches_every_agency_with_an_active_area_once() -> None:
    on_duty("wang")
    area("crossing", [{"start": "07:00", "end": "09:00"}])
    first = days.scheduled_dispatch()
    assert [(d["agency"], d["status"], d["trigger"]) for d in first] == [
        (AGENCY, "dispatched", "schedule")
    ]
    assert days.scheduled_dispatch() == [
        {"agency": AGENCY, "date": TODAY, "status": "already_dispatched"}
    ]
