"""Random dispatch end to end over real HTTP on the local stack: a risk model and its versions,
targets, inspectors, an on-demand and a scheduled draw through the real state machine with a
beacon round named at the commitment (the stack's fake drand relay), public pages without a
token, verification (and tampering caught), results with photos, a redraw.

Each test stands alone: it gets a new world (its own agency, jurisdiction, model and inspectors)
and first walks the steps of the walk-through it builds on (`walk`), so it passes alone and in
any order."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from enforcement import audit, clock, config
from enforcement.auth import Role
from enforcement.dispatch import beacon, draw, risk
from enforcement.dispatch.models import Draw

from tests import photos
from tests.integration.client import Client, officer_session, upload, wait_for

pytestmark = pytest.mark.slow


class World:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.suffix = secrets.token_hex(3)
        self.agency = f"msa-{self.suffix}"
        self.model_id = f"ship-risk-{self.suffix}"
        self.jurisdiction = f"j-wusongkou-{self.suffix}"
        self.walked: set[str] = set()
        self.anon = Client(stack.api_url)
        self.admin = self.login("adm", Role.ADMIN, self.jurisdiction)
        self.inspectors: dict[str, Client] = {}
        # nine: after one off duty, one unqualified and one conflicted, a redraw still finds a
        # second team of two for any target, whatever the seed
        for n in range(9):
            self.inspectors[f"off-insp{n}{self.suffix}"] = self.login(
                f"insp{n}", Role.OFFICER, self.jurisdiction
            )
        self.outsider = self.login("far", Role.OFFICER, f"j-beilun-{self.suffix}")
        self.draws: dict[str, dict[str, Any]] = {}
        #: account id -> the public id draws name the inspector by, and back
        self.public_ids: dict[str, str] = {}
        self.account_of: dict[str, str] = {}

    def login(self, name: str, role: Role, jurisdiction: str) -> Client:
        return officer_session(
            self.stack.api_url,
            f"{name}{self.suffix}",
            role=role,
            agency=self.agency,
            jurisdiction=jurisdiction,
            name=f"王{name}",
        )


@pytest.fixture
def world(stack: Any) -> World:
    """A new world for each test: nothing is shared with another test but the stack."""
    return World(stack)


def walk(world: World, *steps: Callable[[World], None]) -> None:
    """Walk, on this test's own world, the steps of the walk-through it builds on (each once)."""
    for step in steps:
        if step.__name__ not in world.walked:
            world.walked.add(step.__name__)
            step(world)


def populated(world: World) -> None:
    """Steps 1: the agency's model in two versions, its targets, its inspectors."""
    walk(
        world,
        test_an_admin_saves_the_ship_model_and_each_change_is_a_new_version,
        test_targets_carry_indicator_values_and_get_score_and_level,
        test_inspectors_have_qualifications_duty_and_declared_conflicts,
    )


def drawn(world: World) -> None:
    """Step 2: the agency's on-demand draw, published (`world.draws["on_demand"]`)."""
    populated(world)
    walk(world, test_an_on_demand_draw_runs_through_the_state_machine)


def model_body(rate_low: str = "0.03") -> dict[str, Any]:
    document = risk.ship_model_document()
    document.pop("model_id")
    document["levels"][0]["rate"] = rate_low
    return document


def wait_published(world: World, draw_id: str) -> dict[str, Any]:
    return wait_for(
        lambda: world.anon.get(f"/public/draws/{draw_id}", expect=None),
        lambda r: r.get("status") in ("published", "failed"),
        timeout=40,
    )


# ------------------------------------------------------------------ 1. model, targets, inspectors


def test_an_admin_saves_the_ship_model_and_each_change_is_a_new_version(world: World) -> None:
    first = world.admin.post(f"/dispatch/risk-models/{world.model_id}/versions", model_body())
    assert (first["version"], first["categories"], first["indicators"]) == (1, 10, 37)
    second = world.admin.post(
        f"/dispatch/risk-models/{world.model_id}/versions", model_body(rate_low="0.05")
    )
    assert second["version"] == 2
    assert second["hash"] != first["hash"]
    assert world.admin.get(f"/dispatch/risk-models/{world.model_id}")["version"] == 2
    old = world.admin.get(f"/dispatch/risk-models/{world.model_id}/versions/1")
    assert old["levels"][0]["rate"] == "0.03"
    # officers may read but not change it; a bad model is refused with a code
    inspector = next(iter(world.inspectors.values()))
    inspector.post(f"/dispatch/risk-models/{world.model_id}/versions", model_body(), expect=403)
    broken = model_body()
    broken["levels"] = list(reversed(broken["levels"]))
    refused = world.admin.post(
        f"/dispatch/risk-models/{world.model_id}/versions", broken, expect=422
    )
    assert refused["code"] == "invalid_model"


def test_targets_carry_indicator_values_and_get_score_and_level(world: World) -> None:
    walk(world, test_an_admin_saves_the_ship_model_and_each_change_is_a_new_version)
    for n in range(4):  # always drawn: rate 1
        flagged = {c: 1 for c in ("C02.01", "C02.02", "C03.01", "C04.01", "C05.01", "C10.01")}
        flagged.update({f"C0{k}.0{j}": 1 for k in (2, 3, 4, 5) for j in (1, 2, 3, 4)})
        target = world.admin.put(
            f"/dispatch/targets/ship-{world.suffix}-hi{n}",
            {
                "kind": "ship",
                "name": f"长江{n}号",
                "company_id": "co-a" if n == 0 else f"co-{n}",
                "company_name": "上海远洋航运有限公司",
                "model_id": world.model_id,
                "indicators": flagged,
            },
        )
        assert target["level"] == "very_high"
        assert target["model_version"] == 2
    for n in range(6):
        target = world.admin.put(
            f"/dispatch/targets/ship-{world.suffix}-lo{n}",
            {
                "kind": "ship",
                "name": f"海港{n}号",
                "company_id": f"co-lo{n}",
                "model_id": world.model_id,
                "indicators": {"C01.01": "0.5"},
            },
        )
        assert (target["score"], target["level"]) == ("2.25", "low")
    refused = world.admin.put(
        f"/dispatch/targets/ship-{world.suffix}-bad",
        {
            "kind": "ship",
            "name": "x",
            "company_id": "c",
            "model_id": world.model_id,
            "indicators": {"C99.99": 1},
        },
        expect=422,
    )
    assert refused["code"] == "invalid_indicators"


def test_inspectors_have_qualifications_duty_and_declared_conflicts(world: World) -> None:
    ids = sorted(world.inspectors)
    for n, account_id in enumerate(ids):
        profile = world.admin.put(
            f"/dispatch/inspectors/{account_id}",
            {"qualifications": ["cargo"] if n == 5 else ["ship", "cargo"], "on_duty": n != 4},
        )
        assert profile["agency"] == world.agency
        assert profile["public_id"].startswith("insp-")
        world.public_ids[account_id] = profile["public_id"]
        world.account_of[profile["public_id"]] = account_id
    # public ids are random, not derived from the account
    assert not any(account in public for account, public in world.public_ids.items())
    # inspector 0 declares a conflict with the company of the first high-risk ship
    declared = world.inspectors[ids[0]].post(
        "/dispatch/me/conflicts", {"company_id": "co-a", "reason": "brother-in-law is its master"}
    )
    assert declared["conflicts"] == ["co-a"]
    # inspector 4 went off duty at the start; goes on and off again: the roster is theirs
    assert world.inspectors[ids[4]].put("/dispatch/me/duty", {"on_duty": True})["on_duty"]
    assert not world.inspectors[ids[4]].put("/dispatch/me/duty", {"on_duty": False})["on_duty"]
    outsider = world.outsider.put(
        f"/dispatch/inspectors/{ids[0]}", {"qualifications": ["ship"], "on_duty": True}, expect=403
    )
    assert outsider["code"] == "role_not_allowed"


# ------------------------------------------------------------------ 2. an on-demand draw


def test_an_on_demand_draw_runs_through_the_state_machine(world: World) -> None:
    populated(world)
    started = world.admin.post(
        "/dispatch/draws",
        {"model_id": world.model_id, "team_size": 2, "reveal_wait_seconds": 2},
    )
    draw_id = started["draw_id"]
    assert started["execution_arn"]
    # between the commitment and the reveal the public sees the hashes, not the secret
    committed = wait_for(
        lambda: world.anon.get(f"/public/draws/{draw_id}", expect=None),
        lambda r: r.get("status") in ("committed", "revealed", "drawn", "published"),
    )
    assert committed["snapshot_hash"]
    assert committed["commitment"]
    if committed["status"] == "committed":
        assert committed["secret"] is None
        assert committed["seed"] is None
    public = wait_published(world, draw_id)
    assert public["status"] == "published", public
    assert public["model"]["version"] == 2
    assert public["snapshot_hash"] == committed["snapshot_hash"]
    world.draws["on_demand"] = public

    drawn = {a["target_id"]: a for a in public["assignments"]}
    high = {f"ship-{world.suffix}-hi{n}" for n in range(4)}
    assert high <= set(drawn)  # rate 1: every very-high-risk target is drawn
    ids = [world.public_ids[i] for i in sorted(world.inspectors)]  # as draws name them
    for assignment in drawn.values():
        if assignment["status"] == "unstaffed":
            continue
        team = assignment["team"]
        assert len(set(team)) == 2
        assert ids[4] not in team  # off duty
        assert ids[5] not in team  # not qualified for ships
        if assignment["target_id"] == f"ship-{world.suffix}-hi0":
            assert ids[0] not in team  # declared a conflict with its company
        assert all(
            name and name.startswith("王") and "*" in name for name in assignment["team_names"]
        )
        assert assignment["company_name"] in (None, "上" + "*" * 9)
    # the snapshot is public and holds the frozen population
    snapshot = world.anon.get(f"/public/draws/{draw_id}/snapshot")
    assert {i["id"] for i in snapshot["inspectors"]} == set(ids)
    assert len(snapshot["targets"]) == 10


def test_the_inspectors_drawn_are_notified_and_their_workload_counts_it(world: World) -> None:
    drawn(world)
    from enforcement.models import Notification

    public = world.draws["on_demand"]
    team_member = world.account_of[next(a["team"][0] for a in public["assignments"] if a["team"])]
    inbox = list(Notification.query(team_member))
    assert any(
        n.kind == "dispatch.assigned" and n.data["draw_id"] == public["draw_id"] for n in inbox
    )
    profile = world.admin.get(f"/dispatch/inspectors/{team_member}")
    assert profile["open_assignments"] >= 1


def test_anyone_can_verify_the_draw_and_tampering_is_caught(world: World) -> None:
    drawn(world)
    draw_id = world.draws["on_demand"]["draw_id"]
    report = world.anon.get(f"/public/draws/{draw_id}/verify")
    anchored = world.draws["on_demand"]
    assert report == {
        "identical": True,
        "verdict": "identical",
        "differences": [],
        "snapshot_hash": anchored["snapshot_hash"],
        "result_hash": anchored["result_hash"],
        "anchors": {key: anchored[key] for key in report["anchors"]},
        "beacon": {
            "name": anchored["beacon"],
            "value": anchored["beacon_value"],
            "checked": True,
            "note": None,
            "round_rule_checked": True,
        },
    }
    assert report["anchors"]["reveal_wait_seconds"] == 2
    published = world.anon.get(f"/public/draws/{draw_id}/result")
    snapshot = world.anon.get(f"/public/draws/{draw_id}/snapshot")
    same = world.anon.post(
        "/public/verify", {"published": published, "snapshot": snapshot}, expect=200
    )
    assert same["identical"]
    tampered = copy.deepcopy(snapshot)
    low = next(t for t in tampered["targets"] if t["level"] == "low")
    low["level"] = "very_high"
    changed = world.anon.post(
        "/public/verify", {"published": published, "snapshot": tampered}, expect=200
    )
    assert not changed["identical"]
    assert changed["verdict"] == "not_the_published_draw"
    assert changed["differences"][0].startswith("snapshot_hash:")
    assert any(low["id"] in line for line in changed["differences"])


def test_documents_too_large_to_answer_inline_are_a_redirect_to_a_link(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn(world)
    draw_id = world.draws["on_demand"]["draw_id"]
    inline = {
        part: world.anon.get(f"/public/draws/{draw_id}/{part}") for part in ("snapshot", "result")
    }
    monkeypatch.setenv("PUBLIC_DOCUMENT_INLINE_BYTES", "1000")  # the stack runs in this process
    config.settings.cache_clear()  # settings are read once per process
    for part, document in inline.items():
        answer = world.anon.call("GET", f"/public/draws/{draw_id}/{part}", allow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["Location"] == answer.json()["url"]
        assert f"/dispatch/{part}s/{draw_id}/" in answer.headers["Location"]
        followed = world.anon.get(f"/public/draws/{draw_id}/{part}")  # requests follows it
        assert followed == document


def test_the_draw_named_a_future_beacon_round_at_its_commitment_and_used_its_value(
    world: World,
) -> None:
    drawn(world)
    public = world.draws["on_demand"]
    relay = world.stack.beacon
    match = re.fullmatch(rf"drand/quicknet/{relay.chain_hash}/round/(\d+)", public["beacon"])
    assert match, public["beacon"]
    round_number = int(match.group(1))
    # inside the committed snapshot, and the first round after the commitment and the wait (2 s)
    snapshot = world.anon.get(f"/public/draws/{public['draw_id']}/snapshot")
    assert snapshot["beacon"] == public["beacon"]
    assert draw.snapshot_hash(snapshot) == public["snapshot_hash"]
    committed = clock.parse(public["committed_at"]).timestamp()
    assert relay.round_time(round_number) > committed + 2 >= relay.round_time(round_number - 1)
    # its value, read from the relay at the reveal, is in the seed
    assert public["beacon_value"] == relay.value(round_number)["randomness"]
    assert round_number in relay.served
    secret, digest = public["secret"], public["snapshot_hash"]
    assert public["seed"] == draw.seed(secret, digest, public["beacon_value"])
    assert public["seed"] != draw.seed(secret, digest)
    published = world.anon.get(f"/public/draws/{public['draw_id']}/result")
    assert published["beacon_value"] == public["beacon_value"]
    # the commitment names the round, the reveal gives its value, both in the audit chain
    commit = audit.AuditEvent("", "draw.commit", f"draw:{public['draw_id']}", {})
    logged = {
        e.action: json.loads(e.details or "{}")
        for e in audit.entries(audit.chain_of(commit, None, world.agency))
        if e.target == f"draw:{public['draw_id']}"
    }
    assert logged["draw.commit"]["beacon"] == public["beacon"]
    assert logged["draw.reveal"]["beacon"] == public["beacon"]
    assert logged["draw.reveal"]["beacon_value"] == public["beacon_value"]


def test_a_draw_published_with_a_beacon_value_of_its_own_is_caught(world: World) -> None:
    drawn(world)
    public = world.draws["on_demand"]
    snapshot = world.anon.get(f"/public/draws/{public['draw_id']}/snapshot")
    # consistent with itself, so only the beacon can tell
    ground = draw.publish(snapshot, public["secret"], "ab" * 32)
    assert draw.verify(ground, snapshot) == []
    report = world.anon.post(
        "/public/verify", {"published": ground, "snapshot": snapshot}, expect=200
    )
    assert not report["identical"]
    assert report["verdict"] == "not_the_published_draw"  # not the value the draw published
    assert report["beacon"]["checked"]
    assert (
        f"beacon_value: published {'ab' * 32}, the beacon gives {public['beacon_value']}"
        in report["differences"]
    )


def test_a_lagging_beacon_holds_the_reveal_until_its_round_is_out(world: World) -> None:
    populated(world)
    relay = world.stack.beacon
    relay.delay = 4.0  # the relay answers each round 4 s after its time
    try:
        started = world.admin.post(
            "/dispatch/draws",
            {"model_id": world.model_id, "team_size": 2, "reveal_wait_seconds": 1},
        )
        public = wait_published(world, started["draw_id"])
    finally:
        relay.delay = 0.0
    assert public["status"] == "published", public
    reveals = [
        i
        for i in world.stack.invocations
        if i.function == "DrawStepsFunction"
        and i.event.get("action") == "reveal"
        and i.event.get("draw_id") == public["draw_id"]
    ]
    assert reveals[0].error is not None
    assert reveals[0].error["errorType"] == "BeaconNotReady"
    assert reveals[-1].ok
    assert all(not r.ok and r.error["errorType"] == "BeaconNotReady" for r in reveals[:-1])
    # asked again by the state machine's own retrier, at a fixed interval, not backing off
    # like a failure (the spacing itself is the interpreter's timing, not asserted here)
    assert len(reveals) >= 3
    reveal_state = json.loads(
        world.stack.boto3_client("stepfunctions").describe_state_machine(
            stateMachineArn=world.stack.resources["DrawStateMachine"]
        )["definition"]
    )["States"]["Reveal"]
    retrier = next(r for r in reveal_state["Retry"] if r["ErrorEquals"] == ["BeaconNotReady"])
    assert retrier["IntervalSeconds"] == 2
    assert retrier["BackoffRate"] == 1
    revealed_at = clock.parse(public["revealed_at"]).timestamp()
    _, round_number = beacon.parse_name(public["beacon"])
    assert revealed_at >= relay.round_time(round_number) + 4
    assert world.anon.get(f"/public/draws/{public['draw_id']}/verify")["identical"]


def test_a_reveal_before_the_round_is_out_leaves_the_draw_as_it_was(world: World) -> None:
    relay = world.stack.beacon
    chain = beacon.Chain(relay.chain_hash, relay.genesis, relay.period)
    secret = draw.new_secret()
    digest = "5e" * 32
    item = Draw(
        f"draw-{secrets.token_hex(8)}",
        agency=world.agency,
        status="committed",
        secret=secret,
        commitment=draw.commitment(secret),
        snapshot_hash=digest,
        beacon=chain.name(relay.latest() + 3600),  # an hour away
    )
    item.save()
    step = {"action": "reveal", "draw_id": item.draw_id}
    result = world.stack.invoke("DrawStepsFunction", step)
    assert result.error is not None
    assert result.error["errorType"] == "BeaconNotReady"
    untouched = Draw.get(item.draw_id, consistent_read=True)
    assert untouched.status == "committed"
    assert (untouched.seed, untouched.beacon_value, untouched.revealed_at) == (None, None, None)
    # once the round is out the same step reveals, with the round's value in the seed
    out = relay.latest()
    item.update(actions=[Draw.beacon.set(chain.name(out))])
    assert world.stack.invoke("DrawStepsFunction", step).error is None
    revealed = Draw.get(item.draw_id, consistent_read=True)
    assert revealed.status == "revealed"
    assert revealed.beacon_value == relay.value(out)["randomness"]
    assert revealed.seed == draw.seed(secret, digest, revealed.beacon_value)
    assert world.stack.invoke("DrawStepsFunction", step).error is None  # a retry: nothing twice
    assert Draw.get(item.draw_id, consistent_read=True).revealed_at == revealed.revealed_at


def test_the_verify_command_reruns_a_published_draw(
    world: World, tmp_path: Any, capsys: Any
) -> None:
    drawn(world)
    from enforcement.dispatch import verify as verify_cli

    draw_id = world.draws["on_demand"]["draw_id"]
    assert verify_cli.main(["--api", world.stack.api_url, draw_id]) == 0
    assert "identical" in capsys.readouterr().out
    relay = world.stack.beacon.url
    assert verify_cli.main(["--check-beacon", relay, "--api", world.stack.api_url, draw_id]) == 0
    out = capsys.readouterr().out
    assert "identical" in out
    assert f"beacon: {world.draws['on_demand']['beacon']} read from {relay}" in out
    published = world.anon.get(f"/public/draws/{draw_id}/result")
    snapshot = world.anon.get(f"/public/draws/{draw_id}/snapshot")
    snapshot["inspectors"][0]["on_duty"] = not snapshot["inspectors"][0]["on_duty"]
    (tmp_path / "published.json").write_text(json.dumps(published))
    (tmp_path / "snapshot.json").write_text(json.dumps(snapshot))
    code = verify_cli.main([str(tmp_path / "published.json"), str(tmp_path / "snapshot.json")])
    assert code == 1
    assert "snapshot_hash: published" in capsys.readouterr().out
    # anchored on the draw's page, read from the API: not the published draw
    files = [str(tmp_path / "published.json"), str(tmp_path / "snapshot.json")]
    assert verify_cli.main(["--api", world.stack.api_url, *files]) == 1
    assert f"NOT THE PUBLISHED DRAW {draw_id}" in capsys.readouterr().out


def test_a_retried_step_draws_nothing_twice(world: World) -> None:
    drawn(world)
    public = world.draws["on_demand"]
    for action in ("freeze", "reveal", "select", "publish"):
        result = world.stack.invoke(
            "DrawStepsFunction", {"action": action, "draw_id": public["draw_id"]}
        )
        assert result.error is None
        assert json.loads(result.payload_json)["status"] == "published"
    again = world.anon.get(f"/public/draws/{public['draw_id']}")
    assert again["result_hash"] == public["result_hash"]
    assert again["assignments"] == public["assignments"]


# ------------------------------------------------------------------ 3. results and redraws


def test_a_team_member_records_the_result_with_a_photo(world: World) -> None:
    drawn(world)
    public = world.draws["on_demand"]
    assignment = next(a for a in public["assignments"] if a["team"])
    draw_id, target_id = public["draw_id"], assignment["target_id"]
    team = [world.account_of[member] for member in assignment["team"]]
    outsider_id = next(i for i in sorted(world.inspectors) if i not in team)
    refused = world.inspectors[outsider_id].post(
        f"/dispatch/draws/{draw_id}/targets/{target_id}/result", {"passed": True}, expect=403
    )
    assert refused["code"] == "not_on_team"
    member = world.inspectors[team[0]]
    recorded = member.post(
        f"/dispatch/draws/{draw_id}/targets/{target_id}/result",
        {"passed": False, "findings": ["liferaft servicing overdue"], "photos": 2},
    )
    assert recorded["status"] == "inspected"
    scene = photos.background()
    upload(recorded["uploads"][0], scene)
    upload(recorded["uploads"][1], b"\xff\xd8\xff\xe0 not a photo")
    internal = wait_for(
        lambda: world.admin.get(f"/dispatch/draws/{draw_id}"),
        lambda d: (
            len(next(a for a in d["assignments"] if a["target_id"] == target_id)["photos"]) == 2
        ),
    )
    received = next(a for a in internal["assignments"] if a["target_id"] == target_id)["photos"]
    by_key = {p["key"]: p for p in received}
    assert by_key[recorded["uploads"][0]["key"]]["sha256"] == hashlib.sha256(scene).hexdigest()
    assert by_key[recorded["uploads"][1]["key"]]["code"] == "image_unreadable"
    s3 = world.stack.boto3_client("s3")
    s3.head_object(Bucket=world.stack.env["UPLOAD_BUCKET"], Key=recorded["uploads"][0]["key"])
    member.post(
        f"/dispatch/draws/{draw_id}/targets/{target_id}/result", {"passed": True}, expect=409
    )
    shown = next(
        a
        for a in world.anon.get(f"/public/draws/{draw_id}")["assignments"]
        if a["target_id"] == target_id
    )
    assert shown["result"]["passed"] is False
    assert "photo_keys" not in shown
    assert "photos" not in shown
    assert shown["photos_accepted"] == 1
    history = world.admin.get(f"/dispatch/targets/{target_id}")["history"]
    assert history[0]["draw_id"] == draw_id


def test_a_redraw_needs_a_reason_and_is_public(world: World) -> None:
    drawn(world)
    public = world.anon.get(f"/public/draws/{world.draws['on_demand']['draw_id']}")
    assignment = next(a for a in public["assignments"] if a["status"] == "assigned")
    path = f"/dispatch/draws/{public['draw_id']}/targets/{assignment['target_id']}/redraw"
    world.admin.post(path, {}, expect=422)
    redrawn = world.admin.post(path, {"reason": "team member on sick leave"})
    new_team = {world.public_ids[member] for member in redrawn["team"]}  # the agency's view
    assert not new_team & set(assignment["team"]) or len(world.inspectors) < 6
    shown = next(
        a
        for a in world.anon.get(f"/public/draws/{public['draw_id']}")["assignments"]
        if a["target_id"] == assignment["target_id"]
    )
    assert shown["redraws"][0]["reason"] == "team member on sick leave"
    assert shown["redraws"][0]["previous_team"] == assignment["team"]
    assert set(shown["team"]) == new_team
    assert "by" not in shown["redraws"][0]  # the admin's account stays internal


# ------------------------------------------------------------------ 4. the scheduled draw


def test_the_schedule_starts_the_agencys_draw_through_the_real_state_machine(
    world: World,
) -> None:
    drawn(world)
    plan = world.admin.put(
        "/dispatch/plan",
        {"model_id": world.model_id, "team_size": 2, "reveal_wait_seconds": 1},
    )
    assert plan["enabled"]
    # a new model version after the first draw: that draw keeps the version it used
    world.admin.post(f"/dispatch/risk-models/{world.model_id}/versions", model_body("0.5"))
    [result] = world.stack.fire_schedule("DrawScheduleFunction")
    assert result.error is None
    started = [d for d in json.loads(result.payload_json)["draws"] if d["agency"] == world.agency]
    assert started[0]["started"]
    public = wait_published(world, started[0]["draw_id"])
    assert public["status"] == "published", public
    assert public["trigger"] == "schedule"
    assert public["model"]["version"] == 3
    first = world.anon.get(f"/public/draws/{world.draws['on_demand']['draw_id']}")
    assert first["model"]["version"] == 2
    assert world.anon.get(f"/public/draws/{public['draw_id']}/verify")["identical"]
    listed = world.anon.get("/public/draws", params={"agency": world.agency})
    assert {d["draw_id"] for d in listed} >= {public["draw_id"], first["draw_id"]}
    # the same scheduled event delivered again starts nothing new
    event = {"time": "2026-03-01T01:00:00Z"}
    once = world.stack.invoke("DrawScheduleFunction", event)
    twice = world.stack.invoke("DrawScheduleFunction", event)
    mine = [d for d in json.loads(twice.payload_json)["draws"] if d["agency"] == world.agency]
    assert mine
    assert not mine[0]["started"]
    [first_delivery] = [
        d for d in json.loads(once.payload_json)["draws"] if d["agency"] == world.agency
    ]
    assert first_delivery["started"]
    assert first_delivery["draw_id"] == mine[0]["draw_id"]
    assert wait_published(world, first_delivery["draw_id"])["status"] == "published"
