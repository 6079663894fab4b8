"""Public verification that cannot be fooled, over real HTTP on the local stack: a draw through
the real state machine (with the stack's beacon), then

- the forgery that `POST /public/verify` certified (the real draw's id, commitment, secret and
  beacon; a snapshot with one target dropped or one level lowered; a result rebuilt for it) is
  "not the published draw", by the endpoint and by the verify command anchored on the API;
- the draw page publishes the reveal wait and the beacon chain, and the round rule holds;
- a verifier written from docs/draw-specification.md alone reproduces the real draw bit for
  bit, and the documents match the JSON Schema files;
- no public route (every operation of the OpenAPI document without a token) answers an account
  id or a user name, after a result was recorded and a team redrawn;
- a version-1 draw (account ids, no reveal wait in the snapshot) still verifies.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from enforcement import documents as system_documents
from enforcement.auth import Role
from enforcement.dispatch import draw, draws, risk
from enforcement.dispatch.models import Draw

from tests import spec_verifier as spec
from tests import synthetic
from tests.draw_pages import drop_first_drawn, lower_a_level
from tests.integration.client import Client, officer_session, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
JURISDICTION = f"j-wusongkou-{secrets.token_hex(3)}"  # this module's own
INSPECTORS = 5
WAIT = 1
#: Anonymous routes that are not public pages: they exchange a caller's own credentials.
CREDENTIAL_EXCHANGES = {("post", "/auth/officer/login"), ("post", "/auth/miniprogram/login")}


class World:
    """An agency of its own: an admin, five inspectors, five ships, one published draw."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.suffix = secrets.token_hex(3)
        self.agency = f"msa-pub-{self.suffix}"
        self.model_id = f"ship-pub-{self.suffix}"
        self.anon = Client(stack.api_url)
        self.usernames = [f"padm{self.suffix}"]
        self.admin = self.login(self.usernames[0], Role.ADMIN)
        self.inspectors: dict[str, Client] = {}
        for n in range(INSPECTORS):
            username = f"pinsp{n}{self.suffix}"
            self.usernames.append(username)
            self.inspectors[f"off-{username}"] = self.login(username, Role.OFFICER)
        self.account_ids = [f"off-{u}" for u in self.usernames]
        self.page: dict[str, Any] = {}

    def login(self, username: str, role: Role) -> Client:
        return officer_session(
            self.stack.api_url,
            username,
            role=role,
            agency=self.agency,
            jurisdiction=JURISDICTION,
            name=f"李{username}",
        )

    def publish_a_draw(self) -> dict[str, Any]:
        model = risk.ship_model_document()
        model.pop("model_id")
        self.admin.post(f"/dispatch/risk-models/{self.model_id}/versions", model)
        flags = {c: 1 for c in ("C02.01", "C02.02", "C03.01", "C04.01", "C05.01", "C10.01")}
        flags.update({f"C0{k}.0{j}": 1 for k in (2, 3, 4, 5) for j in (1, 2, 3, 4)})
        for n in range(5):
            target = self.admin.put(
                f"/dispatch/targets/ship-{self.suffix}-{n}",
                {
                    "kind": "ship",
                    "name": f"东海{n}号",
                    "company_id": f"co-{n}",
                    "model_id": self.model_id,
                    "indicators": flags if n < 3 else {},  # three always drawn (rate 1)
                },
            )
            assert (target["level"] == "very_high") == (n < 3)
        for account_id in self.inspectors:
            self.admin.put(
                f"/dispatch/inspectors/{account_id}",
                {"qualifications": ["ship"], "on_duty": True},
            )
        started = self.admin.post(
            "/dispatch/draws",
            {"model_id": self.model_id, "team_size": 2, "reveal_wait_seconds": WAIT},
        )
        page: dict[str, Any] = wait_for(
            lambda: self.anon.get(f"/public/draws/{started['draw_id']}", expect=None),
            lambda r: r.get("status") in ("published", "failed"),
            timeout=40,
        )
        assert page["status"] == "published", page
        return page


@pytest.fixture(scope="module")
def world(stack: Any) -> World:
    made = World(stack)
    made.page = made.publish_a_draw()
    return made


def documents(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    base = f"/public/draws/{world.page['draw_id']}"
    return world.anon.get(f"{base}/result"), world.anon.get(f"{base}/snapshot")


# ------------------------------------------------------------------ the forgery


@pytest.mark.parametrize("forge", [drop_first_drawn, lower_a_level], ids=["dropped", "lowered"])
def test_a_forged_pair_is_not_the_published_draw(world: World, forge: Any) -> None:
    published, snapshot = documents(world)
    forged_result, forged_snapshot = forge(published, snapshot)
    assert draw.verify(forged_result, forged_snapshot) == []  # agrees with itself
    assert forged_result["commitment"] == world.page["commitment"]
    assert forged_result["secret"] == world.page["secret"]
    assert forged_result["beacon_value"] == world.page["beacon_value"]
    report = world.anon.post(
        "/public/verify", {"published": forged_result, "snapshot": forged_snapshot}, expect=200
    )
    assert report["identical"] is False  # it answered {"identical": true}
    assert report["verdict"] == "not_the_published_draw"
    assert report["differences"][0] == (
        f"snapshot_hash: the draw published {world.page['snapshot_hash']} at its commitment, "
        f"the snapshot given hashes to {forged_result['snapshot_hash']}"
    )
    assert report["anchors"]["snapshot_hash"] == world.page["snapshot_hash"]
    # the real documents are certified
    genuine = world.anon.post(
        "/public/verify", {"published": published, "snapshot": snapshot}, expect=200
    )
    assert (genuine["identical"], genuine["verdict"]) == (True, "identical")
    assert genuine["beacon"]["checked"]
    assert genuine["beacon"]["round_rule_checked"]


def test_the_verify_command_anchors_on_the_api(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from enforcement.dispatch import verify as verify_cli

    forged = drop_first_drawn(*documents(world))
    (tmp_path / "result.json").write_text(json.dumps(forged[0]))
    (tmp_path / "snapshot.json").write_text(json.dumps(forged[1]))
    files = [str(tmp_path / "result.json"), str(tmp_path / "snapshot.json")]
    assert verify_cli.main(files) == 3
    assert "NOT ANCHORED" in capsys.readouterr().out
    assert verify_cli.main(["--api", world.stack.api_url, *files]) == 1
    assert f"NOT THE PUBLISHED DRAW {world.page['draw_id']}" in capsys.readouterr().out
    # the page saved and given explicitly anchors the same way
    (tmp_path / "page.json").write_text(json.dumps(world.page))
    assert verify_cli.main(["--draw", str(tmp_path / "page.json"), *files]) == 1
    capsys.readouterr()
    relay = world.stack.beacon.url
    real = ["--check-beacon", relay, "--api", world.stack.api_url, world.page["draw_id"]]
    assert verify_cli.main(real) == 0
    out = capsys.readouterr().out
    assert f"identical: the published draw {world.page['draw_id']}" in out
    assert "beacon round rule: checked" in out


# ------------------------------------------------------------------ what the page publishes


def test_the_draw_page_publishes_the_reveal_wait_and_the_beacon_rule(world: World) -> None:
    page, relay = world.page, world.stack.beacon
    assert page["reveal_wait_seconds"] == WAIT
    assert page["beacon_chain"] == {
        "chain_hash": relay.chain_hash,
        "genesis_time": relay.genesis,
        "period": relay.period,
        "relay": relay.url,
    }
    # the round named follows from what the page published at the commitment
    rule = spec.beacon_round(page["committed_at"], WAIT, relay.genesis, relay.period)
    assert page["beacon"] == spec.beacon_name(relay.chain_hash, rule)
    assert spec.epoch_ms(page["revealed_at"]) >= 1000 * relay.round_time(rule)
    _, snapshot = documents(world)
    assert snapshot["format"] == "dispatch-snapshot/2"
    assert snapshot["reveal_wait_seconds"] == WAIT  # inside the committed hash
    assert snapshot["frozen_at"] == page["committed_at"]


def test_a_verifier_from_the_specification_alone_reproduces_the_real_draw(world: World) -> None:
    published, snapshot = documents(world)
    relay = world.stack.beacon
    chain = (relay.chain_hash, relay.genesis, relay.period)
    assert spec.verify(world.page, published, snapshot, chain) == []
    again = spec.publish(snapshot, world.page["secret"], world.page["beacon_value"])
    assert spec.canonical(again) == spec.canonical(published)
    assert spec.result_hash(published) == world.page["result_hash"]
    # the documents as stored (canonical bytes) have the published hashes
    base = f"/public/draws/{world.page['draw_id']}"
    raw = world.anon.call("GET", f"{base}/snapshot").content
    assert spec.sha256(spec.canonical(spec.parse(raw))).hex() == world.page["snapshot_hash"]
    for name, document in (("snapshot", snapshot), ("result", published)):
        loaded = json.loads(
            (ROOT / "docs" / "schemas" / f"dispatch-{name}.schema.json").read_text()
        )
        jsonschema.Draft202012Validator(loaded).validate(document)


# ------------------------------------------------------------------ no account names in public


def _public_operations(world: World) -> set[tuple[str, str]]:
    document = world.anon.get("/openapi.json")
    return {
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "delete", "patch") and "security" not in operation
    }


def test_no_public_route_or_document_names_an_account(world: World) -> None:
    draw_id = world.page["draw_id"]
    assigned = [a for a in world.page["assignments"] if a["status"] == "assigned"]
    assert len(assigned) >= 2
    # a result recorded by a team member, and another target's team redrawn by the admin
    profiles = {
        world.admin.get(f"/dispatch/inspectors/{a}")["public_id"]: a for a in world.inspectors
    }
    recorder = world.inspectors[profiles[assigned[0]["team"][0]]]
    path = f"/dispatch/draws/{draw_id}/targets/{assigned[0]['target_id']}"
    recorder.post(f"{path}/result", {"passed": True, "findings": ["fire drill observed"]})
    path = f"/dispatch/draws/{draw_id}/targets/{assigned[1]['target_id']}"
    world.admin.post(f"{path}/redraw", {"reason": "a team member is on leave"})

    published, snapshot = documents(world)
    answers: dict[tuple[str, str], str] = {
        ("get", "/public/draws"): world.anon.call(
            "GET", "/public/draws", params={"agency": world.agency}
        ).text,
        ("get", "/public/draws/{draw_id}"): world.anon.call("GET", f"/public/draws/{draw_id}").text,
    }
    for part in ("snapshot", "result", "verify"):
        answers[("get", f"/public/draws/{{draw_id}}/{part}")] = world.anon.call(
            "GET", f"/public/draws/{draw_id}/{part}"
        ).text
    answers[("post", "/public/verify")] = world.anon.call(
        "POST", "/public/verify", json={"published": published, "snapshot": snapshot}
    ).text
    # every anonymous route of the OpenAPI document is asked (a new one fails here until it is)
    assert _public_operations(world) - CREDENTIAL_EXCHANGES == set(answers)

    page = json.loads(answers[("get", "/public/draws/{draw_id}")])
    shown = {a["target_id"]: a for a in page["assignments"]}
    assert shown[assigned[0]["target_id"]]["result"]["recorded_by"] in profiles
    assert shown[assigned[1]["target_id"]]["redraws"][0]["previous_team"] == assigned[1]["team"]
    for route, text in answers.items():
        lowered = text.lower()
        for name in [*world.account_ids, *world.usernames]:
            assert name.lower() not in lowered, (route, name)
        assert not re.search(r'"off-[a-z]', text), route
    # the inspectors appear, by public id
    assert set(profiles) <= {i["id"] for i in snapshot["inspectors"]}


# ------------------------------------------------------------------ draws of version 1


def test_a_version_1_draw_still_verifies(world: World) -> None:
    """A draw published before version 2: account ids, no reveal wait in the snapshot."""
    draw_id = f"draw-{secrets.token_hex(8)}"
    snapshot = synthetic.population(
        risk.parse_model(risk.ship_model_document()),
        targets=60,
        inspectors=8,
        salt=draw_id,
        snapshot_version=1,
    )
    snapshot.update(draw_id=draw_id, agency=world.agency, frozen_at="2026-11-30T08:00:00.000Z")
    snapshot = json.loads(json.dumps(snapshot))
    secret = secrets.token_hex(32)
    published = draw.publish(snapshot, secret)
    assert published["format"] == "dispatch-result/1"
    snapshot_key = f"{draws.SNAPSHOT_PREFIX}{draw_id}/{published['snapshot_hash']}.json"
    result_key = f"{draws.RESULT_PREFIX}{draw_id}/{published['result_hash']}.json"
    system_documents.put(snapshot_key, snapshot)
    system_documents.put(result_key, published)
    Draw(
        draw_id,
        agency=world.agency,
        status="published",
        requested_at="2026-11-30T07:59:59.000Z",
        reveal_wait_seconds=600,
        snapshot_key=snapshot_key,
        snapshot_hash=published["snapshot_hash"],
        commitment=published["commitment"],
        committed_at=snapshot["frozen_at"],
        secret=secret,
        seed=published["seed"],
        revealed_at="2026-11-30T08:10:00.000Z",
        result_key=result_key,
        result_hash=published["result_hash"],
    ).save()
    report = world.anon.get(f"/public/draws/{draw_id}/verify")
    assert (report["verdict"], report["differences"]) == ("identical", [])
    tampered = copy.deepcopy(snapshot)
    tampered["targets"].pop()
    rebuilt = draw.publish(tampered, secret)
    forged = world.anon.post(
        "/public/verify", {"published": rebuilt, "snapshot": tampered}, expect=200
    )
    assert forged["verdict"] == "not_the_published_draw"
