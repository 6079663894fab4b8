"""An officer's disposition of a scanned declaration, the flight's counters, the p90 alert and
the day's board (enforcement.remote_survey.clearance, boards) on the models under moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement import audit, clock, jurisdictions, notify
from enforcement.auth import Principal, Role
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable
from enforcement.remote_survey import boards, clearance
from enforcement.remote_survey.models import Declaration, DeclarationVersion, Flight

from benchmarks.metering import AwsMeter
from tests.unit import clearance_world
from tests.unit.clearance_world import Ports

ports = clearance_world.ports


def entries_of(declaration: Declaration) -> list[audit.AuditEntry]:
    target = f"declaration:{declaration.declaration_id}"
    chain = audit.chain_for("remote_survey", declaration.agency).chain(target)
    return [e for e in audit.entries(chain) if e.target == target]


def reread(flight: Flight) -> Flight:
    return Flight.get(flight.port_day, flight.flight_number, consistent_read=True)


def inbox(ports: Ports) -> list[Any]:
    return notify.inbox(f"jurisdiction:{ports.port}")


# ------------------------------------------------------------------ release


def test_a_release_counts_on_the_flight_with_its_clearance_time(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=20)
    declaration = ports.declaration(flight)
    cleared = clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    view = cleared.view()
    assert view["disposition"] == "released"
    assert view["override"] is False
    assert view["seconds_from_on_block"]["released"] >= 20 * 60
    assert view["seconds_from_on_block"]["released"] == round(
        (clock.parse(view["released_at"]) - clock.parse(view["on_block"])).total_seconds()
    )
    stored = Declaration.get(declaration.declaration_id)
    assert stored.released_at == view["released_at"]
    assert stored.disposed_by == "officer-pvg"
    assert stored.expires_at is not None  # a released traveller's declaration still expires
    after = reread(flight)
    assert (after.released, after.held, after.declared) == (1, 0, 1)
    assert after.clearance_seconds == [view["seconds_from_on_block"]["released"]]
    [entry] = entries_of(declaration)
    assert entry.action == "declaration.released"
    assert entry.actor == ports.officer.actor
    assert json.loads(entry.details or "{}")["clearance_seconds"] == after.clearance_seconds[0]


def test_a_retry_answers_the_same_and_counts_once(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=10)
    declaration = ports.declaration(flight)
    first = clearance.clear(ports.officer, declaration.declaration_id, "released", None).view()
    again = clearance.clear(ports.officer, declaration.declaration_id, "released", None).view()
    assert again == first
    after = reread(flight)
    assert after.released == 1
    assert len(after.clearance_seconds or []) == 1
    assert len(entries_of(declaration)) == 1


def test_a_second_different_disposition_is_409(ports: Ports) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight)
    clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    with pytest.raises(Conflict) as refused:
        clearance.clear(ports.officer, declaration.declaration_id, "referred", "fever on site")
    assert refused.value.code == "already_cleared"
    after = reread(flight)
    assert (after.released, after.held) == (1, 0)


def test_a_disposition_lost_in_a_race_is_answered_like_a_retry(
    ports: Ports, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write's condition (no disposition yet) decides between two officers who read the
    declaration at the same time: the loser's same disposition is a retry, another is 409."""
    flight = ports.flight(on_block_minutes_ago=5)
    declaration = ports.declaration(flight)
    read = clearance._declaration
    stale = read(declaration.declaration_id)
    clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    calls = iter([stale])
    monkeypatch.setattr(
        clearance, "_declaration", lambda d: next(calls, None) or read(d)
    )  # the first read sees the declaration before the other officer's write
    view = clearance.clear(ports.officer, declaration.declaration_id, "released", None).view()
    assert view["disposition"] == "released"
    calls = iter([stale])
    with pytest.raises(Conflict) as refused:
        clearance.clear(ports.officer, declaration.declaration_id, "sampled", "a sample")
    assert refused.value.code == "already_cleared"
    assert reread(flight).released == 1
    assert reread(flight).held == 0


def test_a_correction_between_the_read_and_the_write_is_judged_again(
    ports: Ports, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correction committed after the officer's read makes version 2 with another outcome:
    the write's condition on the version fails, and the fresh read finds the release is now an
    override, which needs a reason."""
    flight = ports.flight()
    declaration = ports.declaration(flight, outcome="release")
    read = clearance._declaration
    stale = read(declaration.declaration_id)
    Declaration(declaration.declaration_id).update(
        actions=[Declaration.version.set(2), Declaration.outcome.set("onsite_referral")]
    )
    calls = iter([stale])
    monkeypatch.setattr(clearance, "_declaration", lambda d: next(calls, None) or read(d))
    with pytest.raises(Unprocessable) as refused:
        clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    assert refused.value.code == "reason_required"
    assert Declaration.get(declaration.declaration_id).disposition is None
    assert reread(flight).released == 0
    assert entries_of(declaration) == []


# ------------------------------------------------------------------ held


@pytest.mark.parametrize(
    ("outcome", "disposition"), [("onsite_referral", "referred"), ("sampling", "sampled")]
)
def test_a_held_traveller_is_kept_beyond_retention(
    ports: Ports, outcome: str, disposition: str
) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight, outcome=outcome, versions=2)
    view = clearance.clear(ports.officer, declaration.declaration_id, disposition, None).view()
    assert view["disposition"] == disposition
    assert view["released_at"] is None
    stored = Declaration.get(declaration.declaration_id)
    assert stored.expires_at is None
    assert [v.expires_at for v in DeclarationVersion.query(declaration.declaration_id)] == [
        None,
        None,
    ]
    after = reread(flight)
    assert (after.released, after.held, after.clearance_seconds) == (0, 1, None)
    [entry] = entries_of(declaration)
    assert entry.action == f"declaration.{disposition}"


# ------------------------------------------------------------------ overrides


def test_an_override_needs_a_reason_and_writes_nothing_without_one(ports: Ports) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight, outcome="onsite_referral")
    for reason in (None, "  "):
        with pytest.raises(Unprocessable) as refused:
            clearance.clear(ports.officer, declaration.declaration_id, "released", reason)
        assert refused.value.code == "reason_required"
    stored = Declaration.get(declaration.declaration_id)
    assert (stored.disposition, stored.released_at, stored.override) == (None, None, None)
    assert reread(flight).released == 0
    assert entries_of(declaration) == []


def test_an_override_with_a_reason_is_recorded_and_audited(ports: Ports) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight, outcome="release")
    view = clearance.clear(
        ports.officer, declaration.declaration_id, "referred", "coughing at the desk"
    ).view()
    assert view["override"] is True
    assert view["reason"] == "coughing at the desk"
    stored = Declaration.get(declaration.declaration_id)
    assert stored.override is not None
    assert {k: stored.override[k] for k in ("outcome", "recommended", "reason", "by")} == {
        "outcome": "referred",
        "recommended": "release",
        "reason": "coughing at the desk",
        "by": "officer-pvg",
    }
    [entry] = entries_of(declaration)
    details = json.loads(entry.details or "{}")
    assert (details["override"], details["reason"], details["outcome"]) == (
        True,
        "coughing at the desk",
        "release",
    )


def test_a_remote_survey_outcome_is_followed_once_the_survey_ended(ports: Ports) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight, outcome="remote_survey")
    with pytest.raises(Unprocessable, match="give a reason"):
        clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    with pytest.raises(Conflict) as early:
        clearance.survey_ended(ports.officer, declaration.declaration_id)
    assert early.value.code == "survey_not_started"
    started = clearance.survey_started(ports.officer, declaration.declaration_id)
    assert started.survey_started_at is not None
    again = clearance.survey_started(ports.officer, declaration.declaration_id)
    assert again.survey_started_at == started.survey_started_at  # the first start counts
    ended = clearance.survey_ended(ports.officer, declaration.declaration_id)
    assert ended.survey_ended_at is not None
    view = clearance.clear(ports.officer, declaration.declaration_id, "released", None).view()
    assert view["override"] is False
    assert set(view["seconds_from_on_block"]) == {
        "scanned",
        "survey_started",
        "survey_ended",
        "released",
    }
    assert [e.action for e in entries_of(declaration)] == [
        "declaration.survey_started",
        "declaration.survey_ended",
        "declaration.released",
    ]


# ------------------------------------------------------------------ refusals


def test_only_a_scanned_submitted_declaration_is_cleared(ports: Ports) -> None:
    flight = ports.flight()
    unscanned = ports.declaration(flight, scanned=False)
    draft = ports.declaration(flight, status="draft", scanned=False)
    with pytest.raises(Conflict) as refused:
        clearance.clear(ports.officer, unscanned.declaration_id, "released", None)
    assert refused.value.code == "not_scanned"
    with pytest.raises(Conflict) as refused:
        clearance.clear(ports.officer, draft.declaration_id, "released", None)
    assert refused.value.code == "not_submitted"
    assert reread(flight).released == 0


def test_officers_of_another_port_or_agency_and_travellers_are_refused(ports: Ports) -> None:
    flight = ports.flight()
    declaration = ports.declaration(flight)
    with pytest.raises(Forbidden) as outside:
        clearance.clear(ports.neighbour, declaration.declaration_id, "released", None)
    assert outside.value.code == "outside_jurisdiction"
    with pytest.raises(NotFound) as hidden:
        clearance.clear(ports.foreigner, declaration.declaration_id, "released", None)
    assert hidden.value.code == "declaration_not_found"
    traveller = Principal(declaration.owner, Role.CREW)
    with pytest.raises(Forbidden) as role:
        clearance.clear(traveller, declaration.declaration_id, "released", None)
    assert role.value.code == "role_not_allowed"
    with pytest.raises(NotFound):
        clearance.clear(ports.officer, "dc-0000000000000000", "released", None)
    assert reread(flight).released == 0
    assert entries_of(declaration) == []


def test_an_unknown_disposition_is_422(ports: Ports) -> None:
    declaration = ports.declaration(ports.flight())
    with pytest.raises(Unprocessable) as refused:
        clearance.clear(ports.officer, declaration.declaration_id, "waved_through", None)
    assert refused.value.code == "unknown_disposition"


# ------------------------------------------------------------------ the p90 alert


def test_the_late_flight_alert_goes_out_once(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=45)
    first, second = ports.declaration(flight), ports.declaration(flight)
    ports.sns()
    clearance.clear(ports.officer, first.declaration_id, "released", None)
    [note] = inbox(ports)
    assert note.kind == "clearance.p90_exceeded"
    assert note.data["flight_number"] == flight.flight_number
    assert note.data["target_seconds"] == 1800
    assert note.data["p90_seconds"] >= 45 * 60
    [copy] = ports.sns()
    assert (copy["recipient"], copy["kind"]) == (f"jurisdiction:{ports.port}", note.kind)
    assert reread(flight).alerted_at == note.created_at
    clearance.clear(ports.officer, second.declaration_id, "released", None)
    assert len(inbox(ports)) == 1
    assert ports.sns() == []
    assert clearance.alert_if_late(flight.port_day, flight.flight_number) is False


def test_a_flight_within_its_target_is_not_alerted(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=25)
    declaration = ports.declaration(flight)
    clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    assert inbox(ports) == []
    assert ports.sns() == []
    assert reread(flight).alerted_at is None


def test_holding_travellers_never_alerts(ports: Ports) -> None:
    flight = ports.flight(on_block_minutes_ago=90)
    declaration = ports.declaration(flight, outcome="onsite_referral")
    clearance.clear(ports.officer, declaration.declaration_id, "referred", None)
    assert inbox(ports) == []


def test_two_alerts_of_one_flight_race_and_one_wins(
    ports: Ports, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two releases that both read the flight before either alerted: the condition on
    `alerted_at` lets one inbox note and one SNS copy through."""
    flight = ports.flight(on_block_minutes_ago=50)
    flight.update(actions=[Flight.released.add(1), Flight.clearance_seconds.set([3000])])
    stale = reread(flight)
    ports.sns()
    assert clearance.alert_if_late(flight.port_day, flight.flight_number) is True
    monkeypatch.setattr(Flight, "get", lambda *args, **kwargs: stale)
    assert stale.alerted_at is None
    assert clearance.alert_if_late(flight.port_day, flight.flight_number) is False
    assert len(inbox(ports)) == 1
    assert len(ports.sns()) == 1


def test_a_release_costs_four_calls(ports: Ports) -> None:
    """Read the declaration; read the flight and the audit chain's head in one batch; the
    transaction; the flight read again for the p90 (strongly consistent: releases committed
    meanwhile count). The port's owner is known to a warm process (`jurisdictions.owner`)."""
    flight = ports.flight(on_block_minutes_ago=5)
    declaration = ports.declaration(flight)
    jurisdictions.owner(ports.port)
    with AwsMeter().measure() as usage:
        clearance.clear(ports.officer, declaration.declaration_id, "released", None)
    assert usage.calls == {
        "dynamodb:GetItem": 2,
        "dynamodb:BatchGetItem": 1,
        "dynamodb:TransactWriteItems": 1,
    }


# ------------------------------------------------------------------ the board


def test_the_days_board_lists_the_ports_flights_by_on_block(ports: Ports) -> None:
    late = ports.flight(on_block_minutes_ago=50, number="CA0930")
    early = ports.flight(on_block_minutes_ago=120, number="JL0871", passengers=80)
    scheduled = ports.flight(on_block_minutes_ago=10, actual=False, number="NH0921")
    ports.flight(on_block_minutes_ago=30, number="MU0521", arrival_date="2026-12-02")
    for _ in range(3):
        clearance.clear(ports.officer, ports.declaration(early).declaration_id, "released", None)
    clearance.clear(
        ports.officer,
        ports.declaration(early, outcome="onsite_referral").declaration_id,
        "referred",
        None,
    )
    ports.declaration(early)
    clearance.clear(ports.officer, ports.declaration(late).declaration_id, "released", None)
    found = boards.board(ports.officer, "2026-12-01", None)
    assert (found["port"], found["target_minutes"]) == (ports.port, 30)
    assert [f["flight_number"] for f in found["flights"]] == ["JL0871", "CA0930", "NH0921"]
    first = found["flights"][0]
    assert {k: first[k] for k in ("arrivals", "declared", "released", "held", "in_process")} == {
        "arrivals": 80,
        "declared": 5,
        "released": 3,
        "held": 1,
        "in_process": 1,
    }
    seconds = sorted(reread(early).clearance_seconds or [])
    assert (first["p50_seconds"], first["p90_seconds"], first["max_seconds"]) == (
        seconds[1],
        seconds[2],
        seconds[2],
    )
    assert first["late"] is True
    assert first["alerted_at"] is not None
    assert found["flights"][2]["on_block"] == scheduled.scheduled_on_block
    assert found["flights"][2]["p90_seconds"] is None
    assert late.flight_number == found["flights"][1]["flight_number"]


def test_the_board_is_for_the_ports_officers(ports: Ports) -> None:
    ports.flight()
    with pytest.raises(Forbidden) as outside:
        boards.board(ports.neighbour, "2026-12-01", ports.port)
    assert outside.value.code == "outside_jurisdiction"
    with pytest.raises(NotFound) as hidden:
        boards.board(ports.foreigner, "2026-12-01", ports.port)
    assert hidden.value.code == "port_not_found"
    with pytest.raises(Forbidden):
        boards.board(Principal("acc-1", Role.CREW), "2026-12-01", ports.port)
    assert boards.board(ports.neighbour, "2026-12-01", None)["flights"] == []  # their own port


def test_one_flights_clearance(ports: Ports) -> None:
    flight = ports.flight(number="MU0272")
    clearance.clear(ports.officer, ports.declaration(flight).declaration_id, "released", None)
    found = boards.flight_clearance(ports.officer, "2026-12-01", "mu0272", None)
    assert (found["flight_number"], found["released"], found["declared"]) == ("MU0272", 1, 1)
    with pytest.raises(NotFound) as unknown:
        boards.flight_clearance(ports.officer, "2026-12-01", "XX0001", None)
    assert unknown.value.code == "flight_unknown"
