"""The late-flight schedule (enforcement.remote_survey.late_flights) on the models under moto: a
flight nobody releases is alerted once its travellers have waited past the target, once per
flight, by the same condition the release path uses; flights in time, flights all cleared in
time and other days are left alone."""

from __future__ import annotations

import datetime as dt

from enforcement import clock, notify
from enforcement.remote_survey import boards, clearance, late_flights
from enforcement.remote_survey.models import Flight

from tests.unit import clearance_world
from tests.unit.clearance_world import Ports

ports = clearance_world.ports


def today() -> str:
    return clock.local_date().isoformat()


def late_notes(ports: Ports) -> list[notify.Notification]:
    return [
        n for n in notify.inbox(f"jurisdiction:{ports.port}") if n.kind == clearance.LATE_FLIGHT
    ]


def test_a_flight_nobody_releases_is_alerted_once_by_the_schedule(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=45, passengers=80, arrival_date=today())
    ports.declaration(flight, scanned=False)  # declared, waiting, never released
    ports.sns()
    assert late_flights.sweep() == [f"{flight.port_day}#{flight.flight_number}"]
    [note] = late_notes(ports)
    assert note.data["flight_number"] == flight.flight_number
    assert note.data["released"] == 0
    assert note.data["waiting"] == 80
    assert note.data["p90_seconds"] >= 45 * 60
    [copy] = ports.sns()
    assert copy["kind"] == clearance.LATE_FLIGHT
    stored = Flight.get(flight.port_day, flight.flight_number, consistent_read=True)
    assert stored.alerted_at == note.created_at
    assert late_flights.sweep() == []  # once per flight
    assert len(late_notes(ports)) == 1
    assert ports.sns() == []


def test_flights_in_time_or_cleared_in_time_are_not_alerted(ports: Ports) -> None:
    early = ports.flight(on_block_minutes_ago=20, arrival_date=today())
    done = ports.flight(on_block_minutes_ago=50, passengers=1, arrival_date=today())
    declaration = ports.declaration(done)
    done.update(actions=[Flight.released.add(1), Flight.clearance_seconds.set([600])])
    assert declaration.flight_number == done.flight_number
    future = ports.flight(on_block_minutes_ago=-30, arrival_date=today())
    assert late_flights.sweep() == []
    assert late_notes(ports) == []
    for flight in (early, done, future):
        assert Flight.get(flight.port_day, flight.flight_number).alerted_at is None


def test_yesterdays_flights_are_swept_and_older_days_are_not(ports: Ports) -> None:
    yesterday = (clock.local_date() - dt.timedelta(days=1)).isoformat()
    before = (clock.local_date() - dt.timedelta(days=2)).isoformat()
    late = ports.flight(on_block_minutes_ago=600, arrival_date=yesterday)
    old = ports.flight(on_block_minutes_ago=2000, arrival_date=before)
    assert late_flights.sweep() == [f"{late.port_day}#{late.flight_number}"]
    assert Flight.get(old.port_day, old.flight_number).alerted_at is None


def test_the_schedule_the_release_and_the_board_judge_alike(ports: Ports) -> None:
    """A flight with waiting travellers past the target is late on the board before any
    release; the first release alerts it, so the schedule finds nothing more to do."""
    flight = ports.flight(on_block_minutes_ago=35, passengers=10, arrival_date=today())
    declaration = ports.declaration(flight)
    row = boards.board(ports.officer, today(), None)["flights"][0]
    assert (row["late"], row["p90_seconds"]) == (True, None)
    clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    assert len(late_notes(ports)) == 1
    assert late_flights.sweep() == []
    assert len(late_notes(ports)) == 1
