"""The manning report (`checkin.manning.manning`) on real tables under moto: who is verified at
which post, which checks count, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from enforcement import clock
from enforcement.checkin import manning
from enforcement.errors import Forbidden, NotFound

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


def by_post(report: dict) -> dict[str, dict]:
    return {p["post"]: p for p in report["posts"]}


def test_the_minimum_safe_manning_is_met_when_every_post_has_its_verified_crew(
    world: World,
) -> None:
    vessel = world.vessel()
    master, _ = world.crew("张船长", ("master", "A"))
    able = [world.crew(f"水手{n}", ("rating_deck", "D"))[0] for n in range(2)]
    world.post(vessel, master, "master")
    for crew_id in able:
        world.post(vessel, crew_id, "able", status="bound")
    world.decided_check(vessel, master, "master")
    world.decided_check(vessel, able[0], "able")
    report = manning.manning(world.officer, vessel)
    assert not report["manning_met"]
    posts = by_post(report)
    assert posts["master"]["state"] == "met"
    assert [v["crew_id"] for v in posts["master"]["verified"]] == [master]
    assert posts["able"]["state"] == "short"
    assert [u["crew_id"] for u in posts["able"]["unchecked"]] == [able[1]]

    world.decided_check(vessel, able[1], "able")
    assert manning.manning(world.officer, vessel)["manning_met"]


def test_a_check_counts_for_the_validity_period_only_and_the_latest_decides(
    world: World,
) -> None:
    vessel = world.vessel()
    master, _ = world.crew("李船长", ("master", "B"))
    world.post(vessel, master, "master")
    world.decided_check(vessel, master, "master", at=clock.now() - timedelta(hours=13))
    posts = by_post(manning.manning(world.officer, vessel))
    assert posts["master"]["state"] == "short"  # 13 h ago: beyond CHECK_VALID_HOURS (12)
    assert [u["crew_id"] for u in posts["master"]["unchecked"]] == [master]

    world.decided_check(vessel, master, "master", at=clock.now() - timedelta(minutes=10))
    failed = world.decided_check(vessel, master, "master", verified=False)
    posts = by_post(manning.manning(world.officer, vessel))
    assert posts["master"]["state"] == "failed"
    assert posts["master"]["failed"][0]["check_id"] == failed
    assert posts["master"]["failed"][0]["reasons"] == ["location:outside_geofence"]


def test_a_holder_without_the_certificate_the_post_needs_is_under_qualified(
    world: World,
) -> None:
    vessel = world.vessel()
    master, _ = world.crew("王船长", ("master", "C"))  # the post needs B or better
    world.post(vessel, master, "master")
    posts = by_post(manning.manning(world.officer, vessel))
    assert posts["master"]["state"] == "under_qualified"
    assert posts["master"]["under_qualified"][0]["reason"] == "grade_insufficient"


def test_crew_read_the_report_of_their_own_vessel_only(world: World) -> None:
    vessel, elsewhere = world.vessel(), world.vessel()
    master, as_crew = world.crew("赵船长", ("master", "A"))
    world.post(vessel, master, "master")
    assert manning.manning(as_crew, vessel)["vessel_id"] == vessel
    with pytest.raises(Forbidden) as refused:
        manning.manning(as_crew, elsewhere)
    assert refused.value.code == "not_your_vessel"


def test_a_pending_binding_gives_no_access_and_no_place_in_the_report(world: World) -> None:
    vessel = world.vessel()
    crew_id, as_crew = world.crew("钱水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="pending")
    with pytest.raises(Forbidden):
        manning.manning(as_crew, vessel)
    posts = by_post(manning.manning(world.officer, vessel))
    assert posts["able"]["state"] == "empty"


def test_an_officer_of_another_agency_does_not_learn_the_vessel_exists(world: World) -> None:
    vessel = world.vessel()
    with pytest.raises(NotFound) as hidden:
        manning.manning(world.other_agency_officer, vessel)
    assert hidden.value.code == "vessel_not_found"
