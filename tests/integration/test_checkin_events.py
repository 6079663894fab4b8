"""The event-driven edges of check-in on the local stack: AIS file feed, schedules, audit command,
login codes and officer administration."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.integration.client import Client

JURISDICTION = f"qingdao-huangdao-{secrets.token_hex(3)}"  # this module's own


@pytest.fixture(scope="module")
def admin(stack: Any) -> Client:
    from enforcement import accounts
    from enforcement.auth import Role

    username = f"admin{secrets.token_hex(3)}"
    accounts.create_officer(
        "system:test-seed",
        username=username,
        password="admin-password-1",
        name="admin",
        role=Role.ADMIN,
        agency="msa",
        jurisdiction=JURISDICTION,
    )
    anon = Client(stack.api_url)
    session = anon.post(
        "/auth/officer/login", {"username": username, "password": "admin-password-1"}, expect=200
    )
    return Client(stack.api_url, session["token"])


def new_vessel(client: Client) -> str:
    mmsi = "412" + "".join(secrets.choice("0123456789") for _ in range(6))
    client.post(
        "/checkin/vessels",
        {
            "mmsi": mmsi,
            "name_zh": f"黄岛{mmsi[-4:]}",
            "home_port": "青岛",
            "length_m": 60,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "C"}
            ],
        },
    )
    return mmsi


def test_an_admin_creates_officers_and_an_officer_cannot(admin: Client, stack: Any) -> None:
    username = f"sun{secrets.token_hex(3)}"
    officer = admin.post(
        "/auth/officers",
        {
            "username": username,
            "password": "a-long-password",
            "name": "孙",
            "jurisdiction": JURISDICTION,
        },
    )
    assert officer == {**officer, "role": "officer", "agency": "msa"}
    session = Client(stack.api_url).post(
        "/auth/officer/login", {"username": username, "password": "a-long-password"}, expect=200
    )
    sun = Client(stack.api_url, session["token"])
    refused = sun.call(
        "POST",
        "/auth/officers",
        {
            "username": "x" + username,
            "password": "a-long-password",
            "name": "x",
            "jurisdiction": "j",
        },
        expect=403,
    )
    assert refused.json()["code"] == "role_not_allowed"
    taken = admin.call(
        "POST",
        "/auth/officers",
        {
            "username": username,
            "password": "a-long-password",
            "name": "x",
            "jurisdiction": JURISDICTION,
        },
        expect=409,
    )
    assert taken.json()["code"] == "username_taken"
    wrong = Client(stack.api_url).call(
        "POST", "/auth/officer/login", {"username": username, "password": "wrong"}, expect=401
    )
    assert wrong.json()["code"] == "bad_credentials"


def test_a_login_code_works_once_and_unknown_codes_are_refused(stack: Any) -> None:
    code = f"once-{secrets.token_hex(4)}"
    stack.login_platform.add_code(code, f"openid-{secrets.token_hex(4)}")
    anon = Client(stack.api_url)
    first = anon.post("/auth/miniprogram/login", {"code": code}, expect=200)
    assert first["account"]["role"] == "crew"
    again = anon.call("POST", "/auth/miniprogram/login", {"code": code}, expect=401)
    assert again.json()["code"] == "login_code_invalid"
    crew = Client(stack.api_url, first["token"])
    refreshed = crew.post("/auth/refresh", expect=200)
    assert refreshed["account"]["account_id"] == first["account"]["account_id"]
    assert crew.call("POST", "/checkin/vessels", {}, expect=422).status_code == 422
    assert crew.call("GET", "/checkin/health-reports", expect=403).json()["code"] == (
        "role_not_allowed"
    )


def test_an_ais_file_dropped_in_the_bucket_updates_positions(admin: Client, stack: Any) -> None:
    mmsi = new_vessel(admin)
    now = datetime.now(UTC)
    rows = [
        "mmsi,lat,lon,sog_knots,reported_at",
        f"{mmsi},36.0001,120.2001,3.5,{(now - timedelta(minutes=3)).isoformat()}",
        f"{mmsi},36.0002,120.2002,3.0,{(now - timedelta(minutes=1)).isoformat()}",
        f"{mmsi},36.9,120.9,3.0,{(now - timedelta(minutes=9)).isoformat()}",  # older: skipped
        "999999999,1,1,0,not-a-time",
        "123,north,east,0,2026-01-01T00:00:00Z",
    ]
    s3 = stack.boto3_client("s3")
    key = f"ais-feed/{secrets.token_hex(4)}.csv"
    s3.put_object(Bucket=stack.env["UPLOAD_BUCKET"], Key=key, Body="\n".join(rows).encode())
    runs = [i for i in stack.invocations if i.function == "AisFeedFunction"]
    assert runs, "the S3 notification did not invoke the AIS feed function"
    result = runs[-1].result["files"][0]
    assert result["key"] == key
    assert result["stored"] == 2
    assert result["skipped_older_or_unknown"] == 1
    assert result["invalid_rows"] == [5, 6]
    position = admin.get(f"/checkin/vessels/{mmsi}")["position"]
    assert position["lat"] == pytest.approx(36.0002)
    assert position["source"] == f"ais-feed:{key}"


def test_the_daily_schedule_reminds_crew_of_expiring_certificates(
    admin: Client, stack: Any
) -> None:
    from enforcement.models import Notification

    expiring = (date.today() + timedelta(days=7)).isoformat()
    crew = admin.post(
        "/checkin/crew",
        {
            "name": "赵六",
            "id_number": "37020219900101" + "".join(secrets.choice("0123456789") for _ in range(4)),
            "certificates": [
                {"number": "Q-7DAYS", "type": "master", "grade": "C", "expires_on": expiring},
                {"number": "Q-LATER", "type": "gmdss", "grade": "C", "expires_on": "2031-01-01"},
            ],
        },
    )
    results = stack.fire_schedule("CertificateReminderFunction")
    assert results[0].error is None
    payload = json.loads(results[0].payload_json)
    assert payload["reminders"] >= 1
    inbox = list(Notification.query(crew["crew_id"]))
    assert [n.data["certificate"] for n in inbox] == ["Q-7DAYS"]
    assert inbox[0].data["days_left"] == 7


def test_the_audit_command_finds_a_tampered_entry(admin: Client, stack: Any) -> None:
    """The command run on the vessel's chain (`--chain`: the whole table grows with the suite;
    verifying every chain is test_audit_checkpoints' subject) finds an entry changed in place."""
    from enforcement import audit, audit_cli

    vessel = new_vessel(admin)  # at least one entry
    table = stack.env["AUDIT_TABLE"]
    chain = audit.chain_for("checkin", "msa").chain(f"vessel:{vessel}")
    command = ["--table", table, "--endpoint-url", stack.moto_url, "--chain", chain]
    assert audit_cli.main(command) == 0
    [entry] = [e for e in audit.entries(chain) if e.target == f"vessel:{vessel}"]
    dynamodb = stack.boto3_client("dynamodb")
    victim = {"chain": {"S": entry.chain}, "seq": {"N": str(int(entry.seq))}}
    original = dynamodb.get_item(TableName=table, Key=victim)["Item"]["actor"]
    dynamodb.update_item(
        TableName=table,
        Key=victim,
        UpdateExpression="SET actor = :a",
        ExpressionAttributeValues={":a": {"S": "officer:someone-else"}},
    )
    try:
        assert audit_cli.main(command) == 1
        report = audit.verify_chain(chain)
        assert report.chain == entry.chain
        assert report.first_broken_seq == int(entry.seq)
    finally:
        dynamodb.update_item(
            TableName=table,
            Key=victim,
            UpdateExpression="SET actor = :a",
            ExpressionAttributeValues={":a": original},
        )
    assert audit_cli.main(command) == 0


def test_an_audited_write_goes_to_its_capability_and_agency_chain(admin: Client) -> None:
    from enforcement import audit

    vessel = new_vessel(admin)
    chain = audit.chain_for("checkin", "msa").chain(f"vessel:{vessel}")
    [entry] = [e for e in audit.entries(chain) if e.target == f"vessel:{vessel}"]
    assert entry.chain == chain
    assert entry.chain.startswith("checkin/msa/")
