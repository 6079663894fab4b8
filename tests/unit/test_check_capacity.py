"""The check's own capacity: its indexes (`template.yaml`, `checkin.models.Check`), which a
decision's update leaves untouched, the listing that reads the checks themselves
(`checkin.manning.checks_since`), and the reads that may be a second old (the vessel when a
check starts, a check a client polls)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from enforcement import clock
from enforcement.checkin import checks, manning
from enforcement.checkin.models import Check
from samtranslator.yaml_helper import yaml_parse

from benchmarks.metering import _Tables
from tests.unit import checkin_world
from tests.unit.checkin_world import World
from tests.unit.test_check_starts import dynamodb_calls, self_check

world = checkin_world.world

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def checks_table() -> dict[str, Any]:
    props: dict[str, Any] = yaml_parse(TEMPLATE.read_text())["Resources"]["ChecksTable"][
        "Properties"
    ]
    return props


def started(**fields: Any) -> Check:
    """A self check as `checks.new_check` stores it."""
    return Check(
        "chk-0123456789abcdef",
        purpose="duty",
        mode="self",
        vessel_id="412345678",
        jurisdiction="sh",
        post="master",
        crew_id="crew-0123456789ab",
        account_id="acc-0123456789ab",
        status="awaiting_photo",
        reasons=[],
        photo_key="uploads/check/chk-0123456789abcdef/0123456789abcdef01234567",
        created_at="2026-12-01T08:00:00.000Z",
        **fields,
    )


def test_a_decision_writes_no_index_entry_of_its_check() -> None:
    props = checks_table()
    tables = _Tables(lambda _op, _params: {"Table": props})
    check = started()
    before = check.serialize()
    decided = started(
        results={"face": {"passed": True, "reason": "face_matches", "distance": 0.41}},
        decided_at="2026-12-01T08:00:09.000Z",
        photo_version="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        photo_sha256="a" * 64,
    )
    decided.status = "verified"
    # the check's start writes its one entry in by_vessel (by_task: remote checks only) ...
    assert tables.index_writes("checks", None, before) == 1
    # ... and its decision none: no key changes, nothing else is projected
    assert tables.index_writes("checks", before, decided.serialize()) == 0


def test_the_checks_model_projects_its_indexes_as_the_template() -> None:
    wanted = {
        index["IndexName"]: index["Projection"]["ProjectionType"]
        for index in checks_table()["GlobalSecondaryIndexes"]
    }
    modelled = {
        index.Meta.index_name: index.Meta.projection.projection_type
        for index in (Check.by_vessel, Check.by_task)
    }
    assert modelled == wanted == {"by_vessel": "KEYS_ONLY", "by_task": "ALL"}


def test_the_vessels_checks_are_listed_with_what_their_decisions_wrote(world: World) -> None:
    vessel = world.vessel()
    crew_id, _ = world.crew("张船长", ("master", "A"))
    made = [world.decided_check(vessel, crew_id, "master") for _ in range(102)]
    waiting = started()
    waiting.check_id, waiting.vessel_id, waiting.created_at = "chk-waiting", vessel, clock.iso()
    waiting.save()
    # decided after its index entry was written: the listing shows the decision
    waiting.update(actions=[Check.status.set("verified"), Check.decided_at.set(clock.iso())])
    since = clock.iso(clock.now().replace(year=clock.now().year - 1))
    with dynamodb_calls() as (calls, _):
        listed = manning.checks_since(vessel, since)
    # the index's keys in one Query, the checks a hundred to a BatchGetItem
    assert calls == Counter({"Query": 1, "BatchGetItem": 2})
    assert sorted(c.check_id for c in listed) == sorted([*made, "chk-waiting"])
    assert {(c.check_id, c.status) for c in listed} == {
        (c.check_id, c.status) for c in Check.scan(Check.vessel_id == vessel)
    }
    assert next(c for c in listed if c.check_id == "chk-waiting").decided_at is not None


def test_a_check_starts_with_the_vessel_read_eventually_consistent(world: World) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    sent: list[dict[str, Any]] = []
    original = checks.batch_get

    def batch_get(keys: Any) -> Any:
        keys = list(keys)
        sent.append({k.model.Meta.table_name: k.consistent for k in keys})
        return original(keys)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "batch_get", batch_get)
        self_check(crew)
    assert sent[0]["vessels"] is False
    assert sent[0].get("audit", True) is True  # the chain's head stays strongly consistent


def test_a_polled_check_is_read_eventually_consistent_and_again_when_not_found(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    vessel = world.vessel()
    crew_id, crew = world.crew("水手", ("rating_deck", "D"))
    world.post(vessel, crew_id, "able", status="bound")
    check_id = self_check(crew)["check_id"]
    asked: list[bool] = []
    real = Check.get.__func__  # type: ignore[attr-defined]

    def get(cls: type[Check], hash_key: Any, *args: Any, **kwargs: Any) -> Check:
        asked.append(bool(kwargs.get("consistent_read")))
        if not kwargs.get("consistent_read"):  # a copy the new check has not reached yet
            raise Check.DoesNotExist()
        return real(cls, hash_key, *args, **kwargs)  # type: ignore[no-any-return]

    sent: list[Any] = []
    original = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            sent.append((operation, params["TableName"], params.get("ConsistentRead", False)))
        return original(self, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        assert checks.get_check(crew, check_id, ("duty",))["check_id"] == check_id
    assert sent == [("GetItem", Check.Meta.table_name, False)]
    monkeypatch.setattr(Check, "get", classmethod(get))
    assert checks.get_check(crew, check_id, ("duty",))["status"] == "awaiting_photo"
    assert asked == [False, True]
