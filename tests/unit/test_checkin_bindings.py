"""Bindings (`checkin.bindings`) on real tables under moto: a binding outside an appointment
waits for an officer, who approves or refuses it; either is told to the crew member."""

from __future__ import annotations

import pytest
from enforcement.auth import Principal
from enforcement.checkin import bindings, loading, vessels
from enforcement.checkin.models import Posting
from enforcement.checkin.schemas import ApproveBindingIn, BindingIn, RefuseBindingIn
from enforcement.errors import Conflict, Forbidden, NotFound
from enforcement.models import Notification

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


def kinds(recipient: str) -> list[str]:
    return [n.kind for n in Notification.query(recipient)]


def bind(world: World, vessel: str, post: str = "able") -> tuple[str, dict, Principal]:
    crew_id, as_crew = world.crew("孙水手", ("rating_deck", "C"))
    answer = bindings.bind(as_crew, BindingIn(vessel_id=vessel, post=post))
    return crew_id, answer, as_crew


def test_a_binding_outside_an_appointment_waits_and_gives_nothing_until_approved(
    world: World,
) -> None:
    vessel = world.vessel()
    crew_id, answer, as_crew = bind(world, vessel)
    assert answer["status"] == "pending"
    assert kinds(f"jurisdiction:{world.jurisdiction}") == ["binding.requested"]
    with pytest.raises(Forbidden):
        vessels.get_vessel(as_crew, vessel)
    waiting = bindings.pending(world.officer, None)
    assert [(b["crew_id"], b["status"]) for b in waiting] == [(crew_id, "pending")]

    approved = bindings.approve(
        world.officer, vessel, answer["binding_id"], ApproveBindingIn(reason="seen the papers")
    )
    assert (approved["status"], approved["decided_by"]) == ("bound", world.officer.account_id)
    assert vessels.get_vessel(as_crew, vessel)["vessel_id"] == vessel
    assert bindings.pending(world.officer, None) == []
    assert kinds(crew_id) == ["binding.approved"]
    with pytest.raises(Conflict) as again:
        bindings.approve(world.officer, vessel, answer["binding_id"], ApproveBindingIn())
    assert again.value.code == "binding_decided"


def test_an_approved_binding_replaces_the_earlier_one(world: World) -> None:
    first, second = world.vessel(), world.vessel()
    crew_id, as_crew = world.crew("周水手", ("rating_deck", "D"))
    world.post(first, crew_id, "able", status="bound")
    answer = bindings.bind(as_crew, BindingIn(vessel_id=second, post="able"))
    assert answer["status"] == "pending"
    bindings.approve(world.officer, second, answer["binding_id"], ApproveBindingIn())
    assert [(p.vessel_id, p.status) for p in loading.postings_of_crew(crew_id)] == [
        (second, "bound")
    ]


def test_a_refused_binding_is_removed_and_the_crew_member_reads_why(world: World) -> None:
    vessel = world.vessel()
    crew_id, answer, _ = bind(world, vessel)
    refused = bindings.refuse(
        world.officer, vessel, answer["binding_id"], RefuseBindingIn(reason="not on the crew list")
    )
    assert (refused["status"], refused["reason"]) == ("refused", "not on the crew list")
    assert loading.postings_of_crew(crew_id, pending=True) == []
    assert kinds(crew_id) == ["binding.refused"]
    assert [n.body for n in Notification.query(crew_id)] == ["not on the crew list"]


def test_a_post_filled_by_appointed_crew_cannot_be_approved(world: World) -> None:
    vessel = world.vessel()
    crew_id, answer, _ = bind(world, vessel, post="master")
    holder, _ = world.crew("吴船长", ("master", "A"))
    world.post(vessel, holder, "master")  # appointed meanwhile
    with pytest.raises(Conflict) as filled:
        bindings.approve(world.officer, vessel, answer["binding_id"], ApproveBindingIn())
    assert filled.value.code == "post_filled"
    assert Posting.get(vessel, f"master#{crew_id}").status == "pending"


def test_within_an_appointment_a_binding_is_effective_at_once(world: World) -> None:
    vessel = world.vessel()
    crew_id, as_crew = world.crew("郑水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able")  # appointed on this vessel
    answer = bindings.bind(as_crew, BindingIn(vessel_id=vessel, post="master"))
    assert answer["status"] == "bound"
    assert bindings.pending(world.officer, None) == []


def test_only_the_vessels_own_agency_decides(world: World) -> None:
    vessel = world.vessel()
    _, answer, _ = bind(world, vessel)
    with pytest.raises(NotFound) as hidden:
        bindings.approve(
            world.other_agency_officer, vessel, answer["binding_id"], ApproveBindingIn()
        )
    assert hidden.value.code == "vessel_not_found"
    with pytest.raises(NotFound):
        bindings.refuse(world.officer, vessel, "bnd-" + "0" * 16, RefuseBindingIn(reason="x"))
