"""The walk-through run with a client generated from the stack's `/openapi.json`.

openapi-python-client generates the client (no warning allowed) into a temporary folder once
per session; every call of the walk-through then goes through it, and every answer, success or
error (401, 403, 404, 409, 422), must parse into a typed model: not None (an undocumented
status), not a model without fields (an untyped answer). Photos go to S3 by presigned POST,
outside the API, as a mini-program sends them.
"""

from __future__ import annotations

import importlib
import json
import secrets
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
from enforcement import accounts
from enforcement.auth import Role
from enforcement.dispatch import risk

from tests.integration.client import upload, wait_for
from tests.openapi_contract import generate_client, generator_warnings
from tests.photos import background, live, photo_bytes

pytestmark = pytest.mark.slow

FUTURE = (date.today() + timedelta(days=400)).isoformat()
SHIP = {"lat": 31.3901, "lon": 121.5012}
NEAR = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}
LOCAL = timezone(timedelta(hours=8))  # the stack's LOCAL_UTC_OFFSET default
CROSSING = (37.5395, 121.3520)  # Yantai: a crossing of the duty walk-through


@pytest.fixture(scope="session")
def generated(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The package `enforcement_client`, generated from the served document."""
    import requests

    document = requests.get(f"{stack.api_url}/openapi.json", timeout=30).json()
    into = tmp_path_factory.mktemp("generated")
    _, output = generate_client(document, into)
    warnings = generator_warnings(output)
    assert not warnings, "openapi-python-client warned:\n" + "\n\n".join(warnings)
    sys.path.insert(0, str(into))
    return importlib.import_module("enforcement_client")


@pytest.fixture(scope="module", autouse=True)
def exact_replays_only() -> Iterator[None]:
    """Three photos of one person serve enrolment, link and check-in; the near-duplicate rule is
    the subject of other tests (see test_checkin_walkthrough.exact_replays_only)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
        patch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
        yield


class Api:
    """The generated client's operations and models, called as one user."""

    def __init__(self, package: ModuleType, base_url: str, token: str | None = None) -> None:
        self.package = package
        self.models = importlib.import_module("enforcement_client.models")
        if token:
            self.client = package.AuthenticatedClient(
                base_url=base_url, token=token, raise_on_unexpected_status=True, timeout=60
            )
        else:
            self.client = package.Client(
                base_url=base_url, raise_on_unexpected_status=True, timeout=60
            )
        self.base_url = base_url
        self.last: Any = None

    def as_user(self, token: str) -> Api:
        return Api(self.package, self.base_url, token)

    def call(self, operation: str, status: int | tuple[int, ...], **kwargs: Any) -> Any:
        """Call `tag.operation_id`; the answer must have `status` (one of them, for a poll) and
        parse into a typed model. The answer as sent stays in `self.last`."""
        module = importlib.import_module(f"enforcement_client.api.{operation}")
        response = module.sync_detailed(client=self.client, **kwargs)
        self.last = response
        expected = status if isinstance(status, tuple) else (status,)
        assert response.status_code in expected, (
            operation,
            response.status_code,
            response.content,
        )
        typed(response.parsed, operation)
        return response.parsed

    def document(self) -> Any:
        """The JSON of the last answer as sent, not re-serialised from its model (a published
        document re-hashes only as it was written)."""
        return json.loads(self.last.content)


def typed(parsed: Any, where: str) -> None:
    """A parsed answer: a model with fields of its own (or a list of such), and nothing in it
    outside its model (`undocumented`)."""
    assert parsed is not None, f"{where}: the answer parsed into None (undocumented status?)"
    if isinstance(parsed, list):
        for item in parsed:
            typed(item, where)
        return
    fields = getattr(type(parsed), "__attrs_attrs__", ())
    own = [f.name for f in fields if f.name != "additional_properties"]
    assert own, f"{where}: {type(parsed).__name__} is a model without fields"
    undocumented(parsed, where)


def undocumented(value: Any, where: str) -> None:
    """No member of a model with fields falls outside them (into `additional_properties`): the
    answer says nothing its model does not (maps, models without fields, hold any key)."""
    if isinstance(value, list):
        for item in value:
            undocumented(item, where)
        return
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is None:
        return
    own = [f.name for f in fields if f.name != "additional_properties"]
    extra = getattr(value, "additional_properties", {})
    assert not (own and extra), f"{where}: {type(value).__name__} got undocumented {sorted(extra)}"
    for name in own:
        undocumented(getattr(value, name), where)
    if not own:
        for item in extra.values():
            undocumented(item, where)


def error(parsed: Any, code: str | None = None) -> None:
    """An error answer parsed into the shared `Error`, with its `code` (when given)."""
    assert type(parsed).__name__ == "Error", type(parsed)
    assert parsed.code, parsed
    assert parsed.message, parsed
    if code is not None:
        assert parsed.code == code, (parsed.code, parsed.message)


class World:
    def __init__(self, stack: Any, package: ModuleType) -> None:
        self.stack = stack
        self.anon = Api(package, stack.api_url)
        self.m = self.anon.models
        suffix = secrets.token_hex(3)
        self.jurisdiction = f"gen-{suffix}"
        self.agency = f"msa-{suffix}"  # its own agency: its faces are searched only among its crew
        self.password = secrets.token_urlsafe(12)
        self.admin_name = f"admin{suffix}"
        self.officer_name = f"zhou{suffix}"
        self.outsider_name = f"sun{suffix}"
        self.seed(self.admin_name, Role.ADMIN, self.jurisdiction)
        self.seed(self.officer_name, Role.OFFICER, self.jurisdiction)
        self.seed(self.outsider_name, Role.OFFICER, f"gen-other-{suffix}")

    def seed(self, username: str, role: Role, jurisdiction: str) -> None:
        accounts.create_officer(
            "system:test-seed",
            username=username,
            password=self.password,
            name=username,
            role=role,
            agency=self.agency,
            jurisdiction=jurisdiction,
        )

    def login(self, username: str) -> Api:
        body = self.m.OfficerLogin(username=username, password=self.password)
        session = self.anon.call("auth.officer_login", 200, body=body)
        return self.anon.as_user(session.token)

    def crew_login(self, name: str) -> Api:
        code = f"code-{name}-{secrets.token_hex(4)}"
        self.stack.login_platform.add_code(code, f"openid-{name}-{secrets.token_hex(4)}")
        session = self.anon.call(
            "auth.miniprogram_login", 200, body=self.m.MiniProgramLogin(code=code)
        )
        assert session.account.role.value == "crew"
        return self.anon.as_user(session.token)


def poll(probe: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    return wait_for(probe, done, timeout=60)


def test_the_checkin_walk_through_parses_every_answer(stack: Any, generated: ModuleType) -> None:
    world = World(stack, generated)
    m = world.m
    anon = world.anon

    # accounts: logins, the calling account, an admin creating an officer
    error(
        anon.call(
            "auth.officer_login",
            401,
            body=m.OfficerLogin(username=world.officer_name, password="wrong-password"),
        ),
        "bad_credentials",
    )
    admin = world.login(world.admin_name)
    officer = world.login(world.officer_name)
    outsider = world.login(world.outsider_name)
    assert officer.call("auth.me", 200).jurisdiction == world.jurisdiction
    error(anon.call("auth.me", 401), "token_missing")
    new_officer = m.NewOfficer(
        username=f"wu{secrets.token_hex(3)}",
        password=secrets.token_urlsafe(12),
        name="吴",
        jurisdiction=world.jurisdiction,
    )
    created = admin.call("auth.create_officer", 201, body=new_officer)
    assert created.role.value == "officer"
    error(admin.call("auth.create_officer", 409, body=new_officer), "username_taken")
    error(officer.call("auth.create_officer", 403, body=new_officer))
    assert officer.call("auth.refresh", 200).account.account_id == f"off-{world.officer_name}"

    # 1. a vessel and its manning table
    mmsi = "42" + "".join(secrets.choice("0123456789") for _ in range(7))
    vessel_in = m.VesselIn.from_dict(
        {
            "mmsi": mmsi,
            "name_zh": f"东方之珠{mmsi[-4:]}",
            "home_port": "上海",
            "length_m": 88,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"}
            ],
        }
    )
    vessel = officer.call("checkin.create_vessel", 201, body=vessel_in)
    assert vessel.vessel_id == mmsi
    error(officer.call("checkin.create_vessel", 409, body=vessel_in), "vessel_exists")
    wrong = m.VesselIn.from_dict({**vessel_in.to_dict(), "mmsi": "12"})
    invalid = officer.call("checkin.create_vessel", 422, body=wrong)
    error(invalid, "validation_failed")
    officer.call("checkin.report_position", 200, vessel_id=mmsi, body=m.PositionIn(**SHIP))
    error(anon.call("checkin.get_vessel", 401, vessel_id=mmsi), "token_missing")
    error(outsider.call("checkin.get_vessel", 403, vessel_id=mmsi), "outside_jurisdiction")
    error(officer.call("checkin.get_vessel", 404, vessel_id="419999999"))

    # 2. a crew member and the reference photo of their face
    id_number = "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))
    crew = officer.call(
        "checkin.register_crew",
        201,
        body=m.CrewIn.from_dict(
            {
                "name": "赵磊",
                "id_number": id_number,
                "certificates": [
                    {"number": "M-420001", "type": "master", "grade": "A", "expires_on": FUTURE}
                ],
            }
        ),
    )
    grant = officer.call("checkin.request_enrolment", 201, crew_id=crew.crew_id)
    upload(grant.upload.to_dict(), photo_bytes("obama.jpg"))
    enrolled = poll(
        lambda: officer.call("checkin.enrolment_status", 200, crew_id=crew.crew_id),
        lambda r: r.face_status != "pending",
    )
    assert enrolled.face_status == "enrolled"

    # 3. the crew member logs in, links his record (ID number + face) and binds the vessel
    zhao = world.crew_login("zhao")
    link_in = m.LinkIn.from_dict({"id_number": id_number})
    started = zhao.call("checkin.link_account", 201, body=link_in)
    upload(started.upload.to_dict(), live("obama2.jpg"))
    linked = poll(
        lambda: zhao.call("checkin.get_link_check", 200, check_id=started.check_id),
        lambda r: r.status != "awaiting_photo",
    )
    assert linked.status == "verified", linked.to_dict()
    assert zhao.call("checkin.get_me", 200).crew.crew_id == crew.crew_id
    found = zhao.call("checkin.find_vessels", 200, name=vessel_in.name_zh)
    assert [v.vessel_id for v in found] == [mmsi]
    binding = m.BindingIn.from_dict({"vessel_id": mmsi, "post": "master"})
    requested = zhao.call("checkin.bind_vessel", 200, body=binding)
    if requested.status == "pending":
        waiting = officer.call("checkin.list_pending_bindings", 200)
        assert requested.binding_id in [b.binding_id for b in waiting]
        officer.call(
            "checkin.approve_binding",
            200,
            vessel_id=mmsi,
            binding_id=requested.binding_id,
            body=m.ApproveBindingIn(reason="on the crew list the company sent"),
        )
    assert zhao.call("checkin.bind_vessel", 200, body=binding).status == "bound"

    # 4. self check-in: the GPS fix, then the photo; the verdict with a result per check
    self_check = m.SelfCheckIn.from_dict({"gps": NEAR})
    started = zhao.call("checkin.start_self_check", 201, body=self_check)
    upload(started.upload.to_dict(), live("obama3.jpg"))
    check = poll(
        lambda: zhao.call("checkin.get_check", 200, check_id=started.check_id),
        lambda r: r.status != "awaiting_photo",
    )
    assert check.status == "verified", check.to_dict()
    other = world.crew_login("qian")
    error(other.call("checkin.get_check", 403, check_id=started.check_id))

    # 5. manning, service record, health
    manning = officer.call("checkin.manning_report", 200, vessel_id=mmsi)
    assert manning.to_dict()
    zhao.call("checkin.get_service_record", 200)
    health = zhao.call(
        "checkin.report_health",
        201,
        body=m.HealthIn.from_dict(
            {"vessel_id": mmsi, "symptoms": ["fever", "cough"], "temperature_c": 38.5}
        ),
    )
    assert health.to_dict()
    reports = officer.call("checkin.list_health_reports", 200, abnormal=True)
    assert health.report_id in [r.report_id for r in reports]
    zhao.call("notifications.my_notifications", 200)


class Agency:
    """An agency of its own (unique id) with an admin and officers, each logged in through the
    generated client; `ids` maps a name to its account id."""

    def __init__(self, stack: Any, package: ModuleType, prefix: str, officers: list[str]) -> None:
        self.anon = Api(package, stack.api_url)
        self.m = self.anon.models
        self.suffix = secrets.token_hex(3)
        self.agency = f"{prefix}-{self.suffix}"
        self.jurisdiction = f"j-{prefix}-{self.suffix}"
        self.password = secrets.token_urlsafe(12)
        self.ids: dict[str, str] = {}
        self.admin = self.login("adm", Role.ADMIN)
        self.officers = {name: self.login(name, Role.OFFICER) for name in officers}

    def login(self, name: str, role: Role) -> Api:
        username = f"{name}{self.suffix}"
        account = accounts.create_officer(
            "system:test-seed",
            username=username,
            password=self.password,
            name=f"王{name}",
            role=role,
            agency=self.agency,
            jurisdiction=self.jurisdiction,
        )
        self.ids[name] = account.account_id
        body = self.m.OfficerLogin(username=username, password=self.password)
        return self.anon.as_user(self.anon.call("auth.officer_login", 200, body=body).token)


def model_body() -> dict[str, Any]:
    document = risk.ship_model_document()
    document.pop("model_id")
    document["levels"][0]["rate"] = "0.03"
    return document


def test_the_dispatch_walk_through_parses_every_answer(stack: Any, generated: ModuleType) -> None:
    names = [f"insp{n}" for n in range(6)]
    world = Agency(stack, generated, "msa", names)
    m, anon, admin = world.m, world.anon, world.admin
    inspectors = world.officers
    model_id = f"ship-risk-{world.suffix}"

    # 1. the risk model in versions; officers may not change it; a model that does not hold
    saved = admin.call(
        "dispatch.put_model", 201, model_id=model_id, body=m.RiskModelIn.from_dict(model_body())
    )
    assert (saved.version, saved.categories, saved.indicators) == (1, 10, 37)
    assert admin.call("dispatch.get_model", 200, model_id=model_id).hash_ == saved.hash_
    old = admin.call("dispatch.get_model_version", 200, model_id=model_id, version=1)
    assert old.levels[0].rate == "0.03"
    error(admin.call("dispatch.get_model_version", 404, model_id=model_id, version=9))
    error(
        inspectors["insp0"].call(
            "dispatch.put_model", 403, model_id=model_id, body=m.RiskModelIn.from_dict(model_body())
        )
    )
    broken = model_body()
    broken["levels"] = list(reversed(broken["levels"]))
    refused = admin.call(
        "dispatch.put_model", 422, model_id=model_id, body=m.RiskModelIn.from_dict(broken)
    )
    error(refused, "invalid_model")

    # 2. targets: four very high risk (always drawn), six low; an unknown indicator
    flagged = {f"C0{k}.0{j}": 1 for k in (2, 3, 4, 5) for j in (1, 2, 3, 4)}
    flagged.update({c: 1 for c in ("C02.01", "C03.01", "C04.01", "C05.01", "C10.01")})
    for n in range(4):
        target = admin.call(
            "dispatch.put_target",
            200,
            target_id=f"ship-{world.suffix}-hi{n}",
            body=m.TargetIn.from_dict(
                {
                    "kind": "ship",
                    "name": f"长江{n}号",
                    "company_id": "co-a" if n == 0 else f"co-{n}",
                    "company_name": "上海远洋航运有限公司",
                    "model_id": model_id,
                    "indicators": flagged,
                }
            ),
        )
        assert target.level == "very_high"
    for n in range(6):
        target = admin.call(
            "dispatch.put_target",
            200,
            target_id=f"ship-{world.suffix}-lo{n}",
            body=m.TargetIn.from_dict(
                {
                    "kind": "ship",
                    "name": f"海港{n}号",
                    "company_id": f"co-lo{n}",
                    "model_id": model_id,
                    "indicators": {"C01.01": "0.5"},
                }
            ),
        )
        assert (target.score, target.level) == ("2.25", "low")
    bad_target = m.TargetIn.from_dict(
        {"kind": "ship", "name": "x", "company_id": "c", "model_id": model_id,
         "indicators": {"C99.99": 1}}
    )  # fmt: skip
    refused = admin.call(
        "dispatch.put_target", 422, target_id=f"ship-{world.suffix}-bad", body=bad_target
    )
    error(refused, "invalid_indicators")
    error(admin.call("dispatch.get_target", 404, target_id=f"t-{secrets.token_hex(4)}"))

    # 3. inspectors: profiles, a declared conflict, duty set by the officer; others refused
    public_ids: dict[str, str] = {}
    for name in names:
        profile = admin.call(
            "dispatch.put_inspector",
            200,
            account_id=world.ids[name],
            body=m.InspectorIn.from_dict({"qualifications": ["ship"], "on_duty": name != "insp5"}),
        )
        assert profile.agency == world.agency
        public_ids[profile.public_id] = name
    declared = inspectors["insp0"].call(
        "dispatch.declare_conflict",
        201,
        body=m.ConflictIn(company_id="co-a", reason="brother-in-law is its master"),
    )
    assert declared.conflicts == ["co-a"]
    assert inspectors["insp5"].call("dispatch.set_duty", 200, body=m.DutyIn(on_duty=True)).on_duty
    refused = inspectors["insp1"].call(
        "dispatch.put_inspector",
        403,
        account_id=world.ids["insp0"],
        body=m.InspectorIn.from_dict({"qualifications": ["ship"], "on_duty": True}),
    )
    error(refused, "role_not_allowed")
    error(
        admin.call("dispatch.get_inspector", 404, account_id=f"off-nobody{world.suffix}"),
    )

    # 4. an on-demand draw, followed on its public page until published
    started = admin.call(
        "dispatch.request_draw",
        201,
        body=m.DrawIn.from_dict({"model_id": model_id, "team_size": 2, "reveal_wait_seconds": 1}),
    )
    draw_id = started.draw_id
    assert started.execution_arn
    error(anon.call("dispatch.get_draw", 401, draw_id=draw_id), "token_missing")
    error(anon.call("public.public_draw", 404, draw_id="draw-" + "0" * 16))
    page = wait_for(
        lambda: anon.call("public.public_draw", (200, 404), draw_id=draw_id),
        lambda p: type(p).__name__ == "PublicDrawPageOut" and p.status in ("published", "failed"),
        timeout=60,
    )
    assert page.status == "published", page.to_dict()
    assert page.model.version == 1
    drawn = {a.target_id: a for a in page.assignments}
    assert {f"ship-{world.suffix}-hi{n}" for n in range(4)} <= set(drawn)
    listed = anon.call("public.public_draws", 200, agency=world.agency)
    assert draw_id in [d.draw_id for d in listed]

    # the published documents, typed, and verification by the endpoint and by the documents
    snapshot = anon.call("public.public_snapshot", 200, draw_id=draw_id)
    assert type(snapshot).__name__ == "SnapshotDocument"
    assert len(snapshot.targets) == 10
    assert {i.id for i in snapshot.inspectors} == set(public_ids)
    snapshot_sent = anon.document()
    result = anon.call("public.public_result", 200, draw_id=draw_id)
    assert type(result).__name__ == "ResultDocument"
    result_sent = anon.document()
    report = anon.call("public.public_verify", 200, draw_id=draw_id)
    assert (report.identical, report.verdict) == (True, "identical")
    assert report.beacon.checked
    same = anon.call(
        "public.verify_documents",
        200,
        body=m.VerifyIn.from_dict({"published": result_sent, "snapshot": snapshot_sent}),
    )
    assert same.identical
    low = next(t for t in snapshot_sent["targets"] if t["level"] == "low")
    tampered = {**snapshot_sent, "targets": [
        {**t, "level": "very_high"} if t is low else t for t in snapshot_sent["targets"]
    ]}  # fmt: skip
    changed = anon.call(
        "public.verify_documents",
        200,
        body=m.VerifyIn.from_dict({"published": result_sent, "snapshot": tampered}),
    )
    assert (changed.identical, changed.verdict) == (False, "not_the_published_draw")
    floating = {**snapshot_sent, "team_size": 2.5}
    refused = anon.call(
        "public.verify_documents",
        400,
        body=m.VerifyIn.from_dict({"published": result_sent, "snapshot": floating}),
    )
    error(refused, "float_in_document")

    # 5. a team member records the result with a photo, once; others may not
    assignment = next(a for a in page.assignments if a.status == "assigned")
    team = [public_ids[member] for member in assignment.team]
    outsider = next(name for name in names if name not in team)
    path = {"draw_id": draw_id, "target_id": assignment.target_id}
    outcome = m.ResultIn.from_dict(
        {"passed": False, "findings": ["liferaft servicing overdue"], "photos": 1}
    )
    error(
        inspectors[outsider].call("dispatch.record_result", 403, **path, body=outcome),
        "not_on_team",
    )
    recorded = inspectors[team[0]].call("dispatch.record_result", 201, **path, body=outcome)
    assert recorded.status == "inspected"
    upload(recorded.uploads[0].to_dict(), background())
    internal = wait_for(
        lambda: admin.call("dispatch.get_draw", 200, draw_id=draw_id),
        lambda d: any(a.target_id == assignment.target_id and a.photos for a in d.assignments),
    )
    photo = next(a for a in internal.assignments if a.target_id == assignment.target_id).photos[0]
    assert photo.status == "accepted"
    again = inspectors[team[1]].call(
        "dispatch.record_result", 409, **path, body=m.ResultIn(passed=True)
    )
    error(again, "already_recorded")
    history = admin.call("dispatch.get_target", 200, target_id=assignment.target_id).history
    assert history[0].draw_id == draw_id
    assert admin.call("dispatch.get_inspector", 200, account_id=world.ids[team[1]]).agency

    # 6. a redraw with a reason (too short a reason refused), then the agency's daily plan
    other = next(a for a in page.assignments if a.status == "assigned" and a is not assignment)
    path = {"draw_id": draw_id, "target_id": other.target_id}
    error(
        admin.call("dispatch.redraw", 422, **path, body=m.RedrawIn(reason="x")),
        "validation_failed",
    )
    redrawn = admin.call(
        "dispatch.redraw", 201, **path, body=m.RedrawIn(reason="team member on sick leave")
    )
    assert not {world.ids[public_ids[p]] for p in other.team} & set(redrawn.team)
    shown = next(
        a
        for a in anon.call("public.public_draw", 200, draw_id=draw_id).assignments
        if a.target_id == other.target_id
    )
    assert shown.redraws[0].reason == "team member on sick leave"
    plan = admin.call(
        "dispatch.put_plan",
        200,
        body=m.PlanIn.from_dict({"model_id": model_id, "team_size": 2, "reveal_wait_seconds": 1}),
    )
    assert plan.enabled
    error(
        admin.call(
            "dispatch.put_plan", 404, body=m.PlanIn.from_dict({"model_id": "no-such-model"})
        ),
        "model_not_found",
    )


def local_day(days: int = 0) -> date:
    return datetime.now(UTC).astimezone(LOCAL).date() + timedelta(days=days)


def test_the_duty_walk_through_parses_every_answer(stack: Any, generated: ModuleType) -> None:
    names = [f"pat{n}" for n in range(4)]
    world = Agency(stack, generated, "traffic", names)
    m, centre, officers = world.m, world.admin, world.officers
    by_account = {world.ids[name]: officers[name] for name in names}

    # 1. officers' profiles (patrol, on duty) and a patrol area with its slots
    for name in names:
        centre.call(
            "dispatch.put_inspector",
            200,
            account_id=world.ids[name],
            body=m.InspectorIn.from_dict({"qualifications": ["patrol"], "on_duty": True}),
        )
    area_id = f"crossing-{world.suffix}"
    area = {
        "name": "港城西大街与通世南路交叉口",
        "lat": CROSSING[0],
        "lon": CROSSING[1],
        "radius_m": 500,
        "qualification": "patrol",
        "slots": [
            {"start": "00:00", "end": "04:00", "officers": 2},
            {"start": "04:00", "end": "08:00", "officers": 2},
            {"start": "16:00", "end": "20:00", "officers": 1},
        ],
    }
    put = centre.call("duty.put_area", 200, area_id=area_id, body=m.PatrolAreaIn.from_dict(area))
    assert put.jurisdiction == world.jurisdiction
    assert [a.area_id for a in centre.call("duty.list_areas", 200)] == [area_id]
    error(
        officers["pat0"].call(
            "duty.put_area", 403, area_id=f"x-{world.suffix}", body=m.PatrolAreaIn.from_dict(area)
        ),
        "role_not_allowed",
    )
    overlapping = {**area, "slots": [{"start": "07:00", "end": "09:00"}] * 2}
    error(
        centre.call(
            "duty.put_area", 422, area_id=area_id, body=m.PatrolAreaIn.from_dict(overlapping)
        ),
        "validation_failed",
    )

    # 2. the day dispatched once; its board and rota; an officer's tasks and inbox
    today = local_day()
    day = centre.call("duty.dispatch_day", 201, day=today)
    assert (day.status, day.tasks, day.unstaffed) == ("dispatched", 5, 0)
    error(centre.call("duty.dispatch_day", 409, day=today), "already_dispatched")
    error(centre.call("duty.dispatch_day", 422, day=local_day(-1)), "date_in_past")
    error(officers["pat0"].call("duty.dispatch_day", 403, day=today), "role_not_allowed")
    board = centre.call("duty.get_day", 200, day=today)
    tasks = board.task_list
    assert len(tasks) == 5
    error(centre.call("duty.get_day", 404, day=local_day(3)), "day_not_dispatched")
    rota = centre.call("duty.get_rota", 200, day=today)
    assert rota.hash_matches
    assert rota.identical, rota.differences
    first = tasks[0]  # 00:00-04:00 today: begun
    owner = by_account[first.officer_id]
    mine = owner.call("duty.my_tasks", 200, date=today)
    assert first.task_id in [t.task_id for t in mine]
    inbox = owner.call("notifications.my_notifications", 200)
    assert any(n.kind == "duty.tasks" for n in inbox)

    # 3. acknowledge and close with a fix inside the area; strangers and wrong order refused
    stranger = next(c for account, c in by_account.items() if account != first.officer_id)
    error(stranger.call("duty.acknowledge", 403, task_id=first.task_id), "not_your_task")
    gps = m.CloseTaskIn.from_dict(
        {"note": "路口秩序良好", "gps": {"lat": CROSSING[0] + 0.001, "lon": CROSSING[1],
                                       "accuracy_m": 8}}
    )  # fmt: skip
    error(
        owner.call("duty.close_task", 409, task_id=first.task_id, body=gps),
        "task_not_acknowledged",
    )
    acknowledged = owner.call("duty.acknowledge", 200, task_id=first.task_id)
    assert acknowledged.status == "acknowledged"
    closed = owner.call("duty.close_task", 200, task_id=first.task_id, body=gps)
    assert (closed.status, closed.within_area) == ("closed", True)
    assert owner.call("duty.duty_get_task", 200, task_id=first.task_id).status == "closed"
    error(
        owner.call("duty.duty_get_task", 404, task_id="2026-01-01.0700.nowhere.1"),
        "task_not_found",
    )

    # 4. the command centre reassigns an open task with a reason
    task = next(t for t in tasks if t.officer_id and t.task_id != first.task_id)
    error(centre.call("duty.reassign", 422, task_id=task.task_id, body=m.ReassignIn(reason="")))
    moved = centre.call(
        "duty.reassign", 200, task_id=task.task_id, body=m.ReassignIn(reason="家中有事请假")
    )
    assert moved.officer_id != task.officer_id
    assert moved.reassignments[0].previous == task.officer_id

    # 5. a hazard report with a photo; the centre's queue, take and close; the reporter told
    reporter = officers["pat1"]
    reported = reporter.call(
        "duty.report_hazard",
        201,
        body=m.HazardIn.from_dict(
            {
                "kind": "accident",
                "description": "两车轻微剐蹭,无人员受伤",
                "gps": {"lat": CROSSING[0], "lon": CROSSING[1], "accuracy_m": 6},
                "photos": 1,
            }
        ),
    )
    assert reported.status == "open"
    upload(reported.uploads[0].to_dict(), background())
    shown = wait_for(
        lambda: reporter.call("duty.get_hazard", 200, report_id=reported.report_id),
        lambda r: len(r.photos) == 1,
    )
    assert shown.photos_accepted == 1
    error(
        officers["pat2"].call("duty.get_hazard", 403, report_id=reported.report_id),
        "not_your_report",
    )
    queue = centre.call("duty.hazard_queue", 200)
    assert reported.report_id in [r.report_id for r in queue]
    error(officers["pat2"].call("duty.hazard_queue", 403), "role_not_allowed")
    notices = centre.call("notifications.centre_notifications", 200)
    assert any(n.data.to_dict().get("report_id") == reported.report_id for n in notices)
    error(officers["pat2"].call("notifications.centre_notifications", 403))
    taken = centre.call("duty.take_hazard", 200, report_id=reported.report_id)
    assert taken.status == "in_progress"
    error(centre.call("duty.take_hazard", 409, report_id=reported.report_id), "report_not_open")
    done = centre.call(
        "duty.close_hazard",
        200,
        report_id=reported.report_id,
        body=m.HazardCloseIn.from_dict(
            {"outcome": "resolved", "resolution": "已派出事故处理组,现场已清理"}
        ),
    )
    assert done.status == "resolved"
    error(
        centre.call(
            "duty.close_hazard",
            409,
            report_id=reported.report_id,
            body=m.HazardCloseIn.from_dict({"outcome": "dismissed", "resolution": "dup"}),
        ),
        "report_closed",
    )
    error(centre.call("duty.get_hazard", 404, report_id="hz-" + "0" * 16), "report_not_found")
    assert [r.report_id for r in reporter.call("duty.my_hazards", 200)] == [reported.report_id]
    told = reporter.call("notifications.my_notifications", 200)
    assert any(n.kind == "hazard.resolved" for n in told)
