"""Duty tasks (`duty.tasks`) on moto's in-process DynamoDB: the officer acknowledges and closes
their own task, the command centre reassigns by name or by the rota's rule, and every answer's
JSON is exactly what the typed contract sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement.duty import days, tasks
from enforcement.duty.models import DutyTask
from enforcement.duty.schemas import ClosedTaskOut, CloseTaskIn, DutyTaskOut, ReassignIn
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable
from enforcement.models import Notification

from tests.unit.duty.conftest import AGENCY, CROSSING, TODAY, Clock, admin, area, officer, on_duty

pytestmark = pytest.mark.usefixtures("tables")


def wire(model: Any, answer: Any) -> None:
    assert json.dumps(model.model_validate(answer).model_dump(mode="json")) == json.dumps(answer)


def dispatched(slots: list[dict[str, Any]], *names: str, day: str = TODAY) -> list[DutyTask]:
    for name in names:
        on_duty(name)
    area("crossing", slots)
    days.request_dispatch(admin(), day)
    return sorted(DutyTask.query(f"{AGENCY}#{day}"), key=lambda t: t.task_id)


def gps(metres_north: float = 0.0) -> CloseTaskIn:
    lat = CROSSING[0] + metres_north / 111_195  # a degree of latitude, metres
    return CloseTaskIn.model_validate({"gps": {"lat": lat, "lon": CROSSING[1], "accuracy_m": 5}})


def owner(task: DutyTask) -> Any:
    return officer(str(task.officer_id).removeprefix("off-"))


def test_the_officer_acknowledges_then_closes_within_or_outside_the_area() -> None:
    first, second = dispatched(
        [{"start": "07:00", "end": "09:00", "officers": 2}], "wang", "lin"
    )  # 07:00 has begun at 10:00
    me, stranger = owner(first), owner(second)
    with pytest.raises(Forbidden) as refused:
        tasks.acknowledge(stranger, first.task_id)
    assert refused.value.code == "not_your_task"
    with pytest.raises(Conflict) as early:
        tasks.close(me, first.task_id, gps())
    assert early.value.code == "task_not_acknowledged"

    acknowledged = tasks.acknowledge(me, first.task_id)
    wire(DutyTaskOut, acknowledged)
    assert (acknowledged["status"], acknowledged["late"]) == ("acknowledged", False)
    with pytest.raises(Conflict) as twice:
        tasks.acknowledge(me, first.task_id)
    assert twice.value.code == "task_not_assigned"

    closed = tasks.close(me, first.task_id, gps(110))
    wire(ClosedTaskOut, closed)
    assert closed["status"] == "closed"
    assert 105 < closed["close_distance_m"] < 115
    assert closed["within_area"] is True
    tasks.acknowledge(stranger, second.task_id)
    far = tasks.close(stranger, second.task_id, gps(800))  # radius 500 m: kept, not refused
    assert (far["status"], far["within_area"]) == ("closed", False)
    with pytest.raises(Conflict) as reopened:
        tasks.close(me, first.task_id, gps())
    assert reopened.value.code == "task_not_open"


def test_a_slot_not_begun_cannot_be_closed(moment: Clock) -> None:
    [task] = dispatched([{"start": "16:00", "end": "18:00"}], "wang")
    tasks.acknowledge(owner(task), task.task_id)
    with pytest.raises(Conflict) as refused:
        tasks.close(owner(task), task.task_id, gps())
    assert refused.value.code == "slot_not_started"
    moment.advance(hours=6)  # 16:00 local
    assert tasks.close(owner(task), task.task_id, gps())["status"] == "closed"


def test_tasks_are_seen_by_their_officer_and_the_agencys_admins_only() -> None:
    first, second = dispatched([{"start": "07:00", "end": "09:00", "officers": 2}], "wang", "lin")
    assert tasks.get_task(admin(), first.task_id)["task_id"] == first.task_id
    assert [t["task_id"] for t in tasks.my_tasks(owner(first), None)] == [first.task_id]
    assert tasks.my_tasks(owner(first), "2026-11-24") == []
    with pytest.raises(Forbidden):
        tasks.get_task(owner(second), first.task_id)
    for task_id in ("2026-11-23.0700.nowhere.1", "not-a-task"):
        with pytest.raises(NotFound):
            tasks.get_task(admin(), task_id)


def test_reassigning_by_the_rule_picks_a_free_officer_and_tells_both() -> None:
    morning, noon = dispatched(
        [{"start": "07:00", "end": "09:00"}, {"start": "08:00", "end": "12:00"}],
        "wang",
        "lin",
        "zhao",
    )
    busy = {morning.officer_id, noon.officer_id}
    free = ({"off-wang", "off-lin", "off-zhao"} - busy).pop()
    reason = ReassignIn.model_validate({"reason": "家中有事请假"})
    moved = tasks.reassign(admin(), morning.task_id, reason)
    wire(DutyTaskOut, moved)
    assert moved["officer_id"] == free  # the other officer works 08:00-12:00 then
    assert moved["reassignments"][0]["previous"] == morning.officer_id
    assert [n.kind for n in Notification.query(free)] == ["duty.assigned"]
    assert "duty.withdrawn" in {n.kind for n in Notification.query(str(morning.officer_id))}
    # the noon task: its officer left out, the newly given one busy at 08:00, one left free
    again = tasks.reassign(admin(), noon.task_id, reason)
    assert again["officer_id"] == morning.officer_id


def test_reassigning_by_the_rule_with_nobody_free_is_refused() -> None:
    staffed, unstaffed = dispatched(
        [{"start": "07:00", "end": "09:00"}, {"start": "08:00", "end": "12:00"}], "wang"
    )
    assert (staffed.officer_id, unstaffed.officer_id) == ("off-wang", None)
    assert unstaffed.status == "unstaffed"
    with pytest.raises(Conflict) as nobody:
        tasks.reassign(admin(), unstaffed.task_id, ReassignIn.model_validate({"reason": "cover"}))
    assert nobody.value.code == "no_officer_free"


def test_a_named_officer_must_be_eligible_free_and_another() -> None:
    morning, noon = dispatched(
        [{"start": "07:00", "end": "09:00"}, {"start": "08:00", "end": "12:00"}], "wang", "lin"
    )
    on_duty("desk", ("cargo",))
    on_duty("far", jurisdiction="j-laishan")
    for name, code in (
        ("off-desk", "officer_not_eligible"),
        ("off-far", "officer_not_eligible"),
        ("off-nobody", "officer_not_eligible"),
        (morning.officer_id, "same_officer"),
    ):
        body = ReassignIn.model_validate({"reason": "cover it", "officer_id": name})
        with pytest.raises(Unprocessable) as refused:
            tasks.reassign(admin(), morning.task_id, body)
        assert refused.value.code == code
    busy = ReassignIn.model_validate({"reason": "cover it", "officer_id": noon.officer_id})
    with pytest.raises(Conflict) as overlapping:
        tasks.reassign(admin(), morning.task_id, busy)
    assert overlapping.value.code == "officer_busy"
    with pytest.raises(Forbidden):
        tasks.reassign(owner(noon), morning.task_id, busy)


def test_a_closed_task_is_not_reassigned() -> None:
    [task] = dispatched([{"start": "07:00", "end": "09:00"}], "wang", "lin")
    tasks.acknowledge(owner(task), task.task_id)
    tasks.close(owner(task), task.task_id, gps())
    with pytest.raises(Conflict) as refused:
        tasks.reassign(admin(), task.task_id, ReassignIn.model_validate({"reason": "too late"}))
    assert refused.value.code == "task_closed"
