"""Remote check tasks (`checkin.tasks`) on real tables under moto: publishing, and the state
machine's steps (notify, evaluate, close), each safe to run again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from enforcement.checkin import tasks
from enforcement.checkin.models import RemoteTask
from enforcement.checkin.schemas import TaskIn
from enforcement.errors import UpstreamError
from enforcement.models import Notification

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


def crewed(world: World) -> tuple[str, str, list[str]]:
    vessel = world.vessel()
    master, _ = world.crew("船长", ("master", "A"))
    able = [world.crew(f"水手{n}", ("rating_deck", "D"))[0] for n in range(2)]
    world.post(vessel, master, "master")
    for crew_id in able:
        world.post(vessel, crew_id, "able", status="bound")
    return vessel, master, able


def test_a_task_is_complete_once_every_post_is_verified_within_it(world: World) -> None:
    vessel, master, able = crewed(world)
    task_id = world.remote_task(vessel, closes_in=timedelta(hours=1))
    world.decided_check(vessel, master, "master", task_id=task_id)
    world.decided_check(vessel, able[0], "able", task_id=task_id)
    world.decided_check(vessel, able[1], "able")  # outside the task: does not count
    assert tasks.evaluate(task_id) == {"state": "pending", "manning_met": False}
    outcome = tasks.get_task(world.officer, task_id)["outcome"]
    able_row = next(p for p in outcome["posts"] if p["post"] == "able")
    assert (able_row["status"], able_row["missing"], able_row["verified"]) == (
        "missing",
        1,
        [able[0]],
    )

    world.decided_check(vessel, able[1], "able", task_id=task_id)
    assert tasks.evaluate(task_id) == {"state": "complete", "manning_met": True}
    closed = tasks.close(task_id)
    assert closed["state"] == "complete"
    assert RemoteTask.get(task_id).status == "complete"
    assert [n.kind for n in Notification.query(world.officer.account_id)] == ["task.complete"]
    # a retried step reports what is stored and tells nobody twice
    assert tasks.close(task_id) == {"state": "complete", "outcome": closed["outcome"]}
    assert len(list(Notification.query(world.officer.account_id))) == 1


def test_a_task_whose_window_ends_short_closes_with_the_manning_not_met(world: World) -> None:
    vessel, master, _ = crewed(world)
    task_id = world.remote_task(vessel, closes_in=timedelta(seconds=-1))
    world.decided_check(vessel, master, "master", task_id=task_id, verified=False)
    closed = tasks.close(task_id)
    assert closed["state"] == "window_closed"
    assert not closed["outcome"]["manning_met"]
    master_row = next(p for p in closed["outcome"]["posts"] if p["post"] == "master")
    assert master_row["status"] == "failed"
    assert master_row["failed"] == [{"crew_id": master, "reasons": ["location:outside_geofence"]}]


def test_the_crew_serving_on_the_vessel_are_notified_once(world: World) -> None:
    vessel, master, able = crewed(world)
    pending, _ = world.crew("待批水手", ("rating_deck", "D"))
    world.post(vessel, pending, "able", status="pending")
    task_id = world.remote_task(vessel, closes_in=timedelta(hours=1))
    assert tasks.notify_crew(task_id) == {"state": "notified", "notified": 3}
    assert tasks.notify_crew(task_id) == {"state": "notified", "notified": 3}
    for crew_id in (master, *able):
        assert [n.kind for n in Notification.query(crew_id)] == ["task.published"]
    assert list(Notification.query(pending)) == []


def test_a_task_that_cannot_start_is_not_left_running(world: World) -> None:
    """No state machine (REMOTE_TASK_STATE_MACHINE_ARN unset): nothing would ever close it."""
    vessel = world.vessel()
    with pytest.raises(UpstreamError) as failed:
        tasks.publish_task(world.officer, vessel, TaskIn(window_seconds=600))
    assert failed.value.code == "workflow_unavailable"
    (task,) = RemoteTask.scan()
    assert (task.status, int(task.window_seconds)) == ("failed_to_start", 600)
    assert task.closed_at is not None
