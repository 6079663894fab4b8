"""Whether a day of service is on record, answered from the crew record's `service_days`
(`checkin.service_days`) on real tables under moto: exact for the latest day, a record written
before the list was kept still found, a list changed meanwhile cancels the transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from enforcement import clock, db
from enforcement.checkin import crew, service_days
from enforcement.checkin.loading import load_vessel
from enforcement.checkin.models import Check, CrewMember, ServiceRecord
from pynamodb.exceptions import TransactWriteError

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


@contextmanager
def service_record_calls() -> Iterator[list[str]]:
    """The DynamoDB operations sent to the service-records table from now on (a transaction
    that writes there counts too)."""
    sent: list[str] = []
    original = BaseClient._make_api_call
    table = ServiceRecord.Meta.table_name

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if table in json.dumps(params, default=str):
            sent.append(operation)
        return original(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        yield sent


def check_at(place: World, vessel_id: str, crew_id: str, post: str) -> Check:
    return Check.get(place.decided_check(vessel_id, crew_id, post))


def key_of(check: Check, days_ago: int = 0) -> str:
    return crew.service_day_key(check, clock.iso(clock.now() - timedelta(days=days_ago)))


def add_day(check: Check, key: str, looked: service_days.DayOnRecord) -> None:
    """Store the day of `key` for `check` in a transaction of its own."""
    record = crew.service_day(check, clock.iso(), load_vessel(check.vessel_id or ""))
    record.record_key, record.day = key, service_days.date_of(key)
    with db.transaction() as tx:
        crew.add_service_day(tx, record, looked)


def registered(place: World) -> str:
    """A crew member as `register_crew` leaves the record: an empty list of days."""
    crew_id, _ = place.crew("李", ("master", "A"))
    CrewMember(crew_id).update(actions=[CrewMember.service_days.set([])])
    return crew_id


def test_the_crew_record_answers_for_the_latest_day_without_reading_service_records(
    world: World,
) -> None:
    vessel = world.vessel()
    crew_id = registered(world)
    check = check_at(world, vessel, crew_id, "master")
    today = key_of(check)
    with service_record_calls() as sent:
        looked = service_days.look_up(CrewMember.get(crew_id, consistent_read=True), today)
        assert (looked.on_record, looked.read, looked.after) == (False, [], [today])
        add_day(check, today, looked)
        again = service_days.look_up(CrewMember.get(crew_id, consistent_read=True), today)
    assert again.on_record
    assert sent == ["TransactWriteItems"]  # no read of the service records at all
    member = CrewMember.get(crew_id)
    assert (list(member.service_days or []), int(member.credit_points)) == ([today], 1)


def test_a_second_post_the_same_day_is_added_and_the_first_stays_on_record(world: World) -> None:
    vessel = world.vessel()
    crew_id = registered(world)
    master, able = (
        check_at(world, vessel, crew_id, "master"),
        check_at(world, vessel, crew_id, "able"),
    )
    first, second = key_of(master), key_of(able)
    add_day(master, first, service_days.look_up(CrewMember.get(crew_id), first))
    looked = service_days.look_up(CrewMember.get(crew_id), second)
    assert (looked.on_record, looked.after) == (False, [first, second])
    add_day(able, second, looked)
    member = CrewMember.get(crew_id)
    assert service_days.look_up(member, first).on_record
    assert service_days.look_up(member, second).on_record
    assert sorted(r.record_key for r in ServiceRecord.query(crew_id)) == sorted([first, second])


def test_a_record_written_before_the_list_was_kept_is_found_and_starts_the_list(
    world: World,
) -> None:
    vessel = world.vessel()
    crew_id, _ = world.crew("王", ("master", "A"))  # no list: None
    master, able = (
        check_at(world, vessel, crew_id, "master"),
        check_at(world, vessel, crew_id, "able"),
    )
    earlier, today = key_of(master), key_of(able)
    record = crew.service_day(master, clock.iso(), load_vessel(vessel))
    record.save()  # today's day at the master's post, stored before the list was kept
    assert CrewMember.get(crew_id).service_days is None
    looked = service_days.look_up(CrewMember.get(crew_id), today)
    # the latest day's records were read: both of today's keys go into the list
    assert (looked.on_record, looked.read, looked.after) == (False, None, [earlier, today])
    add_day(able, today, looked)
    with service_record_calls() as sent:
        # the post checked before the list: on record, from the list alone (a list started
        # from the new day only would say "absent" and cancel every later decision of it)
        assert service_days.look_up(CrewMember.get(crew_id), earlier).on_record
    assert sent == []


def test_a_new_day_starts_the_list_afresh_and_an_older_day_is_read(world: World) -> None:
    vessel = world.vessel()
    crew_id = registered(world)
    check = check_at(world, vessel, crew_id, "master")
    two_days_ago, yesterday, today = key_of(check, 2), key_of(check, 1), key_of(check)
    add_day(check, yesterday, service_days.look_up(CrewMember.get(crew_id), yesterday))
    looked = service_days.look_up(CrewMember.get(crew_id), today)
    assert (looked.on_record, looked.after) == (False, [today])
    add_day(check, today, looked)
    assert list(CrewMember.get(crew_id).service_days or []) == [today]
    # a day older than the list's (a review confirmed later): its record is read, the list kept
    with service_record_calls() as sent:
        older = service_days.look_up(CrewMember.get(crew_id), yesterday)
    assert (older.on_record, older.after, sent) == (True, None, ["GetItem"])
    missing = service_days.look_up(CrewMember.get(crew_id), two_days_ago)
    assert (missing.on_record, missing.after) == (False, None)
    add_day(check, two_days_ago, missing)
    member = CrewMember.get(crew_id)
    assert (list(member.service_days or []), int(member.credit_points)) == ([today], 3)


def test_a_list_changed_meanwhile_cancels_the_transaction(world: World) -> None:
    vessel = world.vessel()
    crew_id = registered(world)
    master, able = (
        check_at(world, vessel, crew_id, "master"),
        check_at(world, vessel, crew_id, "able"),
    )
    first, second = key_of(master), key_of(able)
    stale = service_days.look_up(CrewMember.get(crew_id), second)  # read before the other day
    add_day(master, first, service_days.look_up(CrewMember.get(crew_id), first))
    with pytest.raises(TransactWriteError):
        add_day(able, second, stale)  # it would drop `first` from the list
    member = CrewMember.get(crew_id)
    assert (list(member.service_days or []), int(member.credit_points)) == ([first], 1)
    assert [r.record_key for r in ServiceRecord.query(crew_id)] == [first]  # nothing half-written
