"""Schemathesis over the whole OpenAPI document, against the local stack over HTTP.

A bounded, reproducible run (fixed seed, one worker, a few examples per operation, deadline
off): positive and negative data, every operation as admin, officer, crew and anonymous (see
fuzz/fuzz_hooks.py). It must find no server error and no answer outside the document: every
error body is the shared `Error` schema, every success the documented model.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from enforcement.auth import Role

from tests.integration.client import Client, officer_session

FUZZ = Path(__file__).parent / "fuzz"
#: Generated cases per operation in the fuzzing phase. The coverage phase (boundary values,
#: wrong types, missing fields, other methods) adds its own; together about 3,000 requests,
#: 3 minutes of one core.
#: Examples per operation: routes fuzzed at every landing since they were written get 3; the
#: newer ones more until they have as long a record (the e-tickets' 5, the remote survey's 4).
MAX_EXAMPLES = 3
NEWEST_PARTS = {"remote-survey": 4, "ticketing": 5}
SEED = 20261201
#: The document in seven parts of 10-25 operations, run as seven tests (the suite's workers
#: share them out instead of waiting on one three-minute run, and no part is much longer than
#: the others); together they cover every path: `the-rest` is what no other part names.
RECORDS = "^/checkin/(vessels|crew|applications|bindings)"
PARTS = {
    "checkin-records": ("--include-path-regex", RECORDS),
    "checkin-checks": ("--include-path-regex", "^/checkin/", "--exclude-path-regex", RECORDS),
    "duty": ("--include-path-regex", "^/duty/"),
    "remote-survey": ("--include-path-regex", "^/remote-survey/"),
    "ticketing": ("--include-path-regex", "^/ticketing/"),
    "dispatch": ("--include-path-regex", "^/dispatch/"),
    "the-rest": ("--exclude-path-regex", "^/(checkin|duty|remote-survey|ticketing|dispatch)/"),
}


def seed_callers(stack: Any) -> dict[str, str]:
    """An admin and an officer of a new agency, a vessel of theirs, and a crew member linked
    to a mini-program account and bound to a post of it; their tokens."""
    from enforcement.checkin.models import CrewMember
    from enforcement.models import Account

    suffix = secrets.token_hex(3)
    agency, jurisdiction = f"fz{suffix}", f"fz-{suffix}"
    admin = officer_session(
        stack.api_url,
        f"fzadm{suffix}",
        role=Role.ADMIN,
        agency=agency,
        jurisdiction=jurisdiction,
        name="模糊测试",
    )
    officer = officer_session(
        stack.api_url,
        f"fzoff{suffix}",
        role=Role.OFFICER,
        agency=agency,
        jurisdiction=jurisdiction,
        name="模糊测试",
    )
    mmsi = "47" + "".join(secrets.choice("0123456789") for _ in range(7))
    officer.post(
        "/checkin/vessels",
        {
            "mmsi": mmsi,
            "name_zh": f"模糊{suffix}",
            "home_port": "上海",
            "length_m": 80,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "C"}
            ],
        },
    )
    officer.put(f"/checkin/vessels/{mmsi}/position", {"lat": 31.39, "lon": 121.5})
    crew_record = officer.post(
        "/checkin/crew",
        {
            "name": "模糊船员",
            "id_number": "31010119" + "".join(secrets.choice("0123456789") for _ in range(10)),
            "certificates": [
                {
                    "number": f"FZ-{suffix}",
                    "type": "master",
                    "grade": "B",
                    "expires_on": "2099-01-01",
                }
            ],
        },
    )
    code = f"fuzz-{suffix}"
    stack.login_platform.add_code(code, f"openid-fuzz-{suffix}")
    session = Client(stack.api_url).post("/auth/miniprogram/login", {"code": code}, expect=200)
    account_id, crew_id = session["account"]["account_id"], crew_record["crew_id"]
    Account(account_id).update(actions=[Account.crew_id.set(crew_id)])
    CrewMember(crew_id).update(actions=[CrewMember.account_id.set(account_id)])
    crew = Client(stack.api_url, session["token"])
    crew = Client(stack.api_url, crew.post("/auth/refresh", expect=200)["token"])
    crew.put("/checkin/me/binding", {"vessel_id": mmsi, "post": "master"})
    return {"admin": str(admin.token), "officer": str(officer.token), "crew": str(crew.token)}


def stop_executions_since(stack: Any, started: datetime) -> None:
    """Stop the state machines the run started (remote tasks of up to a day, draws waiting to
    reveal), so that they do not run on into the tests that follow."""
    sfn = stack.boto3_client("stepfunctions")
    pages = sfn.get_paginator("list_executions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        for page in pages.paginate(
            stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"
        ):
            for execution in page["executions"]:
                if execution["startDate"] >= started:
                    sfn.stop_execution(executionArn=execution["executionArn"])


@pytest.mark.parametrize("part", PARTS)
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    stack: Any, tmp_path: Path, part: str
) -> None:
    tokens = seed_callers(stack)
    report = tmp_path / "report.json"
    env = {
        **os.environ,
        "FUZZ_TOKENS": json.dumps([tokens["admin"], tokens["officer"], tokens["crew"], None]),
        "SCHEMATHESIS_HOOKS": "fuzz_hooks",
        "PYTHONPATH": os.pathsep.join([str(FUZZ), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable, "-m", "schemathesis.cli",
        "--config-file", str(FUZZ / "schemathesis.toml"),
        "run", f"{stack.api_url}/openapi.json",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", "examples,coverage,fuzzing",
        "--mode", "all",
        *PARTS[part],
        "--max-examples", str(NEWEST_PARTS.get(part, MAX_EXAMPLES)),
        "--seed", str(SEED),
        "--workers", "1",
        "--no-shrink",
        "--generation-database", "none",
        "--request-timeout", "60",
        "--continue-on-failure",
        "--report", "json", "--report-json-path", str(report),
        "--no-color",
    ]  # fmt: skip
    started = datetime.now(UTC)
    try:
        run = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900
        )
    finally:
        stop_executions_since(stack, started)
    summary = json.loads(report.read_text()) if report.exists() else {}
    failures = {f["title"]: f["count"] for f in summary.get("failures", [])}
    print(run.stdout[-3000:], run.stderr[-3000:])
    print("test cases:", summary.get("test_cases"), "failures:", failures)
    assert summary.get("test_cases", {}).get("generated", 0) > 100, run.stderr[-3000:]
    assert not failures, run.stdout[-20000:]
    assert not summary.get("errors"), run.stdout[-20000:]
    assert run.returncode == 0, run.stdout[-20000:]
