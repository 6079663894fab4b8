"""Health reports (`checkin.health`) on real tables under moto, and AIS positions
(`checkin.vessels.set_position`): what is stored, who is alerted, who may report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from enforcement import clock
from enforcement.checkin import health, loading, vessels
from enforcement.checkin.schemas import HealthIn
from enforcement.errors import Forbidden, Unprocessable
from enforcement.models import Notification

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


def report(vessel: str, **fields: object) -> HealthIn:
    return HealthIn.model_validate({"vessel_id": vessel, **fields})


def test_a_fever_makes_a_report_abnormal_and_alerts_the_jurisdiction(world: World) -> None:
    vessel = world.vessel()
    crew_id, as_crew = world.crew("冯水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    normal = health.report_health(as_crew, report(vessel, symptoms=["none"], temperature_c=36.6))
    assert (normal["abnormal"], normal["reasons"]) == (False, [])
    sick = health.report_health(as_crew, report(vessel, symptoms=["cough"], temperature_c=37.3))
    assert sick["abnormal"]
    assert sick["reasons"] == ["symptom:cough", "temperature:37.3"]
    alerts = list(Notification.query(f"jurisdiction:{world.jurisdiction}"))
    assert [(a.kind, a.data["report_id"]) for a in alerts] == [
        ("health.abnormal", sick["report_id"])
    ]
    listed = health.list_health(world.officer, abnormal_only=True)
    assert [r["report_id"] for r in listed] == [sick["report_id"]]
    assert len(health.list_health(world.officer, abnormal_only=False)) == 2


def test_a_crew_member_reports_for_shipmates_on_their_own_vessel_only(world: World) -> None:
    vessel, elsewhere = world.vessel(), world.vessel()
    crew_id, as_crew = world.crew("陈水手", ("rating_deck", "D"))
    mate, _ = world.crew("褚水手", ("rating_deck", "D"))
    stranger, _ = world.crew("卫水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    world.post(vessel, mate, "able", status="bound")
    world.post(elsewhere, stranger, "able", status="bound")
    answer = health.report_health(
        as_crew, report(vessel, subject_crew_id=mate, symptoms=["fatigue"])
    )
    assert (answer["reporter_crew_id"], answer["subject_crew_id"]) == (crew_id, mate)
    with pytest.raises(Forbidden) as refused:
        health.report_health(as_crew, report(vessel, subject_crew_id=stranger, symptoms=["none"]))
    assert refused.value.code == "not_a_shipmate"
    with pytest.raises(Forbidden):
        health.report_health(as_crew, report(elsewhere, symptoms=["none"]))
    with pytest.raises(Unprocessable) as contradicts:
        health.report_health(as_crew, report(vessel, symptoms=["none", "cough"]))
    assert contradicts.value.code == "health_report_invalid"
    assert [(p["field"], p["code"]) for p in contradicts.value.details] == [
        ("symptoms", "constraint")
    ]


def test_an_ais_position_never_replaces_a_newer_one(world: World) -> None:
    vessel = world.vessel()
    now = clock.now()
    assert vessels.set_position(vessel, 31.39, 121.50, 3.0, now, "ais-feed:a")
    assert not vessels.set_position(vessel, 31.00, 121.00, 3.0, now - timedelta(minutes=5), "b")
    stored = loading.position_of(loading.load_vessel(vessel))
    assert stored is not None
    assert (stored.lat, stored.lon) == (31.39, 121.50)
    assert vessels.set_position(vessel, 31.40, 121.51, 2.0, now + timedelta(minutes=1), "c")
    assert not vessels.set_position("999999999", 31.4, 121.5, 0.0, now, "d")  # no such vessel
