"""A borderline check goes to review, over real HTTP with real photographs.

The match lines are set through the environment so that two different photographs of one man
(the reference obama.jpg and a new shot from obama2.jpg, 0.33-0.43 apart) fall between them;
the replay measure is left to exact copies. The check is then neither verified nor failed:
`pending_review`, shown as such by the manning report and the remote task, the crew member is
told it is under review, and an officer of the vessel's jurisdiction sees both photos (fetched
through their links) and decides. An officer of another jurisdiction, or agency, cannot.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from enforcement import config
from enforcement.auth import Role

from tests.integration.client import Client, officer_session, upload, wait_for
from tests.integration.people import NEAR, bind, crew_account, link, new_vessel, register
from tests.photos import live, photo_bytes


@pytest.fixture(autouse=True)
def borderline_matches() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACE_MATCH_THRESHOLD", "0.2")
        patch.setenv("FACE_MATCH_REFUSE_MIN", "0.9")
        patch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
        patch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
        config.settings.cache_clear()
        yield
    config.settings.cache_clear()


def decided(client: Client, started: dict[str, Any], photo: bytes) -> dict[str, Any]:
    upload(started["upload"], photo)
    return wait_for(
        lambda: client.get(f"/checkin/checks/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )


def test_a_borderline_check_is_reviewed_by_the_vessels_jurisdiction(stack: Any) -> None:
    sfx = secrets.token_hex(3)
    agency, j1, j2 = f"msa-{sfx}", f"rv1-{sfx}", f"rv2-{sfx}"

    def staff(name: str, agency: str, jurisdiction: str) -> Client:
        return officer_session(
            stack.api_url, f"{name}{sfx}", role=Role.OFFICER, agency=agency,
            jurisdiction=jurisdiction, name=name,
        )  # fmt: skip

    officer = staff("rvo", agency, j1)
    neighbour = staff("rvn", agency, j2)  # the same agency, another jurisdiction
    stranger = staff("rvs", f"other-{sfx}", f"rvx-{sfx}")  # another agency
    vessel = new_vessel(officer)
    record = register(officer, "李明")
    crew_id = record["crew_id"]
    reference = photo_bytes("obama.jpg")
    upload(officer.post(f"/checkin/crew/{crew_id}/face-enrolment")["upload"], reference)
    wait_for(
        lambda: officer.get(f"/checkin/crew/{crew_id}/face-enrolment"),
        lambda r: r["face_status"] == "enrolled",
    )
    crew = link(stack, crew_account(stack, "rv"), crew_id)
    bind(crew, officer, vessel, "master")
    task = officer.post(f"/checkin/vessels/{vessel}/remote-tasks", {"window_seconds": 25})

    # the check: between the match lines → pending review, not verified, not failed
    shot = live("obama2.jpg")
    started = crew.post("/checkin/checks", {"gps": NEAR, "task_id": task["task_id"]})
    check = decided(crew, started, shot)
    assert check["status"] == "pending_review", check
    assert check["reasons"] == ["face:face_match_uncertain"]
    face = check["results"]["face"]
    assert (face["zone"], face["passed"]) == ("review", False)
    assert face["threshold"] < face["distance"] < face["refuse_min"]
    review_id = check["review_id"]

    inbox = crew.get("/notifications")
    note = next(n for n in inbox if n["data"].get("check_id") == check["check_id"])
    assert note["kind"] == "check.pending_review"
    assert "under review" in note["title"]
    assert "fail" not in note["title"]

    # the manning report and the remote task: not verified, and shown as waiting for review
    manning = officer.get(f"/checkin/vessels/{vessel}/manning")
    master = next(p for p in manning["posts"] if p["post"] == "master")
    assert master["state"] == "pending_review"
    assert [h["crew_id"] for h in master["pending_review"]] == [crew_id]
    assert master["verified"] == []
    assert master["failed"] == []
    running = officer.get(f"/checkin/remote-tasks/{task['task_id']}")
    assert running["status"] == "running", running
    row = next(p for p in running["outcome"]["posts"] if p["post"] == "master")
    assert (row["status"], row["pending_review"], row["verified"]) == (
        "pending_review",
        [crew_id],
        [],
    )

    # the jurisdiction's officer: the queue, both photos through their links
    queue = officer.get("/checkin/reviews")
    assert [r["review_id"] for r in queue if r["review_id"] == review_id] == [review_id]
    review = officer.get(f"/checkin/reviews/{review_id}")
    assert (review["kind"], review["subject_id"], review["status"]) == (
        "check",
        check["check_id"],
        "pending",
    )
    assert review["reason"] == "face_match_uncertain"
    assert review["message"]
    assert review["figures"]["distance"] == face["distance"]
    photos = {p["role"]: p for p in review["photos"]}
    assert set(photos) == {"reference", "check"}
    assert requests.get(photos["reference"]["url"], timeout=10).content == reference
    assert requests.get(photos["check"]["url"], timeout=10).content == shot

    # another jurisdiction of the agency is told so; another agency finds nothing; crew never
    assert review_id not in [r["review_id"] for r in neighbour.get("/checkin/reviews")]
    for client, status, code in (
        (neighbour, 403, "outside_jurisdiction"),
        (stranger, 404, "review_not_found"),
        (crew, 403, "role_not_allowed"),
    ):
        seen = client.call("GET", f"/checkin/reviews/{review_id}")
        assert (seen.status_code, seen.json()["code"]) == (status, code)
        decision = {"outcome": "confirm", "reason": "looks like him"}
        tried = client.call("POST", f"/checkin/reviews/{review_id}/decision", decision)
        assert (tried.status_code, tried.json()["code"]) == (status, code)
    listed = neighbour.call("GET", "/checkin/reviews", params={"jurisdiction": j1})
    assert (listed.status_code, listed.json()["code"]) == (403, "outside_jurisdiction")
    assert officer.get(f"/checkin/checks/{check['check_id']}")["status"] == "pending_review"

    # the officer confirms: verified, the crew member told, the day of service recorded
    body = {"outcome": "confirm", "reason": "the same man, another day"}
    decided_review = officer.post(f"/checkin/reviews/{review_id}/decision", body, expect=200)
    assert (decided_review["status"], decided_review["decision_reason"]) == (
        "confirmed",
        body["reason"],
    )
    again = officer.call("POST", f"/checkin/reviews/{review_id}/decision", body)
    assert (again.status_code, again.json()["code"]) == (409, "review_decided")
    verified = crew.get(f"/checkin/checks/{check['check_id']}")
    assert (verified["status"], verified["reasons"]) == ("verified", [])
    assert verified["results"]["face"]["reason"] == "confirmed_on_review"
    inbox = crew.get("/notifications")
    notes = [n for n in inbox if n["data"].get("check_id") == check["check_id"]]
    assert {n["kind"] for n in notes} == {"check.pending_review", "check.verified"}
    assert crew.get("/checkin/me/service-record")["records"][0]["check_id"] == check["check_id"]
    manning = officer.get(f"/checkin/vessels/{vessel}/manning")
    master = next(p for p in manning["posts"] if p["post"] == "master")
    assert [h["crew_id"] for h in master["verified"]] == [crew_id]
    assert review_id not in [r["review_id"] for r in officer.get("/checkin/reviews")]

    # a second borderline check, refused: failed, with the officer's reason to the crew member
    second = decided(crew, crew.post("/checkin/checks", {"gps": NEAR}), live("obama3.jpg"))
    assert second["status"] == "pending_review", second
    refusal = {"outcome": "refuse", "reason": "not the man on the certificate"}
    officer.post(f"/checkin/reviews/{second['review_id']}/decision", refusal, expect=200)
    failed = crew.get(f"/checkin/checks/{second['check_id']}")
    assert (failed["status"], failed["reasons"]) == ("failed", ["face:refused_on_review"])
    told = next(
        n
        for n in crew.get("/notifications")
        if n["data"].get("check_id") == second["check_id"] and n["kind"] == "check.failed"
    )
    assert told["body"] == refusal["reason"]

    wait_for(  # the task's state machine ends before the next test
        lambda: officer.get(f"/checkin/remote-tasks/{task['task_id']}"),
        lambda t: t["status"] != "running",
        timeout=40,
    )
