"""Traffic-police duty tasks and hazard reports end to end over real HTTP on the local stack:
patrol areas and slots, the day's dispatch (on demand and by the daily schedule), acknowledge and
close, reassignment, hazard reports with photos through the evidence function, the queue.

Each test stands alone: it gets a new world (its own agency, jurisdiction and officers) and first
walks the steps of the walk-through it builds on (`walk`), so it passes alone and in any order."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest.mock import ANY

import pytest
from enforcement import audit
from enforcement.auth import Role

from tests import photos
from tests.events import ROOT
from tests.integration.client import Client, officer_session, upload, wait_for

pytestmark = pytest.mark.slow

LOCAL = timezone(timedelta(hours=8))  # the stack's LOCAL_UTC_OFFSET default
# Yantai: the crossing of Gangcheng West Street and Tongshi South Road, and a second area
CROSSING = (37.5395, 121.3520)
HARBOUR = (37.5480, 121.3930)


def local_day(days: int = 0) -> str:
    return (datetime.now(UTC).astimezone(LOCAL).date() + timedelta(days=days)).isoformat()


class World:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.suffix = secrets.token_hex(3)
        self.agency = f"traffic-{self.suffix}"
        self.jurisdiction = f"j-zhifu-{self.suffix}"
        self.walked: set[str] = set()
        self.anon = Client(stack.api_url)
        self.centre = self.login("cmd", Role.ADMIN, self.jurisdiction)
        self.officers: dict[str, Client] = {
            f"off-pat{n}{self.suffix}": self.login(f"pat{n}", Role.OFFICER, self.jurisdiction)
            for n in range(4)
        }
        self.off_duty = f"off-rest{self.suffix}"
        self.desk = f"off-desk{self.suffix}"  # on duty, but not qualified for patrol
        self.far = f"off-far{self.suffix}"  # on duty in another jurisdiction
        self.others = {
            self.off_duty: self.login("rest", Role.OFFICER, self.jurisdiction),
            self.desk: self.login("desk", Role.OFFICER, self.jurisdiction),
            self.far: self.login("far", Role.OFFICER, f"j-laishan-{self.suffix}"),
        }
        self.state: dict[str, Any] = {}

    def login(self, name: str, role: Role, jurisdiction: str) -> Client:
        return officer_session(
            self.stack.api_url,
            f"{name}{self.suffix}",
            role=role,
            agency=self.agency,
            jurisdiction=jurisdiction,
            name=f"张{name}",
        )

    def client(self, account_id: str) -> Client:
        return self.officers.get(account_id) or self.others[account_id]


@pytest.fixture
def world(stack: Any) -> World:
    """A new world for each test: nothing is shared with another test but the stack."""
    return World(stack)


def walk(world: World, *steps: Callable[[World], None]) -> None:
    """Walk, on this test's own world, the steps of the walk-through it builds on (each once)."""
    for step in steps:
        if step.__name__ not in world.walked:
            world.walked.add(step.__name__)
            step(world)


def area_body(lat_lon: tuple[float, float], slots: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "港城西大街与通世南路交叉口",
        "lat": lat_lon[0],
        "lon": lat_lon[1],
        "radius_m": 500,
        "qualification": "patrol",
        "slots": slots,
    }


# ------------------------------------------------------------------ 1. areas and officers


def test_the_command_centre_defines_patrol_areas_and_slots(world: World) -> None:
    for account_id in world.officers:
        world.centre.put(
            f"/dispatch/inspectors/{account_id}", {"qualifications": ["patrol"], "on_duty": True}
        )
    world.centre.put(
        f"/dispatch/inspectors/{world.off_duty}", {"qualifications": ["patrol"], "on_duty": False}
    )
    world.centre.put(
        f"/dispatch/inspectors/{world.desk}", {"qualifications": ["cargo"], "on_duty": True}
    )
    world.centre.put(
        f"/dispatch/inspectors/{world.far}", {"qualifications": ["patrol"], "on_duty": True}
    )

    crossing = world.centre.put(
        f"/duty/areas/crossing-{world.suffix}",
        area_body(
            CROSSING,
            [
                {"start": "00:00", "end": "04:00", "officers": 2},
                {"start": "04:00", "end": "08:00", "officers": 2},
                {"start": "16:00", "end": "20:00", "officers": 1},
            ],
        ),
    )
    assert crossing["jurisdiction"] == world.jurisdiction
    assert len(crossing["slots"]) == 3
    # one all-day slot: longer than a day's duty allows, so it stays unstaffed
    world.centre.put(
        f"/duty/areas/harbour-{world.suffix}",
        area_body(HARBOUR, [{"start": "00:00", "end": "23:59", "officers": 1}]),
    )
    areas = world.centre.get("/duty/areas")
    assert {a["area_id"] for a in areas} == {f"crossing-{world.suffix}", f"harbour-{world.suffix}"}

    officer = next(iter(world.officers.values()))
    refused = officer.put(
        f"/duty/areas/x-{world.suffix}",
        area_body(CROSSING, [{"start": "07:00", "end": "09:00"}]),
        expect=403,
    )
    assert refused["code"] == "role_not_allowed"
    for slots in (
        [{"start": "07:00", "end": "07:00"}],
        [{"start": "25:00", "end": "09:00"}],
        [{"start": "07:00", "end": "09:00"}, {"start": "07:00", "end": "10:00"}],
        [{"start": "07:00", "end": "09:00", "weekdays": [0]}],
    ):
        bad = world.centre.put(
            f"/duty/areas/bad-{world.suffix}", area_body(CROSSING, slots), expect=422
        )
        assert bad["code"] == "validation_failed"


# ------------------------------------------------------------------ 2. the day's dispatch


def test_a_day_is_dispatched_once_to_eligible_officers_balanced(world: World) -> None:
    walk(world, test_the_command_centre_defines_patrol_areas_and_slots)
    today = local_day()
    day = world.centre.post(f"/duty/days/{today}/dispatch")
    assert day["status"] == "dispatched"
    assert (day["tasks"], day["unstaffed"]) == (6, 1)
    again = world.centre.post(f"/duty/days/{today}/dispatch", expect=409)
    assert again["code"] == "already_dispatched"
    past = world.centre.post(f"/duty/days/{local_day(-1)}/dispatch", expect=422)
    assert past["code"] == "date_in_past"
    officer = next(iter(world.officers.values()))
    assert officer.post(f"/duty/days/{today}/dispatch", expect=403)["code"] == "role_not_allowed"

    board = world.centre.get(f"/duty/days/{today}")
    tasks = board["task_list"]
    assert board["counts"] == {"assigned": 5, "unstaffed": 1}
    spans: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for task in tasks:
        if task["officer_id"] is None:
            assert task["area_id"] == f"harbour-{world.suffix}"
            continue
        assert task["officer_id"] in world.officers  # never off duty, unqualified or elsewhere
        for start, end in spans[task["officer_id"]]:
            assert not (start < task["ends_at"] and task["starts_at"] < end)
        spans[task["officer_id"]].append((task["starts_at"], task["ends_at"]))
    counts = [len(spans[o]) for o in world.officers]
    assert max(counts) - min(counts) <= 1, counts
    assert tasks[0]["starts_at"] == f"{today}T00:00+08:00"

    rota = world.centre.get(f"/duty/days/{today}/rota")
    assert rota["hash_matches"]
    assert rota["identical"], rota["differences"]
    assert rota["document"]["seed"]
    assert len(rota["document"]["officers"]) == 6
    world.state["tasks"] = tasks

    mine = world.officers[tasks[0]["officer_id"]].get("/duty/me/tasks", params={"date": today})
    assert tasks[0]["task_id"] in {t["task_id"] for t in mine}
    assert all(t["officer_id"] == tasks[0]["officer_id"] for t in mine)
    inbox = world.officers[tasks[0]["officer_id"]].get("/notifications")
    assert any(
        n["kind"] == "duty.tasks" and tasks[0]["task_id"] in n["data"]["tasks"] for n in inbox
    )


def test_an_officer_acknowledges_and_closes_a_task(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
    )
    task = world.state["tasks"][0]  # 00:00-04:00 today: begun
    owner = world.officers[task["officer_id"]]
    stranger = next(c for i, c in world.officers.items() if i != task["officer_id"])
    path = f"/duty/tasks/{task['task_id']}"
    assert stranger.post(f"{path}/acknowledge", expect=403)["code"] == "not_your_task"
    gps = {"lat": CROSSING[0] + 0.001, "lon": CROSSING[1], "accuracy_m": 8}
    early = owner.post(f"{path}/close", {"gps": gps}, expect=409)
    assert early["code"] == "task_not_acknowledged"
    acknowledged = owner.post(f"{path}/acknowledge", expect=200)
    assert acknowledged["status"] == "acknowledged"
    assert acknowledged["acknowledged_at"]
    assert owner.post(f"{path}/acknowledge", expect=409)["code"] == "task_not_assigned"
    closed = owner.post(f"{path}/close", {"note": "路口秩序良好", "gps": gps}, expect=200)
    assert closed["status"] == "closed"
    assert 100 < closed["close_distance_m"] < 125
    assert closed["within_area"] is True
    assert owner.post(f"{path}/close", {"gps": gps}, expect=409)["code"] == "task_not_open"
    bad = owner.post(f"{path}/close", {"gps": {"lat": 91, "lon": 0, "accuracy_m": 1}}, expect=422)
    assert bad["code"] == "validation_failed"
    assert (
        owner.get("/duty/tasks/2026-01-01.0700.nowhere.1", expect=404)["code"] == "task_not_found"
    )


def test_a_future_slot_cannot_be_closed(world: World) -> None:
    walk(world, test_the_command_centre_defines_patrol_areas_and_slots)
    tomorrow = local_day(1)
    world.centre.post(f"/duty/days/{tomorrow}/dispatch")
    task = next(
        t for t in world.centre.get(f"/duty/days/{tomorrow}")["task_list"] if t["officer_id"]
    )
    owner = world.officers[task["officer_id"]]
    path = f"/duty/tasks/{task['task_id']}"
    owner.post(f"{path}/acknowledge", expect=200)
    gps = {"lat": CROSSING[0], "lon": CROSSING[1], "accuracy_m": 5}
    assert owner.post(f"{path}/close", {"gps": gps}, expect=409)["code"] == "slot_not_started"


def test_the_command_centre_reassigns_with_a_reason(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
    )
    today = local_day()
    task = next(
        t
        for t in world.state["tasks"]
        if t["officer_id"] and t["status"] == "assigned" and t is not world.state["tasks"][0]
    )
    path = f"/duty/tasks/{task['task_id']}/reassign"
    world.centre.post(path, {}, expect=422)
    moved = world.centre.post(path, {"reason": "家中有事请假"}, expect=200)
    assert moved["officer_id"] != task["officer_id"]
    assert moved["officer_id"] in world.officers
    assert moved["reassignments"][0]["previous"] == task["officer_id"]
    withdrawn = world.officers[task["officer_id"]].get("/notifications")
    assert any(n["kind"] == "duty.withdrawn" for n in withdrawn)
    # the unstaffed all-day slot: the rule finds nobody, a named officer who is free may take it
    unstaffed = next(t for t in world.state["tasks"] if t["officer_id"] is None)
    path = f"/duty/tasks/{unstaffed['task_id']}/reassign"
    assert (
        world.centre.post(path, {"reason": "no one free"}, expect=409)["code"] == "no_officer_free"
    )
    busy = world.centre.post(
        path, {"reason": "cover it", "officer_id": moved["officer_id"]}, expect=409
    )
    assert busy["code"] == "officer_busy"
    desk = world.centre.post(path, {"reason": "cover it", "officer_id": world.desk}, expect=422)
    assert desk["code"] == "officer_not_eligible"
    covered = world.centre.post(
        path, {"reason": "called in to cover", "officer_id": world.off_duty}, expect=200
    )
    assert covered["status"] == "assigned"
    assert covered["officer_id"] == world.off_duty
    rota = world.centre.get(f"/duty/days/{today}/rota")
    assert rota["identical"], rota["differences"]
    assert set(rota["reassigned"]) == {task["task_id"], unstaffed["task_id"]}


def test_the_daily_schedule_dispatches_agencies_not_yet_dispatched(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
    )
    # a second agency with an area and an officer, never dispatched by hand
    suffix = secrets.token_hex(3)
    agency = f"traffic-{suffix}"
    centre, _ = (
        officer_session(
            world.stack.api_url,
            f"{name}{suffix}",
            role=role,
            agency=agency,
            jurisdiction=f"{world.jurisdiction}-{suffix}",  # each agency owns its jurisdictions
            name="李",
        )
        for name, role in (("cmd", Role.ADMIN), ("pat", Role.OFFICER))
    )
    centre.put(
        f"/dispatch/inspectors/off-pat{suffix}", {"qualifications": ["patrol"], "on_duty": True}
    )
    centre.put(
        f"/duty/areas/station-{suffix}",
        area_body(CROSSING, [{"start": "07:00", "end": "09:00"}]),
    )
    [result] = world.stack.fire_schedule("DutyScheduleFunction")
    assert result.error is None, result.payload
    days = {d["agency"]: d for d in result.payload["days"]}
    assert days[agency]["status"] == "dispatched"
    assert days[agency]["tasks"] == 1
    assert days[world.agency]["status"] == "already_dispatched"
    board = centre.get(f"/duty/days/{local_day()}")
    assert board["trigger"] == "schedule"
    assert board["task_list"][0]["officer_id"] == f"off-pat{suffix}"
    [again] = world.stack.fire_schedule("DutyScheduleFunction")
    assert {d["agency"]: d for d in again.payload["days"]}[agency]["status"] == "already_dispatched"


# ------------------------------------------------------------------ 3. hazard reports


def test_hazards_are_reported_with_photos_and_gps(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
    )
    reporter_id, reporter = next(iter(world.officers.items()))
    works = reporter.post(
        "/duty/hazards",
        {
            "kind": "road_works",
            "description": "通世南路施工占道",
            "gps": {"lat": 37.54, "lon": 121.35, "accuracy_m": 10},
            "photos": 0,
        },
    )
    accident = reporter.post(
        "/duty/hazards",
        {
            "kind": "accident",
            "description": "两车轻微剐蹭,无人员受伤",
            "gps": {"lat": CROSSING[0], "lon": CROSSING[1], "accuracy_m": 6},
            "photos": 3,
            "task_id": world.state["tasks"][0]["task_id"]
            if world.state["tasks"][0]["officer_id"] == reporter_id
            else None,
        },
    )
    assert accident["status"] == "open"
    assert len(accident["uploads"]) == 3
    assert accident["reported_at"]
    assert accident["gps"]["lat"] == CROSSING[0]
    scene = photos.background()
    upload(accident["uploads"][0], scene)
    upload(accident["uploads"][1], photos.truncated_jpeg("t1.jpg"))
    upload(accident["uploads"][2], photos.garbage())
    shown = wait_for(
        lambda: reporter.get(f"/duty/hazards/{accident['report_id']}"),
        lambda r: len(r["photos"]) == 3,
    )
    by_key = {p["key"]: p for p in shown["photos"]}
    accepted = by_key[accident["uploads"][0]["key"]]
    assert accepted["status"] == "accepted"
    assert accepted["sha256"] == hashlib.sha256(scene).hexdigest()
    assert accepted["url"]
    assert by_key[accident["uploads"][1]["key"]]["code"] == "image_unreadable"
    assert by_key[accident["uploads"][2]["key"]]["code"] == "image_unreadable"
    assert shown["photos_accepted"] == 1
    s3 = world.stack.boto3_client("s3")
    bucket = world.stack.env["UPLOAD_BUCKET"]
    s3.head_object(Bucket=bucket, Key=accepted["key"])
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=accident["uploads"][2]["key"])
    assert listed.get("KeyCount", 0) == 0  # refused photos are not kept
    world.state["hazards"] = (works, accident)

    for body in (
        {"kind": "meteor", "description": "x" * 5, "gps": {"lat": 1, "lon": 1, "accuracy_m": 1}},
        {"kind": "accident", "description": "ok ok", "gps": {"lat": 91, "lon": 1, "accuracy_m": 1}},
        {
            "kind": "accident",
            "description": "ok ok",
            "gps": {"lat": 1, "lon": 1, "accuracy_m": 1},
            "photos": 50,
        },
        {
            "kind": "accident",
            "description": "ok ok",
            "gps": {"lat": 1, "lon": 1, "accuracy_m": 1},
            "reported_at": "2020-01-01",
        },
    ):
        assert reporter.post("/duty/hazards", body, expect=422)["code"] == "validation_failed"
    others_task = next(
        t for t in world.state["tasks"] if t["officer_id"] not in (None, reporter_id)
    )
    for task_id in (others_task["task_id"], "2026-01-01.0700.nowhere.1", "not-a-task"):
        refused = reporter.post(
            "/duty/hazards",
            {
                "kind": "road_hazard",
                "description": "坑洼",
                "task_id": task_id,
                "photos": 0,
                "gps": {"lat": 37.54, "lon": 121.35, "accuracy_m": 9},
            },
            expect=422,
        )
        assert refused["code"] == "task_not_yours"
    stranger = next(c for i, c in world.officers.items() if i != reporter_id)
    assert (
        stranger.get(f"/duty/hazards/{accident['report_id']}", expect=403)["code"]
        == "not_your_report"
    )
    mine = reporter.get("/duty/hazards/mine")
    assert [r["report_id"] for r in mine[:2]] == [accident["report_id"], works["report_id"]]


def test_the_command_centre_works_through_the_queue(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
        test_hazards_are_reported_with_photos_and_gps,
    )
    works, accident = world.state["hazards"]
    queue = world.centre.get("/duty/hazards")
    ids = [r["report_id"] for r in queue]
    assert ids.index(accident["report_id"]) < ids.index(works["report_id"])  # accidents first
    inbox = world.centre.get("/notifications/centre")
    assert {accident["report_id"], works["report_id"]} <= {
        n["data"].get("report_id") for n in inbox
    }
    officer = next(iter(world.officers.values()))
    assert officer.get("/duty/hazards", expect=403)["code"] == "role_not_allowed"

    path = f"/duty/hazards/{accident['report_id']}"
    taken = world.centre.post(f"{path}/take", expect=200)
    assert taken["status"] == "in_progress"
    assert world.centre.post(f"{path}/take", expect=409)["code"] == "report_not_open"
    assert accident["report_id"] not in {r["report_id"] for r in world.centre.get("/duty/hazards")}
    assert accident["report_id"] in {
        r["report_id"] for r in world.centre.get("/duty/hazards", params={"status": "in_progress"})
    }
    done = world.centre.post(
        f"{path}/close",
        {"outcome": "resolved", "resolution": "已派出事故处理组,现场已清理"},
        expect=200,
    )
    assert done["status"] == "resolved"
    assert done["closed_at"]
    assert (
        world.centre.post(
            f"{path}/close", {"outcome": "dismissed", "resolution": "dup"}, expect=409
        )["code"]
        == "report_closed"
    )
    reporter = world.officers[accident["reported_by"]]
    assert any(n["kind"] == "hazard.resolved" for n in reporter.get("/notifications"))


def test_every_change_is_in_the_audit_chain(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
        test_an_officer_acknowledges_and_closes_a_task,
        test_the_command_centre_reassigns_with_a_reason,
        test_hazards_are_reported_with_photos_and_gps,
        test_the_command_centre_works_through_the_queue,
    )
    # the chains of this world's agency and of no agency (every chain of the table grows with
    # the suite)
    chains = [c for c in audit.chains() if f"/{world.agency}/" in c or f"/{audit.NO_AGENCY}/" in c]
    ours = [entry for chain in chains for entry in audit.entries(chain)]
    actions = defaultdict(int)
    for entry in ours:
        if (
            world.suffix in entry.target
            or world.suffix in entry.actor
            or world.agency in entry.target
        ):
            actions[entry.action] += 1
    for action in (
        "patrol_area.put",
        "duty.dispatch",
        "duty.acknowledge",
        "duty.close",
        "duty.reassign",
        "hazard.report",
        "hazard.take",
        "hazard.resolved",
    ):
        assert actions[action] >= 1, action
    evidence_actions = {
        e.action
        for e in ours
        if e.target.startswith("hazard:" + world.state["hazards"][1]["report_id"])
    }
    assert {"evidence.accepted", "evidence.rejected"} <= evidence_actions
    assert all(audit.verify_chain(chain).ok for chain in chains)


def test_a_redelivered_or_unknown_evidence_upload_changes_nothing(world: World) -> None:
    walk(
        world,
        test_the_command_centre_defines_patrol_areas_and_slots,
        test_a_day_is_dispatched_once_to_eligible_officers_balanced,
        test_hazards_are_reported_with_photos_and_gps,
    )
    _, accident = world.state["hazards"]
    reporter = world.officers[accident["reported_by"]]
    before = reporter.get(f"/duty/hazards/{accident['report_id']}")
    bucket = world.stack.env["UPLOAD_BUCKET"]
    redelivery = json.loads((ROOT / "events" / "duty_hazard_photo_uploaded.json").read_text())
    s3_part = redelivery["Records"][0]["s3"]
    s3_part["bucket"]["name"] = bucket
    s3_part["object"]["key"] = accident["uploads"][0]["key"]
    s3_part["object"]["sequencer"] = "00FFEEDDCCBBAA0099"  # a new delivery of the same object
    result = world.stack.invoke("EvidenceFunction", redelivery)
    assert result.error is None, result.payload
    assert result.payload["records"][0]["outcome"] == "already_processed"
    assert reporter.get(f"/duty/hazards/{accident['report_id']}")["photos"] == [
        {k: v for k, v in p.items() if k != "url"} | ({"url": ANY} if "url" in p else {})
        for p in before["photos"]
    ]
    # an object nobody was given a ticket for is deleted when its event arrives
    s3 = world.stack.boto3_client("s3")
    forged = f"evidence/hazard/{accident['report_id']}/forged"
    s3.put_object(Bucket=bucket, Key=forged, Body=photos.background())
    wait_for(
        lambda: s3.list_objects_v2(Bucket=bucket, Prefix=forged).get("KeyCount", 0),
        lambda count: count == 0,
    )
    after = reporter.get(f"/duty/hazards/{accident['report_id']}")
    assert len(after["photos"]) == len(before["photos"])


def test_a_day_interrupted_half_way_is_finished_without_losing_what_happened(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks written, then a failure before the officers are told: the day stays `dispatching`;
    the next request finishes it from the stored rota and keeps an acknowledgement made since."""
    walk(world, test_the_command_centre_defines_patrol_areas_and_slots)
    from enforcement.duty import days

    day = local_day(2)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("lost the connection")

    with monkeypatch.context() as patched:
        patched.setattr(days.notify, "notification", broken)
        failed = world.centre.post(f"/duty/days/{day}/dispatch", expect=500)
        assert failed["code"] == "internal_error"
    task = next(
        t
        for officer in world.officers.values()
        for t in officer.get("/duty/me/tasks", params={"date": day})
    )
    owner = world.officers[task["officer_id"]]
    owner.post(f"/duty/tasks/{task['task_id']}/acknowledge", expect=200)
    finished = world.centre.post(f"/duty/days/{day}/dispatch")
    assert finished["status"] == "dispatched"
    board = world.centre.get(f"/duty/days/{day}")
    assert board["tasks"] == len(board["task_list"]) == 6
    assert next(t for t in board["task_list"] if t["task_id"] == task["task_id"])["status"] == (
        "acknowledged"
    )
    assert world.centre.get(f"/duty/days/{day}/rota")["identical"]
    inbox = owner.get("/notifications")
    assert sum(1 for n in inbox if n["kind"] == "duty.tasks" and n["data"]["date"] == day) == 1
    assert world.centre.post(f"/duty/days/{day}/dispatch", expect=409)["code"] == (
        "already_dispatched"
    )
