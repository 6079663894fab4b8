"""Hazard reports (`duty.hazards`) on moto's in-process DynamoDB and S3: reported with photo
grants, the command centre's queue in priority order, take and close, who sees what, and every
answer's JSON exactly what the typed contract sends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement import clock
from enforcement.auth import Principal, Role
from enforcement.duty import days, hazards
from enforcement.duty.models import DutyTask, HazardReport
from enforcement.duty.schemas import HazardCloseIn, HazardIn, HazardOut, HazardReportedOut
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable
from enforcement.models import EvidencePhoto, Notification, Upload

from tests.unit.duty.conftest import (
    AGENCY,
    OTHER_AGENCY,
    TODAY,
    ZHIFU,
    Clock,
    admin,
    area,
    on_duty,
)

pytestmark = pytest.mark.usefixtures("tables")


def wire(model: Any, answer: Any) -> None:
    """The same JSON, key order included; an upload grant's keys come in the order of the
    common `UploadOut` (as check-in's grants), so those are compared by value."""
    typed = model.model_validate(answer).model_dump(mode="json")
    assert typed == answer
    assert json.dumps({**typed, "uploads": None}) == json.dumps({**answer, "uploads": None})


def body(kind: str = "road_hazard", photos: int = 0, task_id: str | None = None) -> HazardIn:
    return HazardIn.model_validate(
        {
            "kind": kind,
            "description": "通世南路坑洼",
            "gps": {"lat": 37.54, "lon": 121.35, "accuracy_m": 8},
            "photos": photos,
            "task_id": task_id,
        }
    )


def test_a_report_answers_a_photo_grant_each_and_tells_the_command_centre() -> None:
    wang = on_duty("wang")
    reported = hazards.report(wang, body("accident", photos=2))
    wire(HazardReportedOut, reported)
    assert (reported["status"], reported["priority"], reported["photos_expected"]) == (
        "open",
        1,
        2,
    )
    assert len(reported["uploads"]) == 2
    assert all(Upload.get(u["key"]).status == "pending" for u in reported["uploads"])
    assert reported["uploads"][0]["key"].startswith(f"evidence/hazard/{reported['report_id']}/")
    [note] = Notification.query(f"centre:{AGENCY}")
    assert (note.kind, note.data["report_id"]) == ("hazard.reported", reported["report_id"])
    with pytest.raises(Forbidden):
        hazards.report(admin(), body())


def test_a_report_may_name_only_a_task_of_the_reporter() -> None:
    wang, lin = on_duty("wang"), on_duty("lin")
    area("crossing", [{"start": "07:00", "end": "09:00", "officers": 2}])
    days.request_dispatch(admin(), TODAY)
    mine = {t.officer_id: t.task_id for t in DutyTask.query(f"{AGENCY}#{TODAY}")}
    assert hazards.report(wang, body(task_id=mine["off-wang"]))["task_id"] == mine["off-wang"]
    for task_id in (mine["off-lin"], "2026-11-23.0700.nowhere.1", "not-a-task"):
        with pytest.raises(Unprocessable) as refused:
            hazards.report(wang, body(task_id=task_id))
        assert refused.value.code == "task_not_yours"
    assert lin.account_id == "off-lin"


def test_the_queue_is_accidents_first_then_the_oldest(moment: Clock) -> None:
    wang = on_duty("wang")
    ids = []
    for kind in ("road_works", "accident", "broken_signal", "accident"):
        ids.append(hazards.report(wang, body(kind))["report_id"])
        moment.advance(minutes=1)
    queue = hazards.queue(admin(), "open", 100)
    for answer in queue:
        wire(HazardOut, answer)
    assert [r["report_id"] for r in queue] == [ids[1], ids[3], ids[2], ids[0]]
    assert [r["report_id"] for r in hazards.queue(admin(), "open", 2)] == [ids[1], ids[3]]
    assert hazards.queue(admin(OTHER_AGENCY, "j-wh"), "open", 100) == []
    assert [r["report_id"] for r in hazards.mine(wang, 10)] == ids[::-1]
    with pytest.raises(Forbidden):
        hazards.queue(wang, "open", 100)


def test_the_command_centre_takes_then_closes_a_report_and_the_reporter_is_told() -> None:
    wang, lin = on_duty("wang"), on_duty("lin")
    report_id = hazards.report(wang, body("accident"))["report_id"]
    with pytest.raises(NotFound):  # another agency finds nothing
        hazards.take(admin(OTHER_AGENCY, "j-wh"), report_id)
    with pytest.raises(Forbidden):  # another officer of the agency is refused
        hazards.get(lin, report_id)
    taken = hazards.take(admin(), report_id)
    wire(HazardOut, taken)
    assert (taken["status"], taken["handled_by"]) == ("in_progress", admin().account_id)
    assert [r["report_id"] for r in hazards.queue(admin(), "in_progress", 10)] == [report_id]
    assert hazards.queue(admin(), "open", 10) == []
    with pytest.raises(Conflict) as twice:
        hazards.take(admin(), report_id)
    assert twice.value.code == "report_not_open"
    colleague = Principal("off-cmd-2", Role.ADMIN, AGENCY, ZHIFU)
    resolution = HazardCloseIn.model_validate({"outcome": "resolved", "resolution": "现场已清理"})
    with pytest.raises(Conflict) as theirs:
        hazards.close(colleague, report_id, resolution)
    assert theirs.value.code == "report_taken"
    done = hazards.close(admin(), report_id, resolution)
    wire(HazardOut, done)
    assert (done["status"], done["resolution"]) == ("resolved", "现场已清理")
    assert "hazard.resolved" in {n.kind for n in Notification.query("off-wang")}
    with pytest.raises(Conflict) as closed:
        hazards.close(admin(), report_id, resolution)
    assert closed.value.code == "report_closed"
    assert hazards.get(wang, report_id)["status"] == "resolved"


def test_photos_carry_a_download_link_only_when_accepted_and_in_the_reports_own_view() -> None:
    wang = on_duty("wang")
    reported = hazards.report(wang, body("accident", photos=2))
    accepted, refused = (u["key"] for u in reported["uploads"])
    item = HazardReport.get(reported["report_id"])
    item.update(
        actions=[
            HazardReport.photos.set(
                [
                    EvidencePhoto(
                        key=accepted,
                        status="accepted",
                        sha256="ab" * 32,
                        version_id="v1",
                        size=1234,
                        received_at=clock.iso(),
                    ),
                    EvidencePhoto(
                        key=refused,
                        status="rejected",
                        code="image_unreadable",
                        received_at=clock.iso(),
                    ),
                ]
            )
        ]
    )
    shown = hazards.get(wang, reported["report_id"])
    wire(HazardOut, shown)
    first, second = shown["photos"]
    assert first["url"]
    assert "url" not in second  # as before: no key at all, not a null
    assert shown["photos_accepted"] == 1
    [listed] = hazards.mine(wang, 10)
    wire(HazardOut, listed)
    assert all("url" not in p for p in listed["photos"])
