"""The dispatch aggregates' service functions against moto's DynamoDB, S3 and Step Functions in
this process: versions of a model, a target's score and record, inspector profiles and their
conflicts, the start of draws (on demand and scheduled, each at most once), recording a result
and redrawing a team."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from enforcement import audit, config, documents, uploads, workflows
from enforcement.auth import Principal, Role
from enforcement.dispatch import catalogue, draws, inspectors, results, risk, snapshot
from enforcement.dispatch.models import Assignment, DispatchTarget, Draw, RiskModelVersion
from enforcement.dispatch.schemas import (
    ConflictIn,
    DrawIn,
    InspectorIn,
    PlanIn,
    RedrawIn,
    ResultIn,
    RiskModelIn,
    TargetIn,
)
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable, UpstreamError
from enforcement.models import Account, Jurisdiction, Upload
from enforcement.officers import InspectorProfile
from moto import mock_aws

AGENCY, OTHER = "msa-unit", "msa-other"
HOME = "j-unit"
BUCKET = "unit-uploads"
MODELS = (
    audit.AuditEntry,
    Account,
    Jurisdiction,
    RiskModelVersion,
    DispatchTarget,
    Draw,
    Assignment,
    InspectorProfile,
    Upload,
)
ADMIN = Principal("off-admin", Role.ADMIN, AGENCY, HOME)
OUTSIDER = Principal("off-outsider", Role.ADMIN, OTHER, "j-other")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name == "DYNAMODB_ENDPOINT":
            monkeypatch.delenv(name)
    monkeypatch.delenv("DRAW_STATE_MACHINE_ARN", raising=False)  # the local stack's, if it ran
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "UPLOAD_BUCKET": BUCKET,
        "DRAW_REVEAL_WAIT_SECONDS": "42",
    }.items():
        monkeypatch.setenv(name, value)
    for model in MODELS:
        monkeypatch.setenv(model.Meta.table_env, f"unit-{model.Meta.default_name}")
    with mock_aws():
        for model in MODELS:
            model.create_table(billing_mode="PAY_PER_REQUEST")  # moto: active at once
        boto3.client("s3", region_name="cn-north-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        for jurisdiction, agency in ((HOME, AGENCY), ("j-other", OTHER)):
            Jurisdiction(jurisdiction, agency=agency, registered_at="-", registered_by="-").save()
        yield


@pytest.fixture(autouse=True, scope="module")
def _clients_of_this_module() -> Iterator[None]:
    """Clients made earlier in this process may point at another endpoint (the local stack's);
    this module's own, made in its first test, serve every test's fresh moto."""
    _forget_clients()
    yield
    _forget_clients()


def _forget_clients() -> None:
    workflows.client.cache_clear()
    uploads.s3_client.cache_clear()
    for model in MODELS:
        model._connection = None


@pytest.fixture
def state_machine(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    sfn = boto3.client("stepfunctions", region_name="cn-north-1")
    arn = sfn.create_state_machine(
        name="unit-draw",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn="arn:aws-cn:iam::123456789012:role/unit",
    )["stateMachineArn"]
    monkeypatch.setenv("DRAW_STATE_MACHINE_ARN", arn)
    config.settings.cache_clear()  # settings are read once per process
    return str(arn)


def model_body(**changes: Any) -> RiskModelIn:
    document = risk.ship_model_document()
    document.pop("model_id")
    document.update(changes)
    return RiskModelIn.model_validate(document)


def officer(name: str, agency: str = AGENCY) -> Principal:
    Account(
        f"off-{name}", role=Role.OFFICER.value, agency=agency, jurisdiction=HOME, created_at="-"
    ).save()
    return Principal(f"off-{name}", Role.OFFICER, agency, HOME)


def target_body(**indicators: Any) -> TargetIn:
    return TargetIn(
        kind="ship", name="长江1号", company_id="co-a", model_id="ship", indicators=indicators
    )


# ------------------------------------------------------------------ catalogue


def test_each_saved_model_is_the_next_version_of_the_agencys_own_model(aws: None) -> None:
    first = catalogue.put_model(ADMIN, "ship", model_body())
    second = catalogue.put_model(ADMIN, "ship", model_body(name="ships, 2027"))
    assert (first["version"], second["version"]) == (1, 2)
    assert first["hash"] != second["hash"]
    assert catalogue.get_model(ADMIN, "ship")["version"] == 2
    assert catalogue.get_model(ADMIN, "ship", 1)["hash"] == first["hash"]
    with pytest.raises(Forbidden) as taken:
        catalogue.put_model(OUTSIDER, "ship", model_body())
    assert taken.value.code == "other_agency"
    with pytest.raises(NotFound):  # another agency's model reads as one that does not exist
        catalogue.get_model(Principal("off-x", Role.OFFICER, OTHER, "j-other"), "ship")
    reversed_levels = model_body()
    reversed_levels.levels.reverse()
    with pytest.raises(Unprocessable) as invalid:
        catalogue.put_model(ADMIN, "ship", reversed_levels)
    assert invalid.value.code == "invalid_model"


def test_a_target_is_scored_under_the_latest_version_and_keeps_its_record(aws: None) -> None:
    catalogue.put_model(ADMIN, "ship", model_body())
    scored = catalogue.put_target(ADMIN, "ship-1", target_body(**{"C01.01": "0.5"}))
    assert (scored["score"], scored["level"], scored["jurisdiction"]) == ("2.25", "low", HOME)
    DispatchTarget("ship-1").update(actions=[DispatchTarget.history.set([{"draw_id": "d"}])])
    rescored = catalogue.put_target(ADMIN, "ship-1", target_body())
    assert (rescored["score"], rescored["history"]) == ("0", [{"draw_id": "d"}])
    with pytest.raises(Unprocessable) as unknown:
        catalogue.put_target(ADMIN, "ship-2", target_body(**{"C99.99": 1}))
    assert unknown.value.code == "invalid_indicators"
    cargo = catalogue.put_model(ADMIN, "cargo-model", model_body(target_kind="cargo"))
    with pytest.raises(Unprocessable) as kind:
        catalogue.put_target(
            ADMIN, "ship-3", target_body().model_copy(update={"model_id": cargo["model_id"]})
        )
    assert kind.value.code == "wrong_model_kind"


# ------------------------------------------------------------------ inspectors


def test_conflicts_only_accumulate_and_the_public_id_stays(aws: None) -> None:
    zhang = officer("zhang")
    body = InspectorIn(qualifications=["ship", "ship", "cargo"], on_duty=True)
    first = inspectors.put_inspector(ADMIN, zhang.account_id, body)
    assert first["qualifications"] == ["cargo", "ship"]
    assert first["public_id"].startswith("insp-")
    declared = inspectors.declare_conflict(zhang, ConflictIn(company_id="co-a", reason="family"))
    assert declared["conflicts"] == ["co-a"]
    # the admin's next update names no conflicts: the declared one stays
    again = inspectors.put_inspector(ADMIN, zhang.account_id, body)
    assert (again["conflicts"], again["public_id"]) == (["co-a"], first["public_id"])
    assert inspectors.set_duty(zhang, False)["on_duty"] is False
    Account("off-boss", role=Role.ADMIN.value, agency=AGENCY, created_at="-").save()
    with pytest.raises(Unprocessable) as not_officer:
        inspectors.put_inspector(ADMIN, "off-boss", body)
    assert not_officer.value.code == "not_an_officer"
    with pytest.raises(NotFound):  # an officer without a profile has no duty to set
        inspectors.set_duty(officer("li"), True)


# ------------------------------------------------------------------ draws


def test_an_on_demand_draw_starts_its_workflow_with_the_default_wait(state_machine: str) -> None:
    catalogue.put_model(ADMIN, "ship", model_body())
    started = draws.request_draw(ADMIN, DrawIn(model_id="ship"))
    assert started["status"] == "requested"
    assert started["execution_arn"].endswith(f":{started['draw_id']}")
    assert int(Draw.get(started["draw_id"]).reveal_wait_seconds) == 42  # DRAW_REVEAL_WAIT_SECONDS
    with pytest.raises(NotFound):
        draws.request_draw(OUTSIDER, DrawIn(model_id="ship"))


def test_without_a_state_machine_a_draw_cannot_start(aws: None) -> None:
    catalogue.put_model(ADMIN, "ship", model_body())
    with pytest.raises(UpstreamError) as unavailable:
        draws.request_draw(ADMIN, DrawIn(model_id="ship"))
    assert unavailable.value.code == "workflow_unavailable"


def test_a_scheduled_draw_starts_once_per_plan_and_time(state_machine: str) -> None:
    catalogue.put_model(ADMIN, "ship", model_body())
    catalogue.put_model(OUTSIDER, "other-ship", model_body())
    draws.put_plan(ADMIN, PlanIn(model_id="ship", team_size=3))
    draws.put_plan(OUTSIDER, PlanIn(model_id="other-ship", enabled=False))
    first = draws.scheduled_draws("2026-03-01T01:00:00Z")
    assert [(d["agency"], d["started"]) for d in first] == [(AGENCY, True)]
    again = draws.scheduled_draws("2026-03-01T01:00:00Z")
    assert again == [{"agency": AGENCY, "draw_id": first[0]["draw_id"], "started": False}]
    item = Draw.get(first[0]["draw_id"])
    assert (item.trigger, int(item.team_size), item.status) == ("schedule", 3, "requested")
    later = draws.scheduled_draws("2026-03-02T01:00:00Z")
    assert later[0]["started"]
    assert later[0]["draw_id"] != first[0]["draw_id"]


# ------------------------------------------------------------------ results


def published_draw(team: list[str], members: list[str]) -> tuple[str, list[str]]:
    """A published draw of one target (`ship-1`) with `team` on it, its snapshot in S3 naming
    the inspectors `members` by their public ids."""
    catalogue.put_model(ADMIN, "ship", model_body())
    catalogue.put_target(ADMIN, "ship-1", target_body())
    public = {}
    for account_id in members:
        public[account_id] = inspectors.put_inspector(
            ADMIN, account_id, InspectorIn(qualifications=["ship"], on_duty=True)
        )["public_id"]
        InspectorProfile(account_id).update(actions=[InspectorProfile.open_assignments.set(1)])
    frozen = snapshot.make_snapshot(
        draw_id="draw-00000000000000aa",
        agency=AGENCY,
        frozen_at="2026-03-01T01:00:00.000Z",
        model={
            "model_id": "ship",
            "version": 1,
            "hash": "0" * 64,
            "levels": [{"level": "low", "min_score": "0", "rate": "0"}],
        },
        team_size=len(team),
        targets=[snapshot.Target("ship-1", "ship", HOME, "co-a", "low")],
        inspectors=[snapshot.Inspector(public[a], HOME, ("ship",), True, 0) for a in members],
        conflicts=[],
    )
    key = f"{draws.SNAPSHOT_PREFIX}draw-00000000000000aa/x.json"
    documents.put(key, frozen)
    Draw(
        "draw-00000000000000aa",
        agency=AGENCY,
        status="published",
        snapshot_key=key,
        seed="00" * 32,
    ).save()
    Assignment(
        "draw-00000000000000aa",
        "ship-1",
        agency=AGENCY,
        level="low",
        ticket="0" * 16,
        order=0,
        team=team,
        status="assigned",
    ).save()
    return "draw-00000000000000aa", [public[a] for a in team]


def test_a_team_member_records_the_result_once(aws: None) -> None:
    wang, zhao = officer("wang"), officer("zhao")
    draw_id, _ = published_draw([wang.account_id], [wang.account_id, zhao.account_id])
    with pytest.raises(Forbidden) as outsider:
        results.record_result(zhao, draw_id, "ship-1", ResultIn(passed=True))
    assert outsider.value.code == "not_on_team"
    recorded = results.record_result(
        wang, draw_id, "ship-1", ResultIn(passed=False, findings=["liferaft"], photos=1)
    )
    assert (recorded["status"], recorded["result"]["passed"]) == ("inspected", False)
    assert len(recorded["uploads"]) == len(recorded["photo_keys"]) == 1
    assert int(InspectorProfile.get(wang.account_id).open_assignments) == 0
    [entry] = DispatchTarget.get("ship-1").history
    assert (entry["draw_id"], entry["findings"], entry["team"]) == (draw_id, 1, ["off-wang"])
    with pytest.raises(Conflict) as twice:
        results.record_result(wang, draw_id, "ship-1", ResultIn(passed=True))
    assert twice.value.code == "already_recorded"


def test_a_redraw_draws_a_team_without_anyone_of_the_earlier_ones(aws: None) -> None:
    names = [officer(n).account_id for n in ("a1", "a2", "a3", "a4", "a5")]
    draw_id, _ = published_draw(names[:2], names)
    first = results.redraw(ADMIN, draw_id, "ship-1", RedrawIn(reason="team on leave"))
    assert not set(first["team"]) & set(names[:2])
    assert first["redraws"][0]["previous_team"] == names[:2]
    # the previous teams are all excluded: only one inspector is left, a team needs two
    with pytest.raises(Conflict) as none_left:
        results.redraw(ADMIN, draw_id, "ship-1", RedrawIn(reason="again on leave"))
    assert none_left.value.code == "no_eligible_team"
    loads = {a: int(InspectorProfile.get(a).open_assignments) for a in names}
    assert loads == {a: 2 if a in first["team"] else 0 if a in names[:2] else 1 for a in names}
    Draw("draw-00000000000000aa").update(actions=[Draw.status.set("drawn")])
    with pytest.raises(Conflict) as unpublished:
        results.redraw(ADMIN, draw_id, "ship-1", RedrawIn(reason="before publication"))
    assert unpublished.value.code == "draw_not_published"
