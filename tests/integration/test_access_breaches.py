"""The access breaches found from outside, each replayed over real HTTP on the local stack.

Two agencies: a maritime one owning two jurisdictions (an officer in each, an admin), and a
traffic police agency owning one (its admin). Every test makes its own records.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from enforcement import accounts, audit
from enforcement.auth import Role, hash_password
from enforcement.checkin.models import CrewMember, RemoteTask
from enforcement.dispatch import risk
from enforcement.models import Account

from tests.integration.client import Client, officer_session, wait_for
from tests.integration.people import (
    NEAR,
    SHIP,
    bind,
    crew_account,
    link,
    new_vessel,
    register,
    vessel_body,
)


class World:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        sfx = secrets.token_hex(3)
        self.sfx = sfx
        self.msa, self.traffic = f"msa-{sfx}", f"traffic-{sfx}"
        self.j1, self.j2, self.jt = f"wusong-{sfx}", f"beilun-{sfx}", f"zhifu-{sfx}"
        self.officer = self.login(f"zhang{sfx}", Role.OFFICER, self.msa, self.j1)
        self.neighbour = self.login(f"liu{sfx}", Role.OFFICER, self.msa, self.j2)
        self.admin = self.login(f"adm{sfx}", Role.ADMIN, self.msa, self.j1)
        self.traffic_admin = self.login(f"cmd{sfx}", Role.ADMIN, self.traffic, self.jt)

    def login(self, username: str, role: Role, agency: str, jurisdiction: str) -> Client:
        return officer_session(
            self.stack.api_url,
            username,
            role=role,
            agency=agency,
            jurisdiction=jurisdiction,
            name=username,
        )


@pytest.fixture(scope="module")
def world(stack: Any) -> World:
    return World(stack)


def code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json().get("code")


# ------------------------------------------------------------------ another agency's admin


def test_an_admin_of_another_agency_reaches_no_check_in_record(world: World) -> None:
    vessel_id = new_vessel(world.officer)
    crew = register(world.officer, "李")
    certificate = crew["certificates"][0]["number"]
    li = link(world.stack, crew_account(world.stack, "li"), crew["crew_id"])
    bind(li, world.officer, vessel_id, "master")
    check = world.officer.post(
        f"/checkin/vessels/{vessel_id}/onsite-checks",
        {"crew_id": crew["crew_id"], "post": "master", "gps": NEAR},
    )
    task = world.officer.post(f"/checkin/vessels/{vessel_id}/remote-tasks", {"window_seconds": 1})
    wait_for(  # the task's state machine is over: nothing writes in the background any more
        lambda: world.officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=60,
    )
    before = world.officer.get(f"/checkin/vessels/{vessel_id}")
    tasks_before = len(list(RemoteTask.by_vessel.query(vessel_id)))

    other = world.traffic_admin
    crew_path = f"/checkin/crew/{crew['crew_id']}"
    vessel_path = f"/checkin/vessels/{vessel_id}"
    attempts = [
        ("GET", crew_path, None),
        ("PUT", f"{crew_path}/certificates/{certificate}/status",
         {"status": "suspended", "reason": "x"}),
        ("POST", f"{crew_path}/face-enrolment", None),
        ("GET", f"{crew_path}/face-enrolment", None),
        ("GET", vessel_path, None),
        ("PUT", f"{vessel_path}/position", {"lat": 30.0, "lon": 122.0}),
        ("GET", f"{vessel_path}/manning", None),
        ("POST", f"{vessel_path}/onsite-checks",
         {"crew_id": crew["crew_id"], "post": "master", "gps": NEAR}),
        ("POST", f"{vessel_path}/remote-tasks", {}),
        ("GET", f"/checkin/remote-tasks/{task['task_id']}", None),
        ("GET", f"/checkin/checks/{check['check_id']}", None),
    ]  # fmt: skip
    answers = {f"{m} {p}": code(other.call(m, p, body)) for m, p, body in attempts}
    hidden = {
        "crew": (404, "crew_not_found"),
        "vessels": (404, "vessel_not_found"),
        "remote-tasks": (404, "task_not_found"),
        "checks": (404, "check_not_found"),
    }
    assert answers == {
        f"{m} {p}": hidden[p.split("/")[2]] for m, p, _ in attempts
    }  # as if none of them existed
    # and nothing changed
    after = world.officer.get(f"/checkin/crew/{crew['crew_id']}")
    assert after["certificates"][0]["status"] == "valid"
    assert after["face_status"] == "none"
    assert world.officer.get(vessel_path)["position"] == before["position"]
    assert len(list(RemoteTask.by_vessel.query(vessel_id))) == tasks_before
    # nor can it create a vessel in the other agency's jurisdiction
    refused = other.call("POST", "/checkin/vessels", vessel_body(jurisdiction=world.j1))
    assert code(refused) == (403, "jurisdiction_not_yours")


def test_the_agencys_own_admin_acts_in_every_jurisdiction_of_its_agency(world: World) -> None:
    vessel_id = new_vessel(world.neighbour)  # of the second jurisdiction
    assert world.admin.get(f"/checkin/vessels/{vessel_id}")["jurisdiction"] == world.j2
    world.admin.put(f"/checkin/vessels/{vessel_id}/position", SHIP)
    created = world.admin.post("/checkin/vessels", vessel_body(jurisdiction=world.j2))
    assert created["jurisdiction"] == world.j2


# ------------------------------------------------------------------ accounts across agencies


def test_an_admin_cannot_create_accounts_for_another_agencys_jurisdiction(world: World) -> None:
    for role in ("officer", "admin"):
        username = f"plant{role}{world.sfx}"
        refused = world.traffic_admin.call(
            "POST",
            "/auth/officers",
            {"username": username, "password": "a-long-password", "name": "x", "role": role,
             "jurisdiction": world.j1},
        )  # fmt: skip
        assert code(refused) == (403, "jurisdiction_not_yours")
        with pytest.raises(Account.DoesNotExist):
            Account.get(f"off-{username}", consistent_read=True)
    # a jurisdiction nobody owns cannot be claimed either
    refused = world.traffic_admin.call(
        "POST",
        "/auth/officers",
        {"username": f"claim{world.sfx}", "password": "a-long-password", "name": "x",
         "jurisdiction": f"nowhere-{world.sfx}"},
    )  # fmt: skip
    assert code(refused) == (403, "jurisdiction_not_yours")
    # its own jurisdiction is fine
    made = world.traffic_admin.post(
        "/auth/officers",
        {"username": f"wang{world.sfx}", "password": "a-long-password", "name": "王",
         "jurisdiction": world.jt},
    )  # fmt: skip
    assert (made["agency"], made["jurisdiction"]) == (world.traffic, world.jt)


def test_an_account_planted_in_another_agencys_jurisdiction_reads_nothing(world: World) -> None:
    """An officer of the traffic agency whose jurisdiction string is the maritime one (as the
    traffic admin could create before): no vessel, crew, manning or health report."""
    vessel_id = new_vessel(world.officer)
    crew = register(world.officer, "王")
    li = link(world.stack, crew_account(world.stack, "wang"), crew["crew_id"])
    bind(li, world.officer, vessel_id, "master")
    li.post("/checkin/health-reports", {"vessel_id": vessel_id, "symptoms": ["fever"]})
    username = f"planted{world.sfx}"
    Account(
        f"off-{username}",
        role="officer",
        name="planted",
        agency=world.traffic,
        jurisdiction=world.j1,
        username=username,
        password_hash=hash_password("planted-password"),
        created_at="2026-01-01T00:00:00Z",
    ).save()
    session = Client(world.stack.api_url).post(
        "/auth/officer/login", {"username": username, "password": "planted-password"}, expect=200
    )
    planted = Client(world.stack.api_url, session["token"])
    assert code(planted.call("GET", f"/checkin/vessels/{vessel_id}")) == (404, "vessel_not_found")
    assert code(planted.call("GET", f"/checkin/vessels/{vessel_id}/manning"))[0] == 404
    assert code(planted.call("GET", f"/checkin/crew/{crew['crew_id']}")) == (404, "crew_not_found")
    refused = planted.call("GET", "/checkin/health-reports")
    assert code(refused) == (403, "jurisdiction_not_yours")
    assert code(planted.call("GET", "/checkin/vessels")) == (403, "jurisdiction_not_yours")


def test_the_seed_cannot_give_a_jurisdiction_to_a_second_agency(world: World) -> None:
    from enforcement.errors import Conflict

    with pytest.raises(Conflict) as caught:
        accounts.create_officer(
            "system:test-seed",
            username=f"second{world.sfx}",
            password="a-long-password",
            name="x",
            role=Role.OFFICER,
            agency=world.traffic,
            jurisdiction=world.j1,
        )
    assert caught.value.code == "jurisdiction_owned"


# ------------------------------------------------------------------ dispatch


def model_body() -> dict[str, Any]:
    document = risk.ship_model_document()
    document.pop("model_id")
    return document


def test_a_plan_or_draw_cannot_name_another_agencys_risk_model(world: World) -> None:
    model_id = f"ship-risk-{world.sfx}"
    world.admin.post(f"/dispatch/risk-models/{model_id}/versions", model_body())
    other = world.traffic_admin
    plan = other.call("PUT", "/dispatch/plan", {"model_id": model_id, "team_size": 2})
    assert code(plan) == (404, "model_not_found")
    drawn = other.call("POST", "/dispatch/draws", {"model_id": model_id, "team_size": 2})
    assert code(drawn) == (404, "model_not_found")
    assert code(other.call("GET", f"/dispatch/risk-models/{model_id}")) == (404, "model_not_found")
    target = other.call(
        "PUT",
        f"/dispatch/targets/t-{world.sfx}",
        {"kind": "ship", "name": "x", "company_id": "co-1", "model_id": model_id},
    )
    assert code(target) == (404, "model_not_found")
    # the agency's own admin plans with it
    assert world.admin.put("/dispatch/plan", {"model_id": model_id})["model_id"] == model_id


def test_targets_and_patrol_areas_stay_in_the_agencys_jurisdictions(world: World) -> None:
    other = world.traffic_admin
    model_id = f"traffic-risk-{world.sfx}"
    other.post(f"/dispatch/risk-models/{model_id}/versions", model_body())
    target = other.call(
        "PUT",
        f"/dispatch/targets/tt-{world.sfx}",
        {"kind": "ship", "name": "x", "company_id": "co-1", "model_id": model_id,
         "jurisdiction": world.j1},
    )  # fmt: skip
    assert code(target) == (403, "jurisdiction_not_yours")
    area = other.call(
        "PUT",
        f"/duty/areas/a-{world.sfx}",
        {"name": "x", "lat": 31.0, "lon": 121.0, "jurisdiction": world.j1,
         "slots": [{"start": "07:00", "end": "09:00"}]},
    )  # fmt: skip
    assert code(area) == (403, "jurisdiction_not_yours")


# ------------------------------------------------------------------ crew and vessels


def test_a_binding_outside_appointments_gives_nothing_until_an_officer_approves(
    world: World,
) -> None:
    vessel_id = new_vessel(world.officer)
    crew = register(world.officer, "赵")
    zhao = link(world.stack, crew_account(world.stack, "zhao"), crew["crew_id"])
    requested = zhao.put("/checkin/me/binding", {"vessel_id": vessel_id, "post": "chief_engineer"})
    assert requested["status"] == "pending"
    assert zhao.get("/checkin/me")["postings"][0]["status"] == "pending"
    refused = {
        "vessel": zhao.call("GET", f"/checkin/vessels/{vessel_id}"),
        "manning": zhao.call("GET", f"/checkin/vessels/{vessel_id}/manning"),
        "health": zhao.call(
            "POST", "/checkin/health-reports", {"vessel_id": vessel_id, "symptoms": ["fever"]}
        ),
    }
    assert {k: code(r) for k, r in refused.items()} == dict.fromkeys(
        refused, (403, "not_your_vessel")
    )
    assert code(zhao.call("POST", "/checkin/checks", {"gps": NEAR})) == (409, "not_posted")

    # who may decide it
    binding = f"/checkin/vessels/{vessel_id}/bindings/{requested['binding_id']}"
    pending = world.officer.get("/checkin/bindings")
    assert requested["binding_id"] in [b["binding_id"] for b in pending]
    assert [
        b for b in world.neighbour.get("/checkin/bindings") if b["vessel_id"] == vessel_id
    ] == []
    assert code(world.neighbour.call("POST", f"{binding}/approve", {})) == (
        403,
        "outside_jurisdiction",
    )
    assert code(world.traffic_admin.call("POST", f"{binding}/approve", {})) == (
        404,
        "vessel_not_found",
    )
    assert code(zhao.call("POST", f"{binding}/approve", {})) == (403, "role_not_allowed")

    # refused, with a reason the crew member reads
    world.officer.post(f"{binding}/refuse", {"reason": "not on the crew list"}, expect=200)
    assert zhao.get("/checkin/me")["postings"] == []
    [note] = [n for n in zhao.get("/notifications") if n["kind"] == "binding.refused"]
    assert note["body"] == "not on the crew list"
    assert code(world.officer.call("POST", f"{binding}/approve", {}))[0] == 404

    # asked again and approved: now the vessel is theirs to see
    again = zhao.put("/checkin/me/binding", {"vessel_id": vessel_id, "post": "chief_engineer"})
    approved = world.officer.post(
        f"/checkin/vessels/{vessel_id}/bindings/{again['binding_id']}/approve",
        {"reason": "company confirmed"},
        expect=200,
    )
    assert approved["status"] == "bound"
    assert code(world.officer.call("POST", f"/checkin/vessels/{vessel_id}/bindings/"
                                   f"{again['binding_id']}/refuse", {"reason": "x"})) == (
        409, "binding_decided"
    )  # fmt: skip
    assert zhao.get(f"/checkin/vessels/{vessel_id}")["vessel_id"] == vessel_id
    assert zhao.get(f"/checkin/vessels/{vessel_id}/manning")["vessel_id"] == vessel_id
    assert zhao.get("/notifications")[0]["kind"] == "binding.approved"
    target = f"vessel:{vessel_id}/post:chief_engineer"
    event = audit.AuditEvent("", "posting.bind_refused", target, {})
    chain = audit.chain_of(event, None, world.msa)  # every posting.* of that target goes there
    actions = [(e.action, e.target) for e in audit.entries(chain)]
    assert ("posting.bind_refused", f"vessel:{vessel_id}/post:chief_engineer") in actions
    assert ("posting.bind_approved", f"vessel:{vessel_id}/post:chief_engineer") in actions


def test_any_mini_program_account_sees_only_what_binding_needs(world: World) -> None:
    vessel_id = new_vessel(world.officer)
    name = world.officer.get(f"/checkin/vessels/{vessel_id}")["name_zh"]
    for account in (
        crew_account(world.stack, "stranger"),  # not linked
        link(world.stack, crew_account(world.stack, "sailor"), register(world.officer, "孙")[
            "crew_id"]),  # linked, serving nowhere
    ):  # fmt: skip
        assert code(account.call("GET", f"/checkin/vessels/{vessel_id}"))[0] == 403
        assert code(account.call("GET", f"/checkin/vessels/{vessel_id}/manning"))[0] == 403
        [found] = account.get("/checkin/vessels", params={"name": name})
        assert found == {
            "vessel_id": vessel_id,
            "name_zh": name,
            "home_port": "上海",
            "posts": [{"code": "master", "title": "船长"}, {"code": "chief_engineer",
                                                           "title": "轮机长"}],
        }  # fmt: skip


def test_registering_an_id_number_tells_nothing_of_other_jurisdictions(world: World) -> None:
    number = f"31010119{secrets.randbelow(10**10):010d}"
    first = register(world.officer, "周", number)
    # another jurisdiction of the agency, and another agency, register it as if new
    second = register(world.neighbour, "周", number)
    third = register(world.traffic_admin, "周", number)
    assert len({first["crew_id"], second["crew_id"], third["crew_id"]}) == 3
    assert (first["jurisdiction"], second["jurisdiction"]) == (world.j1, world.j2)
    # within one jurisdiction an ID number is registered once
    again = world.officer.call(
        "POST", "/checkin/crew", {"name": "周", "id_number": number, "certificates": []}
    )
    assert code(again) == (409, "crew_exists")
    # linking finds the records of every jurisdiction; the crew member names theirs
    zhou = crew_account(world.stack, "zhou")
    several = zhou.call("POST", "/checkin/me/link", {"id_number": number})
    assert code(several) == (409, "crew_record_ambiguous")
    assert sorted(d["jurisdiction"] for d in several.json()["details"]) == sorted(
        [world.j1, world.j2, world.jt]
    )
    chosen = zhou.call("POST", "/checkin/me/link", {"id_number": number, "jurisdiction": world.j2})
    assert code(chosen) == (409, "face_not_enrolled")  # the chosen record, not yet enrolled
    CrewMember(second["crew_id"]).update(actions=[CrewMember.face_status.set("enrolled")])
    started = zhou.post("/checkin/me/link", {"id_number": number, "jurisdiction": world.j2})
    assert started["crew_id"] == second["crew_id"]
    nowhere = zhou.call(
        "POST", "/checkin/me/link", {"id_number": number, "jurisdiction": f"none-{world.sfx}"}
    )
    assert code(nowhere) == (404, "crew_not_found")
