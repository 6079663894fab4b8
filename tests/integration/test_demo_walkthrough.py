"""The walk-through `make run` prints, followed as printed, and what keeps it working later.

The module runs `python -m infra.local` (what `make run` runs) once, in its own process, as a
reader would, and follows the commands it prints with bash and curl, once, as printed, from the
start: the demo's names, vessel and accounts are fixed, so they cannot share the session's
stack. The tests then read what the walk-through answered and go on from where it left the
demo (later steps, other logins, the AIS feed), each touching only what the others do not
read. Time is never waited for: a later check is made by moving the stored AIS position back,
as the clock moving on would leave it, and the AIS source drops the file it drops every minute
under `make run`. The module's tests are one xdist group (`--dist loadgroup`), so that one
worker starts the one demo run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra.local import __main__ as run_command
from infra.local import demo, demo_faces, demo_survey
from infra.local.ais_source import AisSource, Track
from infra.local.stack import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, REGION, wait_for
from tests.integration.client import upload
from tests.integration.test_survey_declarations import choice_label, consistency_message
from tests.photos import photo_bytes

REPO = Path(__file__).resolve().parents[2]
MMSI = str(demo.VESSEL["mmsi"])

pytestmark = pytest.mark.xdist_group("demo_run")


@dataclass
class DemoRun:
    """A running `python -m infra.local` and what it printed."""

    printed: str
    api: str
    login: str
    moto: str

    def aws(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.moto,
            aws_access_key_id=DUMMY_ACCESS_KEY,
            aws_secret_access_key=DUMMY_SECRET_KEY,
        )

    def resource_named(self, kind: str, part: str) -> str:
        """The physical name of the stack's table or bucket whose name contains `part`."""
        if kind == "table":
            names = self.aws("dynamodb").list_tables()["TableNames"]
        else:
            names = [b["Name"] for b in self.aws("s3").list_buckets()["Buckets"]]
        (name,) = [n for n in names if part in n]
        return str(name)


@pytest.fixture(scope="module")
def demo_run() -> Iterator[DemoRun]:
    """`make run`'s command on free ports; the AIS source's own timer set to an hour, so that
    only the test drops files while it runs."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "run.log"
        command = [sys.executable, "-m", "infra.local", "--port", "0", "--quiet"]
        command += ["--ais-period", "3600", "--param", "RemoteTaskPollSeconds=5"]
        with log.open("w") as out:
            process = subprocess.Popen(
                command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy()
            )
        try:
            printed = wait_for(lambda: _printed(process, log), timeout=240, interval=0.5)
            urls = dict(re.findall(r"^(API|LOGIN)=(\S+)$", printed, re.MULTILINE))
            moto = re.search(r"AWS \(moto\) (\S+)", printed).group(1)  # type: ignore[union-attr]
            yield DemoRun(printed, urls["API"], urls["LOGIN"], moto)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _printed(process: subprocess.Popen[bytes], log: Path) -> str | None:
    """What the run printed once it is up (None before); fails if it ended."""
    text = log.read_text("utf-8", "replace")
    if process.poll() is not None:
        pytest.fail(f"python -m infra.local ended ({process.returncode}):\n{text}")
    return text if "Ctrl-C to stop." in text else None


def printed_script(run: DemoRun, *, until: str | None = None) -> str:
    """The commands of the printed walk-through (up to the line starting with `until`)."""
    body = run.printed.split("Copy, paste, follow", 1)[1].split("\n", 1)[1]
    body = body.rsplit("Ctrl-C stops everything", 1)[0]
    if until is not None:
        body = body.split(f"\n{until}", 1)[0]
    return "set -euo pipefail\n" + body


def survey_script(run: DemoRun) -> str:
    """The walk-through's set-up lines (before step 1) and its remote-survey steps (10 on)."""
    script = printed_script(run)
    return script.split("\n# 1.", 1)[0] + "\n# 10." + script.split("\n# 10.", 1)[1]


def follow(script: str) -> tuple[str, Path]:
    """Run the commands in bash from the repository, as a reader pastes them; output, scratch."""
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    scratch = Path(re.search(r"scratch files in (\S+)", output).group(1))  # type: ignore[union-attr]
    return output, scratch


@dataclass
class Walked:
    """The demo run after its printed walk-through was followed once, from the start."""

    run: DemoRun
    output: str
    scratch: Path


@pytest.fixture(scope="module")
def walked(demo_run: DemoRun) -> Iterator[Walked]:
    """The whole printed walk-through, followed once on the module's demo run."""
    output, scratch = follow(printed_script(demo_run))
    try:
        yield Walked(demo_run, output, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_the_printed_walkthrough_works_as_printed_and_writes_only_to_a_scratch_folder(
    walked: Walked,
) -> None:
    demo_run, output, scratch = walked.run, walked.output, walked.scratch
    assert scratch != REPO
    assert REPO not in scratch.parents
    names = ("link.json", "binding.json", "check.json", "task.json", "c3-decided.json")
    for name in (*names, "draw.json", "decl.json", "submitted.json"):
        assert (scratch / name).is_file(), name
        assert not (REPO / name).exists(), f"{name} written into the repository"
    assert '"purpose":"link","mode":null,"status":"verified"' in output
    assert '"mode":"self","status":"verified"' in output
    assert '"reason":"on_board"' in output
    # the crop of the reference photo waits for the officer, who refuses it
    assert '"status":"pending_review"' in output
    assert '"reason":"possible_replay_of_reference"' in output
    assert '"status":"refused"' in output
    assert '"ok": true' in output  # the audit chain
    assert "identical: the published draw" in output
    # JSON in UTF-8: the Chinese text as itself, no \uXXXX escapes
    assert '"name_zh":"长江之星"' in output
    assert "\\u" not in output

    # the remote survey's steps: the travellers the demo put through at start, and 山田花子
    _survey_steps_answered(output)
    _driver_identified(output)
    _ticketing_steps_answered(output, "imported")
    flights = _board(output)
    nh, ke = flights["NH921"], flights["KE893"]
    assert (nh["arrivals"], nh["declared"], nh["released"], nh["held"]) == (5, 4, 4, 0)
    assert nh["p50_seconds"] is not None
    assert nh["max_seconds"] >= nh["p90_seconds"]
    assert (ke["declared"], ke["released"], ke["held"], ke["in_process"]) == (3, 1, 1, 1)
    # later on the same stack: the survey's steps answer as before (a new declaration of hers)
    again, scratch = follow(survey_script(demo_run))
    shutil.rmtree(scratch, ignore_errors=True)
    _survey_steps_answered(again)
    _driver_identified(again)
    assert (_board(again)["NH921"]["declared"], _board(again)["NH921"]["released"]) == (5, 5)
    _ticketing_steps_answered(again, "unchanged")  # the same registry files change nothing


def _board(output: str) -> dict[str, dict[str, Any]]:
    """The flights of the board the survey steps print at their end, by flight number."""
    [line] = [x for x in output.splitlines() if x.startswith('{"port":') and '"flights":' in x]
    board = json.loads(line)
    assert board["port"] == demo_survey.PORT
    return {f["flight_number"]: f for f in board["flights"]}


def _driver_identified(output: str) -> None:
    """The face step: both licence photos enrolled; the second photo's search answers the
    first driver first, marked match; the officer's confirmation; the three audit entries."""
    (first, _, _), (second, _, _) = demo_faces.DRIVERS
    assert f'"licence_number":"{first}","face_status":"enrolled"' in output
    searched = next(line for line in output.splitlines() if '"status":"searched"' in line)
    candidates = json.loads(searched)["candidates"]
    assert (candidates[0]["licence_number"], candidates[0]["match"]) == (first, True)
    assert [c["match"] for c in candidates if c["licence_number"] == second] == [False]
    assert f'"confirmation":{{"licence_number":"{first}"' in output
    for action in ("face_search.requested", "face_search.searched", "face_search.confirmed"):
        assert f" {action} " in output, action


def _ticketing_steps_answered(output: str, result: str) -> None:
    """The e-ticket steps (14 and 15) answered as the walk-through says they do."""
    reports = [json.loads(x) for x in output.splitlines() if x.startswith('{"upload_id":')]
    assert [(r["registry"], r["result"]) for r in reports] == [
        ("vehicles", result),
        ("drivers", result),
        ("violations", result),
    ]
    bad = [[p["code"] for row in r["details"]["bad"] for p in row["problems"]] for r in reports]
    assert bad == [["plate_letter_i_or_o"], ["resident_id_check_character"], []]
    assert '"owner":"张*"' in output
    assert '"owner":"烟台港运物流有限公司"' in output  # opened with a reason
    assert '"code":"plate_unknown"' in output
    assert '"candidates":[{"plate":"鲁F12345"' in output
    assert '"allows":false,"offence":{"code":"licence_class_mismatch"' in output
    assert '"code":"resident_id_check_character"' in output


def _survey_steps_answered(output: str) -> None:
    """The remote-survey steps (10 on) answered as the walk-through says they do."""
    # the MRZ fills her name, birth and passport
    assert '"surname":"YAMADA","sex":"F","date_of_birth":"1990-03-15"' in output
    # the check before submit: the seat is not the manifest's, said in Japanese; then none
    seat = consistency_message("seat_mismatch", "ja")
    problem = f'{{"field":"seat_number","code":"seat_mismatch","message":"{seat}"}}'
    assert f'{{"ok":false,"problems":[{problem}]}}' in output
    assert '{"ok":true,"problems":[]}' in output
    # the officer's scan, in Chinese, and her release
    assert f'"label":"性别","value":"F","value_label":"{choice_label("sex", "F", "zh")}"' in output
    assert '"lang":"zh"' in output
    assert '"first_scan":true' in output
    assert '"outcome":"release","outcome_reasons":["nothing_declared"]' in output
    assert '"disposition":"released"' in output


def _check(api: str, token: str) -> dict[str, Any]:
    """A self check-in with a fix next to the demo vessel; the decided check."""
    headers = {"Authorization": f"Bearer {token}"}
    gps = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}
    created = requests.post(f"{api}/checkin/checks", json={"gps": gps}, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    # the face is not what is looked at here: a photo used before is refused as a replay, and
    # the location check is decided all the same
    upload(created.json()["upload"], photo_bytes("obama3.jpg"), "obama3.jpg")
    check_id = created.json()["check_id"]
    answer = requests.get(f"{api}/checkin/checks/{check_id}", headers=headers, timeout=30)
    decided: dict[str, Any] = answer.json()
    assert decided["status"] in ("verified", "failed"), decided
    return decided


def _login(api: str, platform: str, user: str) -> dict[str, Any]:
    code = requests.get(f"{platform}/demo-code", params={"user": user}, timeout=10)
    assert code.status_code == 200, code.text
    answer = requests.post(f"{api}/auth/miniprogram/login", json={"code": code.text}, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_codes_on_demand_are_one_person_and_the_ais_feed_keeps_later_checks_on_board(
    walked: Walked,
) -> None:
    demo_run = walked.run  # 李明 linked, bound and approved by the walk-through's steps 2-3
    api, platform = demo_run.api, demo_run.login
    first, again = _login(api, platform, "li"), _login(api, platform, "li")
    assert first["account"]["account_id"] == again["account"]["account_id"]
    assert first["account"]["account_id"] == f"mp-{demo.demo_openid('li')}"
    wang = _login(api, platform, "wang")
    assert wang["account"]["account_id"] != first["account"]["account_id"]
    unknown = requests.get(f"{platform}/demo-code", params={"user": "nobody"}, timeout=10)
    assert unknown.status_code == 404

    # two hours on: the stored position is as old as the feed's last file would be by then
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    demo_run.aws("dynamodb").update_item(
        TableName=demo_run.resource_named("table", "VesselsTable"),
        Key={"vessel_id": {"S": MMSI}},
        UpdateExpression="SET #p.reported_at = :at",
        ExpressionAttributeNames={"#p": "position"},
        ExpressionAttributeValues={":at": {"S": two_hours_ago.isoformat().replace("+00:00", "Z")}},
    )
    stale = _check(api, again["token"])
    assert stale["results"]["location"]["reason"] == "vessel_position_stale"

    # the file the AIS source drops every minute under `make run`, through the feed function
    source = AisSource(demo_run.aws("s3"), demo_run.resource_named("bucket", "-uploads-"))
    source.track(Track(MMSI, **demo.POSITION))
    assert source.drop() is not None
    later = _check(api, again["token"])
    assert later["results"]["location"]["reason"] == "on_board"


def test_a_port_in_use_ends_in_one_line_saying_so(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_command.main(["--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"port {port} on 127.0.0.1 is in use" in err
    assert "Traceback" not in err
