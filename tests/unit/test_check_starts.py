"""Starting a check (`checkin.checks`) on real tables under moto: what each kind reads, in how
many DynamoDB calls, and that the rules of who may check in where still hold."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from enforcement import audit, jurisdictions
from enforcement.auth import Principal
from enforcement.checkin import checks, loading
from enforcement.checkin.models import Check, Vessel
from enforcement.checkin.schemas import OnsiteCheckIn, SelfCheckIn
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world

GPS = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}


@contextmanager
def dynamodb_calls() -> Iterator[tuple[Counter[str], list[str]]]:
    """DynamoDB calls by operation, and every item key read (one entry per item)."""
    calls: Counter[str] = Counter()
    items: list[str] = []
    original = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
            if operation == "GetItem":
                items.append(json.dumps([params["TableName"], params["Key"]], sort_keys=True))
            elif operation == "BatchGetItem":
                for table, asked in params["RequestItems"].items():
                    items.extend(json.dumps([table, k], sort_keys=True) for k in asked["Keys"])
        return original(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        yield calls, items


def self_check(principal: Principal, **fields: Any) -> dict[str, Any]:
    return checks.start_self_check(principal, SelfCheckIn.model_validate({"gps": GPS, **fields}))


def chain_of_check(check_id: str) -> str:
    check = Check.get(check_id)
    return checks.audit_chain(check_id, "duty", check.jurisdiction)


def test_a_bound_crew_members_self_check_in_reads_each_item_once(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    self_check(crew)  # this process learns the vessel's jurisdiction (the audit chain's agency)
    with dynamodb_calls() as (calls, items):
        started = self_check(crew)
    # the crew index, one batch (vessel, audit head), the post's postings, the transaction
    assert calls == Counter({"Query": 2, "BatchGetItem": 1, "TransactWriteItems": 1})
    assert [i for i, n in Counter(items).items() if n > 1] == []
    assert {json.loads(i)[0] for i in items} == {"vessels", "audit"}
    assert started["status"] == "awaiting_photo"
    assert started["mode"] == "self"
    assert audit.verify_chain(chain_of_check(started["check_id"])).ok


def test_an_appointed_crew_members_self_check_in_is_three_calls(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("船长", ("master", "A"))
    world.post(vessel, crew_id, "master")
    self_check(crew)
    with dynamodb_calls() as (calls, items):
        started = self_check(crew)
    # the posting itself is read again strongly consistent, in the batch: the index lags
    assert calls == Counter({"Query": 1, "BatchGetItem": 1, "TransactWriteItems": 1})
    assert {json.loads(i)[0] for i in items} == {"vessels", "audit", "postings"}
    stored = Check.get(started["check_id"])
    assert (stored.vessel_id, stored.post, stored.crew_id) == (vessel, "master", crew_id)
    assert audit.verify_chain(chain_of_check(started["check_id"])).ok


def test_the_first_check_in_of_a_vessel_in_a_process_reads_the_head_itself(
    world: World,
) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    loading._JURISDICTION_HINTS.pop(vessel, None)  # a new process: it has read no vessel yet
    with dynamodb_calls() as (calls, _):
        started = self_check(crew)
    assert calls["GetItem"] == 1  # the audit head, read by audit.commit
    assert calls["BatchGetItem"] == 1
    assert audit.verify_chain(chain_of_check(started["check_id"])).ok


def test_a_vessel_moved_to_another_agency_files_its_checks_there(world: World) -> None:
    """A stale hint of the vessel's jurisdiction reads the head of the wrong chain: the check is
    still filed in the chain of the agency that owns the vessel now, intact."""
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    first = self_check(crew)  # hint: the world's jurisdiction
    other = f"moved-{secrets.token_hex(3)}"
    jurisdictions.register("admin:seed", f"agency-{other}", other)
    Vessel.get(vessel).update(actions=[Vessel.jurisdiction.set(other)])
    moved = self_check(crew)
    assert Check.get(moved["check_id"]).jurisdiction == other
    chain = chain_of_check(moved["check_id"])
    assert chain.split("/")[1] == f"agency-{other}"
    assert chain_of_check(first["check_id"]).split("/")[1] == world.agency
    report = audit.verify_chain(chain)
    assert report.ok
    assert report.entries >= 1


def test_a_bound_crew_member_may_not_check_in_at_a_post_appointed_crew_fill(
    world: World,
) -> None:
    vessel = world.vessel()
    master, _ = world.crew("船长", ("master", "A"))
    world.post(vessel, master, "master")
    bound, crew = world.crew("另一船长", ("master", "A"))
    world.post(vessel, bound, "master", status="bound")
    with pytest.raises(Conflict) as refused:
        self_check(crew)
    assert refused.value.code == "post_filled"


def test_a_bound_crew_member_checks_in_while_the_post_has_room(world: World) -> None:
    vessel = world.vessel()
    appointed, _ = world.crew("水手甲", ("rating_deck", "D"))
    world.post(vessel, appointed, "able")  # one of the two able seamen
    bound, crew = world.crew("水手乙", ("rating_deck", "D"))
    world.post(vessel, bound, "able", status="bound")
    assert self_check(crew)["post"] == "able"


def test_a_pending_binding_gives_no_self_check_in(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="pending")
    with pytest.raises(Conflict) as refused:
        self_check(crew)
    assert refused.value.code == "not_posted"


def test_several_posts_must_be_named(world: World) -> None:
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    first, second = world.vessel(), world.vessel()
    world.post(first, crew_id, "able", status="bound")
    world.post(second, crew_id, "able", status="bound")
    with pytest.raises(Unprocessable) as ambiguous:
        self_check(crew)
    assert ambiguous.value.code == "post_ambiguous"
    assert self_check(crew, vessel_id=second, post="able")["vessel_id"] == second


def test_a_remote_task_is_read_in_the_same_batch(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("船长", ("master", "A"))
    world.post(vessel, crew_id, "master")
    task_id = world.remote_task(vessel)
    self_check(crew)
    with dynamodb_calls() as (calls, items):
        started = self_check(crew, task_id=task_id)
    assert calls == Counter({"Query": 1, "BatchGetItem": 1, "TransactWriteItems": 1})
    assert "tasks" in {json.loads(i)[0] for i in items}
    assert (started["mode"], started["task_id"]) == ("remote", task_id)


@pytest.mark.parametrize(
    ("make", "error", "code"),
    [
        (lambda w, v: w.remote_task(v, closes_in=timedelta(seconds=-1)), Conflict, "task_closed"),
        (lambda w, v: w.remote_task(w.vessel()), Unprocessable, "task_other_vessel"),
        (lambda w, v: f"task-{secrets.token_hex(8)}", NotFound, "task_not_found"),
    ],
)
def test_a_self_check_in_names_only_an_open_task_of_its_vessel(
    world: World, make: Any, error: type[Exception], code: str
) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("船长", ("master", "A"))
    world.post(vessel, crew_id, "master")
    with pytest.raises(error) as refused:
        self_check(crew, task_id=make(world, vessel))
    assert refused.value.code == code  # type: ignore[attr-defined]


def onsite(principal: Principal, vessel: str, crew_id: str, post: str) -> dict[str, Any]:
    body = OnsiteCheckIn.model_validate({"crew_id": crew_id, "post": post, "gps": GPS})
    return checks.start_onsite_check(principal, vessel, body)


def test_an_officers_on_site_check_reads_in_one_batch(world: World) -> None:
    vessel = world.vessel()
    crew_id, _ = world.crew("船长", ("master", "A"))
    world.post(vessel, crew_id, "master")
    with dynamodb_calls() as (calls, items):
        started = onsite(world.officer, vessel, crew_id, "master")
    assert calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1})
    assert {json.loads(i)[0] for i in items} == {"vessels", "crew", "postings", "audit"}
    assert (started["mode"], started["crew_id"]) == ("onsite", crew_id)
    assert audit.verify_chain(chain_of_check(started["check_id"])).ok


def test_an_on_site_check_keeps_its_access_rules(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("船长", ("master", "A"))
    world.post(vessel, crew_id, "master")
    unposted, _ = world.crew("水手", ("rating_deck", "D"))
    with pytest.raises(NotFound) as hidden:  # another agency's officer: the vessel is hidden
        onsite(world.other_agency_officer, vessel, crew_id, "master")
    assert hidden.value.code == "vessel_not_found"
    with pytest.raises(NotFound) as missing:
        onsite(world.officer, vessel, f"crew-{secrets.token_hex(6)}", "master")
    assert missing.value.code == "crew_not_found"
    with pytest.raises(Unprocessable) as unknown:
        onsite(world.officer, vessel, crew_id, "cook")
    assert unknown.value.code == "unknown_post"
    with pytest.raises(Conflict) as not_posted:
        onsite(world.officer, vessel, unposted, "able")
    assert not_posted.value.code == "not_posted"
    with pytest.raises(NotFound) as no_vessel:
        onsite(world.officer, "412999999", crew_id, "master")
    assert no_vessel.value.code == "vessel_not_found"
    assert [p.status for p in checks.postings_of_crew(crew_id)] == ["appointed"]
    with pytest.raises(Forbidden) as crew_may_not:
        onsite(crew, vessel, crew_id, "master")
    assert crew_may_not.value.code == "role_not_allowed"
