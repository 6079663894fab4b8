"""The crew check-in walk-through, end to end over real HTTP against the local stack.

Real presigned POST uploads of real face photographs, real S3 notifications into the face
function, real state-machine executions. The tests follow the steps of the walk-through, but each
one stands alone: it starts from a new world (its own officers, jurisdiction, vessel and crew)
and first walks the steps it builds on (`World.with_*`), so that any test passes alone and in
any order.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from enforcement import accounts, audit
from enforcement.auth import Role
from PIL import Image

from tests.integration.client import Client, upload, wait_for
from tests.photos import live, photo_bytes

pytestmark = pytest.mark.slow

SHIP = {"lat": 31.3901, "lon": 121.5012}
NEAR = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}
FAR = {"lat": 31.2304, "lon": 121.4737, "accuracy_m": 12}  # People's Square, 18 km inland
FUTURE = (date.today() + timedelta(days=400)).isoformat()


def mmsi() -> str:
    return "41" + "".join(secrets.choice("0123456789") for _ in range(7))


def id_number() -> str:
    return "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))


def gradient_png() -> bytes:
    """A picture with no face in it."""
    image = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class World:
    """One test's own walk-through: its officers and jurisdictions, and what it has made so far.

    `with_*` walk the steps a test builds on, each once, with new ids and new photo bytes.
    """

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.anon = Client(stack.api_url)
        self.suffix = suffix = secrets.token_hex(3)
        self.jurisdiction = f"shanghai-wusongkou-{suffix}"
        # its own agency: an enrolment is searched against the agency's enrolled crew, and every
        # world enrols the same photographs
        self.agency = f"msa-{suffix}"
        self.other_jurisdiction = f"ningbo-beilun-{suffix}"
        self.officer = self.officer_client(f"zhang{suffix}", self.jurisdiction)
        self.outsider = self.officer_client(f"liu{suffix}", self.other_jurisdiction)
        self.crew: dict[str, dict[str, Any]] = {}
        self.vessel_id = ""
        self.small_vessel_id = ""
        self.check_keys: list[str] = []  # the photo keys of this world's checks, in order

    def with_vessel(self) -> World:
        """Step 1: the officer's vessel with its manning table and a fresh position."""
        if not self.vessel_id:
            create_vessel(self)
        return self

    def with_crew(self) -> World:
        """Step 2: 李 (master, grade A) and 王 (chief engineer) registered, faces enrolled."""
        if "li" not in self.crew:
            register_li_and_wang(self)
        return self

    def with_linked(self, name: str, photo: str) -> Client:
        """Step 3: the crew member's mini-program account, linked by a live photo."""
        self.with_crew()
        crew = self.crew[name]
        if "client" not in crew:
            client = self.crew_client(name)
            started = client.post("/checkin/me/link", {"id_number": crew["id_number"]})
            crew["link_photo"] = live(photo)
            upload(started["upload"], crew["link_photo"])
            linked = wait_for(
                lambda: client.get(f"/checkin/me/link/{started['check_id']}"),
                lambda r: r["status"] != "awaiting_photo",
            )
            assert linked["status"] == "verified", linked
            crew["client"] = client
        client_: Client = crew["client"]
        return client_

    def with_li_bound(self) -> World:
        """Step 3: 李 linked and bound as master of the vessel."""
        self.with_vessel()
        li = self.with_linked("li", "obama2.jpg")
        if "bound" not in self.crew["li"]:
            approved_binding(self, li, {"vessel_id": self.vessel_id, "post": "master"})
            self.crew["li"]["bound"] = True
        return self

    def with_verified_check(self) -> World:
        """Step 4: a verified self check-in of 李 on the vessel."""
        self.with_li_bound()
        if "verified_check" not in self.crew["li"]:
            check = check_in(
                self.crew["li"]["client"], live("obama3.jpg"), NEAR, keys=self.check_keys
            )
            assert check["status"] == "verified", check
            self.crew["li"]["verified_check"] = check["check_id"]
        return self

    def officer_client(self, username: str, jurisdiction: str) -> Client:
        password = secrets.token_urlsafe(12)
        accounts.create_officer(
            "system:test-seed",
            username=username,
            password=password,
            name=username,
            role=Role.OFFICER,
            agency=self.agency,
            jurisdiction=jurisdiction,
        )
        session = self.anon.post(
            "/auth/officer/login", {"username": username, "password": password}, expect=200
        )
        return Client(self.stack.api_url, session["token"])

    def crew_client(self, name: str) -> Client:
        code = f"code-{name}-{secrets.token_hex(4)}"
        self.stack.login_platform.add_code(code, f"openid-{name}-{secrets.token_hex(4)}")
        session = self.anon.post("/auth/miniprogram/login", {"code": code}, expect=200)
        return Client(self.stack.api_url, session["token"])


@pytest.fixture(scope="module", autouse=True)
def exact_replays_only() -> Iterator[None]:
    """Only exact replays are refused in this walk-through.

    Its "new" photos of a crew member are re-encoded, turned copies of the three photographs of
    one person that the registry packages hold; the near-duplicate rule rightly refuses such
    copies. Here the subject is location, certificates, tasks and manning, so the near-duplicate
    measure is switched off; tests/unit/test_face_check.py covers it through the same
    process_upload path, with copies, prints and screens of the reference photo.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
        patch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
        yield


@pytest.fixture
def world(stack: Any) -> World:
    """A new world for each test: nothing is shared with another test but the stack."""
    return World(stack)


def manning_table() -> list[dict[str, Any]]:
    return [
        {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"},
        {
            "code": "chief_engineer",
            "title": "轮机长",
            "certificate_type": "chief_engineer",
            "min_grade": "B",
        },
    ]


def enrol(world: World, crew_id: str, photo: bytes) -> dict[str, Any]:
    grant = world.officer.post(f"/checkin/crew/{crew_id}/face-enrolment")["upload"]
    upload(grant, photo)
    return wait_for(
        lambda: world.officer.get(f"/checkin/crew/{crew_id}/face-enrolment"),
        lambda r: r["face_status"] != "pending",
    )


def approved_binding(world: World, crew: Client, body: dict[str, Any]) -> dict[str, Any]:
    """Bind as the crew member does; outside an appointment the binding waits, and the officer
    of the vessel's jurisdiction approves it from the list of pending bindings."""
    requested = crew.put("/checkin/me/binding", body)
    if requested["status"] == "pending":
        waiting = world.officer.get("/checkin/bindings")
        assert requested["binding_id"] in [b["binding_id"] for b in waiting]
        world.officer.post(
            f"/checkin/vessels/{requested['vessel_id']}/bindings/{requested['binding_id']}/approve",
            {"reason": "on the crew list the company sent"},
            expect=200,
        )
    return requested


def check_in(
    crew: Client,
    photo: bytes,
    gps: dict[str, Any],
    keys: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    started = crew.post("/checkin/checks", {"gps": gps, **extra})
    assert started["status"] == "awaiting_photo"
    if keys is not None:
        keys.append(started["upload"]["key"])
    upload(started["upload"], photo)
    return wait_for(
        lambda: crew.get(f"/checkin/checks/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )


# ------------------------------------------------------------------ 1. vessels


def create_vessel(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    world.vessel_id = mmsi()
    request = {
        "mmsi": world.vessel_id,
        "name_zh": f"长江之星{world.vessel_id[-4:]}",
        "home_port": "上海",
        "length_m": 96,
        "manning": manning_table(),
    }
    vessel = world.officer.post("/checkin/vessels", request)
    world.officer.put(f"/checkin/vessels/{world.vessel_id}/position", SHIP)
    return request, vessel


def test_officer_creates_a_vessel_with_its_manning_table(world: World) -> None:
    request, vessel = create_vessel(world)
    assert vessel["jurisdiction"] == world.jurisdiction
    assert [p["code"] for p in vessel["manning"]] == ["master", "chief_engineer"]
    again = world.officer.call("POST", "/checkin/vessels", request, expect=409)
    assert again.json()["code"] == "vessel_exists"


def test_hostile_requests_get_clear_4xx_codes(world: World) -> None:
    world.with_vessel()
    bad_json = world.officer.call("POST", "/checkin/vessels", data="{not json", expect=400)
    assert bad_json.json()["code"] == "invalid_json"
    wrong = world.officer.call(
        "POST", "/checkin/vessels", {"mmsi": "12", "manning": []}, expect=422
    )
    assert wrong.json()["code"] == "validation_failed"
    huge = world.officer.call("POST", "/checkin/vessels", data="x" * 200_000, expect=413)
    assert huge.json()["code"] == "body_too_large"
    assert world.anon.call("GET", f"/checkin/vessels/{world.vessel_id}", expect=401).json()[
        "code"
    ] == ("token_missing")
    forged = Client(world.stack.api_url, world.officer.token[:-4] + "AAAA")
    assert forged.call("GET", "/checkin/me", expect=401).json()["code"] == "token_invalid"


def test_an_officer_of_another_jurisdiction_is_refused(world: World) -> None:
    world.with_vessel()
    refused = world.outsider.call("GET", f"/checkin/vessels/{world.vessel_id}", expect=403)
    assert refused.json()["code"] == "outside_jurisdiction"
    refused = world.outsider.call("GET", f"/checkin/vessels/{world.vessel_id}/manning", expect=403)
    assert refused.json()["code"] == "outside_jurisdiction"


# ------------------------------------------------------------------ 2. crew and faces


def register(world: World, name: str, certificates: list[dict[str, Any]]) -> dict[str, Any]:
    number = id_number()
    crew = world.officer.post(
        "/checkin/crew", {"name": name, "id_number": number, "certificates": certificates}
    )
    world.crew[name] = {"crew_id": crew["crew_id"], "id_number": number}
    return crew


def register_li_and_wang(world: World) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """李 and 王 registered, then their faces enrolled: the crews as registered, and the
    enrolment outcomes."""
    li = register(
        world,
        "li",
        [{"number": "M-310001", "type": "master", "grade": "A", "expires_on": FUTURE}],
    )
    wang = register(
        world,
        "wang",
        [{"number": "E-310002", "type": "chief_engineer", "grade": "B", "expires_on": FUTURE}],
    )
    enrolled = [
        enrol(world, li["crew_id"], photo_bytes("obama.jpg"))["face_status"],
        enrol(world, wang["crew_id"], photo_bytes("biden.jpg"))["face_status"],
    ]
    return li, wang, enrolled


def test_officer_registers_crew_and_enrols_their_faces(world: World) -> None:
    li, _, enrolled = register_li_and_wang(world)
    assert li["face_status"] == "none"
    assert "*" in li["id_number_masked"]
    assert enrolled == ["enrolled", "enrolled"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (gradient_png(), "no_face"),
        (b"this is not an image at all" * 40, "image_unreadable"),
    ],
    ids=["no-face", "not-an-image"],
)
def test_bad_enrolment_photos_end_as_queryable_errors(
    world: World, content: bytes, code: str
) -> None:
    crew = register(world, f"bad-{code}", [])
    result = enrol(world, crew["crew_id"], content)
    assert result == {**result, "face_status": "failed", "face_error": code}


def test_a_group_photo_is_refused_for_enrolment(world: World) -> None:
    crew = register(world, "group", [])
    result = enrol(world, crew["crew_id"], photo_bytes("t1.jpg"))
    assert result["face_status"] == "failed"
    assert result["face_error"] == "multiple_faces"


def test_an_oversized_upload_is_refused_and_deleted(world: World) -> None:
    crew = register(world, "huge", [])
    max_bytes = int(world.stack.env["UPLOAD_MAX_BYTES"])
    huge = b"\xff\xd8\xff" + b"\0" * max_bytes
    grant = world.officer.post(f"/checkin/crew/{crew['crew_id']}/face-enrolment")["upload"]
    # S3 refuses the post (the policy's content-length-range) ...
    refused = requests.post(
        grant["url"], data=grant["fields"], files={"file": ("a.jpg", huge)}, timeout=120
    )
    assert refused.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in refused.text
    s3 = world.stack.boto3_client("s3")
    bucket = world.stack.env["UPLOAD_BUCKET"]
    prefix = f"uploads/enrolment/{crew['crew_id']}/"
    assert s3.list_object_versions(Bucket=bucket, Prefix=prefix).get("Versions", []) == []
    # ... and the function still bounds what it reads, should an object get there another way
    s3.put_object(Bucket=bucket, Key=grant["key"], Body=huge)
    result = wait_for(
        lambda: world.officer.get(f"/checkin/crew/{crew['crew_id']}/face-enrolment"),
        lambda r: r["face_status"] != "pending",
    )
    assert result["face_error"] == "image_too_large"
    assert s3.list_object_versions(Bucket=bucket, Prefix=prefix).get("Versions", []) == []


# ------------------------------------------------------------------ 3. crew log in, link, bind


def test_crew_member_logs_in_links_and_binds_the_vessel(world: World) -> None:
    world.with_vessel().with_crew()
    li = world.crew_client("li")
    world.crew["li"]["client"] = li
    assert li.call("GET", "/checkin/me/service-record", expect=403).json()["code"] == (
        "account_not_linked"
    )
    started = li.post("/checkin/me/link", {"id_number": world.crew["li"]["id_number"]})
    upload(started["upload"], photo_bytes("obama2.jpg"))
    linked = wait_for(
        lambda: li.get(f"/checkin/me/link/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )
    assert linked["status"] == "verified", linked
    me = li.get("/checkin/me")
    assert me["crew"]["crew_id"] == world.crew["li"]["crew_id"]
    vessel = li.get("/checkin/vessels", params={"name": f"长江之星{world.vessel_id[-4:]}"})
    assert [v["vessel_id"] for v in vessel] == [world.vessel_id]
    binding = {"vessel_name": vessel[0]["name_zh"], "post": "master"}
    approved_binding(world, li, binding)
    posting = li.put("/checkin/me/binding", binding)
    assert posting == {**posting, "vessel_id": world.vessel_id, "status": "bound"}


def test_linking_with_someone_elses_face_fails(world: World) -> None:
    world.with_crew()
    impostor = world.crew_client("impostor")
    started = impostor.post("/checkin/me/link", {"id_number": world.crew["wang"]["id_number"]})
    upload(started["upload"], live("obama3.jpg"))
    result = wait_for(
        lambda: impostor.get(f"/checkin/me/link/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )
    assert result["status"] == "failed"
    assert result["reasons"] == ["face:face_mismatch"]
    assert impostor.call("GET", "/checkin/me/service-record", expect=403).status_code == 403


# ------------------------------------------------------------------ 4. self check-in


def test_self_check_in_passes_all_three_checks(world: World) -> None:
    li = world.with_li_bound().crew["li"]["client"]
    check = check_in(li, live("obama3.jpg"), NEAR)
    assert check["status"] == "verified", check
    results = check["results"]
    assert results["location"]["passed"]
    assert results["location"]["distance_m"] < 50
    assert results["face"]["passed"]
    assert results["face"]["distance"] < results["face"]["threshold"]
    assert results["certificate"] == {**results["certificate"], "passed": True, "grade": "A"}
    world.crew["li"]["verified_check"] = check["check_id"]


def test_a_check_from_ashore_fails_on_location(world: World) -> None:
    world.with_li_bound()
    check = check_in(world.crew["li"]["client"], live("obama2.jpg"), FAR)
    assert check["status"] == "failed"
    assert check["reasons"] == ["location:outside_geofence"]
    assert check["results"]["face"]["passed"]


def test_another_persons_photo_fails_on_face(world: World) -> None:
    world.with_li_bound()
    check = check_in(world.crew["li"]["client"], live("biden.jpg"), NEAR)
    assert check["status"] == "failed"
    assert check["reasons"] == ["face:face_mismatch"]
    assert check["results"]["face"]["distance"] > check["results"]["face"]["threshold"]


def test_the_reference_photo_held_to_the_camera_is_refused(world: World) -> None:
    world.with_li_bound()
    check = check_in(world.crew["li"]["client"], photo_bytes("obama.jpg"), NEAR)
    assert check["reasons"] == ["face:replayed_reference_photo"]


def test_a_revoked_certificate_fails_the_check(world: World) -> None:
    li = world.with_li_bound().crew["li"]
    world.officer.put(
        f"/checkin/crew/{li['crew_id']}/certificates/M-310001/status",
        {"status": "revoked", "reason": "forged certificate"},
    )
    try:
        check = check_in(li["client"], live("obama3.jpg"), NEAR)
        assert check["reasons"] == ["certificate:certificate_revoked"]
    finally:
        world.officer.put(
            f"/checkin/crew/{li['crew_id']}/certificates/M-310001/status",
            {"status": "valid", "reason": "revocation withdrawn"},
        )


def test_crew_see_only_their_own_checks(world: World) -> None:
    world.with_verified_check()
    other = world.crew_client("nosy")
    check_id = world.crew["li"]["verified_check"]
    assert other.call("GET", f"/checkin/checks/{check_id}", expect=403).json()["code"] == (
        "not_your_record"
    )


def test_a_redelivered_s3_event_changes_nothing(world: World) -> None:
    world.with_verified_check()
    [check_key] = world.check_keys
    invocations = [
        i
        for i in world.stack.invocations
        if i.function == "FaceFunction"
        and i.event_source == "s3"
        and i.event["Records"][0]["s3"]["object"]["key"] == check_key
    ]
    last = invocations[-1]
    key = last.event["Records"][0]["s3"]["object"]["key"]
    # the chain the check's decision went to (verifying every chain of the table grows with
    # the suite); a redelivery that wrote anything would add to it
    check_id = key.split("/")[2]
    decided = audit.AuditEvent("-", "check.decide.duty", f"check:{check_id}", {})
    chain = audit.chain_of(decided, None, world.agency)
    before = audit.verify_chain(chain)
    assert before.ok
    assert before.entries > 0
    lam = world.stack.boto3_client("lambda")
    answer = lam.invoke(
        FunctionName=world.stack.resources["FaceFunction"], Payload=json.dumps(last.event)
    )
    payload = json.loads(answer["Payload"].read())
    # the same event again: the closed ticket answers it (no stored first answer replayed)
    assert payload["records"][0] == {"key": key, "outcome": "duplicate", "status": "done"}
    after = audit.verify_chain(chain)
    assert after.entries == before.entries
    # a new delivery of the same object (new sequencer) finds the ticket closed
    event = json.loads(json.dumps(last.event))
    event["Records"][0]["s3"]["object"]["sequencer"] = "FFFFFFFFFFFFFFFF"
    answer = lam.invoke(
        FunctionName=world.stack.resources["FaceFunction"], Payload=json.dumps(event)
    )
    assert json.loads(answer["Payload"].read())["records"][0]["outcome"] == "duplicate"
    assert audit.verify_chain(chain).entries == before.entries


# ------------------------------------------------------------------ 5. on-site check


def test_an_officer_checks_a_crew_member_on_site(world: World) -> None:
    li = world.with_li_bound().crew["li"]
    started = world.officer.post(
        f"/checkin/vessels/{world.vessel_id}/onsite-checks",
        {"crew_id": li["crew_id"], "post": "master", "gps": NEAR},
    )
    assert started["mode"] == "onsite"
    upload(started["upload"], li["link_photo"])
    # the photo was already used by the link step: an exact replay is not a live photo
    result = wait_for(
        lambda: world.officer.get(f"/checkin/checks/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )
    assert result["reasons"] == ["face:replayed_photo"]
    with io.BytesIO() as out:
        Image.open(io.BytesIO(photo_bytes("obama2.jpg"))).save(out, "JPEG", quality=90)
        fresh = out.getvalue()
    started = world.officer.post(
        f"/checkin/vessels/{world.vessel_id}/onsite-checks",
        {"crew_id": li["crew_id"], "post": "master", "gps": NEAR},
    )
    upload(started["upload"], fresh)
    result = wait_for(
        lambda: world.officer.get(f"/checkin/checks/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )
    assert result["status"] == "verified", result


# ------------------------------------------------------------------ 6./7. remote task, manning


def test_a_remote_task_that_times_out_reports_missing_posts(world: World) -> None:
    world.with_li_bound()
    task = world.officer.post(f"/checkin/vessels/{world.vessel_id}/remote-tasks", {})
    assert task["status"] == "running"
    li = world.crew["li"]["client"]
    inbox = wait_for(
        lambda: li.get("/notifications"),
        lambda items: any(n["data"].get("task_id") == task["task_id"] for n in items),
    )
    assert inbox
    check = check_in(li, live("obama3.jpg"), NEAR, task_id=task["task_id"])
    assert check["status"] == "verified", check
    assert check["mode"] == "remote"
    final = wait_for(
        lambda: world.officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=40,
    )
    assert final["status"] == "window_closed"
    posts = {p["post"]: p for p in final["outcome"]["posts"]}
    assert posts["master"]["status"] == "verified"
    assert posts["chief_engineer"]["status"] == "missing"
    assert final["outcome"]["manning_met"] is False


def test_manning_report_names_verified_and_empty_posts(world: World) -> None:
    world.with_verified_check()
    report = world.officer.get(f"/checkin/vessels/{world.vessel_id}/manning")
    posts = {p["post"]: p for p in report["posts"]}
    assert posts["master"]["state"] == "met"
    assert posts["master"]["verified"][0]["crew_id"] == world.crew["li"]["crew_id"]
    assert posts["chief_engineer"]["state"] == "empty"
    assert report["manning_met"] is False


def test_a_remote_task_completes_when_every_post_is_verified(world: World) -> None:
    world.with_crew()
    world.small_vessel_id = mmsi()
    world.officer.post(
        "/checkin/vessels",
        {
            "mmsi": world.small_vessel_id,
            "name_zh": f"沪港渡{world.small_vessel_id[-4:]}",
            "home_port": "上海",
            "length_m": 30,
            "manning": manning_table()[1:],
        },
    )
    world.officer.put(f"/checkin/vessels/{world.small_vessel_id}/position", SHIP)
    wang = world.crew_client("wang")
    world.crew["wang"]["client"] = wang
    started = wang.post("/checkin/me/link", {"id_number": world.crew["wang"]["id_number"]})
    upload(started["upload"], live("biden.jpg"))
    wait_for(
        lambda: wang.get(f"/checkin/me/link/{started['check_id']}"),
        lambda r: r["status"] == "verified",
    )
    approved_binding(world, wang, {"vessel_id": world.small_vessel_id, "post": "chief_engineer"})
    task = world.officer.post(
        f"/checkin/vessels/{world.small_vessel_id}/remote-tasks", {"window_seconds": 30}
    )
    check = check_in(wang, live("biden.jpg"), NEAR, task_id=task["task_id"])
    assert check["status"] == "verified", check
    final = wait_for(
        lambda: world.officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=20,
    )
    assert final["status"] == "complete"
    assert final["outcome"]["manning_met"] is True


# ------------------------------------------------------------------ 8. appointment, discharge


def test_appointment_and_discharge_by_application(world: World) -> None:
    li = world.with_li_bound().crew["li"]["client"]
    world.with_linked("wang", "biden.jpg")

    def apply(kind: str) -> dict[str, Any]:
        started = li.post(
            "/checkin/applications",
            {"kind": kind, "vessel_id": world.vessel_id, "post": "master", "gps": NEAR},
        )
        upload(started["upload"], live("obama3.jpg"))
        return wait_for(
            lambda: li.get(f"/checkin/applications/{started['check_id']}"),
            lambda r: r["status"] != "awaiting_photo",
        )

    approved = apply("appointment")
    assert approved["status"] == "verified", approved
    assert li.get("/checkin/me")["postings"][0]["status"] == "appointed"
    # the post is now filled by an appointment: nobody else may bind to it
    wang = world.crew["wang"]["client"]
    taken = wang.call(
        "PUT",
        "/checkin/me/binding",
        {"vessel_id": world.vessel_id, "post": "master"},
        expect=409,
    )
    assert taken.json()["code"] == "post_filled"
    discharged = apply("discharge")
    assert discharged["status"] == "verified", discharged
    assert li.get("/checkin/me")["postings"] == []
    refused = li.call("POST", "/checkin/checks", {"gps": NEAR}, expect=409)
    assert refused.json()["code"] == "not_posted"


# ------------------------------------------------------------------ 9. service record


def test_verified_check_ins_add_to_the_service_record(world: World) -> None:
    world.with_verified_check()
    again = check_in(world.crew["li"]["client"], live("obama2.jpg"), NEAR)
    assert again["status"] == "verified", again
    record = world.crew["li"]["client"].get("/checkin/me/service-record")
    assert record["sea_days"] == 1  # several verified checks today count as one day
    assert record["credit_points"] == 1
    assert record["records"][0]["vessel_id"] == world.vessel_id


# ------------------------------------------------------------------ 10. health reports


def test_abnormal_health_reports_reach_officers_of_the_jurisdiction(world: World) -> None:
    li = world.with_li_bound().crew["li"]["client"]
    approved_binding(world, li, {"vessel_id": world.vessel_id, "post": "master"})
    report = li.post(
        "/checkin/health-reports",
        {"vessel_id": world.vessel_id, "symptoms": ["fever", "cough"], "temperature_c": 38.4},
    )
    assert report["abnormal"] is True
    assert "temperature:38.4" in report["reasons"]
    normal = li.post(
        "/checkin/health-reports",
        {"vessel_id": world.vessel_id, "symptoms": ["none"], "temperature_c": 36.6},
    )
    assert normal["abnormal"] is False
    listed = world.officer.get("/checkin/health-reports", params={"abnormal": "true"})
    ids = [r["report_id"] for r in listed]
    assert report["report_id"] in ids
    assert normal["report_id"] not in ids
    assert report["report_id"] not in [
        r["report_id"] for r in world.outsider.get("/checkin/health-reports")
    ]
    stranger = world.crew["wang"]
    refused = li.call(
        "POST",
        "/checkin/health-reports",
        {
            "vessel_id": world.vessel_id,
            "subject_crew_id": stranger["crew_id"],
            "symptoms": ["fatigue"],
        },
        expect=403,
    )
    assert refused.json()["code"] == "not_a_shipmate"


# ------------------------------------------------------------------ idempotency, audit, docs


def test_a_resent_request_gives_one_result(world: World) -> None:
    li = world.with_li_bound().crew["li"]["client"]
    key = {"Idempotency-Key": secrets.token_hex(8)}
    body = {"vessel_id": world.vessel_id, "symptoms": ["headache"]}
    first = li.post("/checkin/health-reports", body, headers=key)
    second = li.post("/checkin/health-reports", body, headers=key)
    assert first["report_id"] == second["report_id"]
    reused = li.call(
        "POST", "/checkin/health-reports", {**body, "symptoms": ["cough"]}, headers=key
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


def test_every_change_is_in_an_intact_audit_chain(world: World) -> None:
    world.with_verified_check()
    world.crew["li"]["client"].post(
        "/checkin/health-reports", {"vessel_id": world.vessel_id, "symptoms": ["none"]}
    )
    task = world.officer.post(f"/checkin/vessels/{world.vessel_id}/remote-tasks", {})
    wait_for(
        lambda: world.officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=40,
    )
    # the chains of this world's agency, and those of no agency (verifying every chain of the
    # table grows with the suite)
    chains = [c for c in audit.chains() if f"/{world.agency}/" in c or f"/{audit.NO_AGENCY}/" in c]
    assert any(f"/{world.agency}/" in c for c in chains)
    for chain in chains:
        report = audit.verify_chain(chain)
        assert report.ok, report
    ours = {
        world.suffix,
        world.vessel_id,
        world.crew["li"]["verified_check"],
        task["task_id"],
        *(c["crew_id"] for c in world.crew.values()),
    }
    actions = [
        e.action
        for chain in chains
        for e in audit.entries(chain)
        if any(mark in f"{e.actor} {e.target} {e.details}" for mark in ours)
    ]
    for action in (
        "vessel.create",
        "crew.register",
        "face.enrolled",
        "check.decide.duty",
        "task.publish",
        "posting.bind",
        "health.report",
    ):
        assert action in actions


def test_the_openapi_document_lists_every_route(world: World) -> None:
    document = world.anon.get("/openapi.json")
    assert document["openapi"].startswith("3.")
    assert "/checkin/checks" in document["paths"]
    assert "/auth/miniprogram/login" in document["paths"]
    swagger = world.anon.call("GET", "/swagger", expect=200)
    assert "swagger" in swagger.text.lower()
