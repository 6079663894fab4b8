"""The walk-through run with a client generated from the stack's `/openapi.json`.

openapi-python-client generates the client (no warning allowed) into a temporary folder once
per session; every call of the walk-through then goes through it, and every answer, success or
error (401, 403, 404, 409, 422), must parse into a typed model: not None (an undocumented
status), not a model without fields (an untyped answer). Photos go to S3 by presigned POST,
outside the API, as a mini-program sends them.
"""

from __future__ import annotations

import importlib
import secrets
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from enforcement import accounts
from enforcement.auth import Role

from tests.integration.client import upload, wait_for
from tests.openapi_contract import generate_client, generator_warnings
from tests.photos import live, photo_bytes

pytestmark = pytest.mark.slow

FUTURE = (date.today() + timedelta(days=400)).isoformat()
SHIP = {"lat": 31.3901, "lon": 121.5012}
NEAR = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}


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

    def as_user(self, token: str) -> Api:
        return Api(self.package, self.base_url, token)

    def call(self, operation: str, status: int, **kwargs: Any) -> Any:
        """Call `tag.operation_id`; the answer must have `status` and parse into a typed model."""
        module = importlib.import_module(f"enforcement_client.api.{operation}")
        response = module.sync_detailed(client=self.client, **kwargs)
        assert response.status_code == status, (operation, response.status_code, response.content)
        typed(response.parsed, operation)
        return response.parsed


def typed(parsed: Any, where: str) -> None:
    """A parsed answer: a model with fields of its own (or a list of such)."""
    assert parsed is not None, f"{where}: the answer parsed into None (undocumented status?)"
    if isinstance(parsed, list):
        for item in parsed:
            typed(item, where)
        return
    fields = getattr(type(parsed), "__attrs_attrs__", ())
    own = [f.name for f in fields if f.name != "additional_properties"]
    assert own, f"{where}: {type(parsed).__name__} is a model without fields"


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
            agency="msa",
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


def test_the_dispatch_and_duty_walk_through_parses_every_answer(
    stack: Any, generated: ModuleType
) -> None:
    world = World(stack, generated)
    m = world.m
    admin = world.login(world.admin_name)
    officer = world.login(world.officer_name)

    # an officer's dispatch profile, on duty; the agency's patrol areas and published draws
    profile = m.InspectorIn.from_dict({"qualifications": ["ship", "patrol"], "on_duty": False})
    admin.call("dispatch.put_inspector", 200, account_id=f"off-{world.officer_name}", body=profile)
    on_duty = officer.call("dispatch.set_duty", 200, body=m.DutyIn(on_duty=True))
    assert on_duty.to_dict()
    admin.call("duty.list_areas", 200)
    officer.call("duty.my_tasks", 200)
    world.anon.call("public.public_draws", 200, agency="msa")
    error(admin.call("dispatch.get_target", 404, target_id=f"t-{secrets.token_hex(4)}"))
    error(world.anon.call("dispatch.get_draw", 401, draw_id="draw-" + "0" * 16))
