"""A check made before a discharge does not count for the posting that follows it.

Over real HTTP with real face photographs: a crew member is bound, checks in (verified), is
appointed and discharged by application, then binds the same post again. The manning report
must not show the post met through the check of the earlier posting; a new check meets it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from enforcement.auth import Role

from tests.integration.client import Client, officer_session, upload, wait_for
from tests.photos import live, photo_bytes

SHIP = {"lat": 31.3901, "lon": 121.5012}
NEAR = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}


@pytest.fixture(autouse=True)
def exact_replays_only() -> Iterator[None]:
    """Turned copies of one photograph stand for new shots here (see the check-in walk-through):
    the near-duplicate rule is switched off, exact replays are still refused."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACE_REPLAY_MAX_DISTANCE", "0")
        patch.setenv("FACE_REPLAY_MIN_SIMILARITY", "2")
        yield


def shot(angle: int, name: str = "obama3.jpg") -> bytes:
    """A new shot: the photograph turned a little, with bytes and pixels of its own (another
    test may have used the same turn of the same photograph: its pixels would be an exact
    copy). The angle only tells the steps apart; `live` picks the turn."""
    del angle
    return live(name)


def decided(client: Client, path: str, started: dict[str, Any], photo: bytes) -> dict[str, Any]:
    upload(started["upload"], photo)
    return wait_for(
        lambda: client.get(f"{path}/{started['check_id']}"),
        lambda r: r["status"] != "awaiting_photo",
    )


def test_a_check_before_a_discharge_does_not_count_after_binding_again(stack: Any) -> None:
    suffix = secrets.token_hex(3)
    officer = officer_session(
        stack.api_url, f"mdoff{suffix}", role=Role.OFFICER, agency=f"msa-{suffix}",
        jurisdiction=f"md-{suffix}", name="张伟",
    )  # fmt: skip
    mmsi = "45" + "".join(secrets.choice("0123456789") for _ in range(7))
    officer.post(
        "/checkin/vessels",
        {
            "mmsi": mmsi,
            "name_zh": f"东海{suffix}",
            "home_port": "上海",
            "length_m": 60,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"}
            ],
        },
    )
    officer.put(f"/checkin/vessels/{mmsi}/position", SHIP)
    id_number = "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))
    expires = (date.today() + timedelta(days=400)).isoformat()
    record = officer.post(
        "/checkin/crew",
        {
            "name": "李明",
            "id_number": id_number,
            "certificates": [
                {"number": f"M-{suffix}", "type": "master", "grade": "A", "expires_on": expires}
            ],
        },
    )
    grant = officer.post(f"/checkin/crew/{record['crew_id']}/face-enrolment")["upload"]
    upload(grant, photo_bytes("obama.jpg"))
    wait_for(
        lambda: officer.get(f"/checkin/crew/{record['crew_id']}/face-enrolment"),
        lambda r: r["face_status"] == "enrolled",
    )
    code = f"md-{suffix}"
    stack.login_platform.add_code(code, f"openid-md-{suffix}")
    crew = Client(stack.api_url, Client(stack.api_url).post(
        "/auth/miniprogram/login", {"code": code}, expect=200)["token"])  # fmt: skip
    link = crew.post("/checkin/me/link", {"id_number": id_number})
    linked = decided(crew, "/checkin/me/link", link, shot(1, "obama2.jpg"))
    assert linked["status"] == "verified", linked["reasons"]

    def bind() -> None:
        """Bind the master's post; outside an appointment the officer approves the binding."""
        requested = crew.put("/checkin/me/binding", {"vessel_id": mmsi, "post": "master"})
        if requested["status"] == "pending":
            officer.post(
                f"/checkin/vessels/{mmsi}/bindings/{requested['binding_id']}/approve",
                {"reason": "on the crew list"},
                expect=200,
            )

    bind()
    check = decided(crew, "/checkin/checks", crew.post("/checkin/checks", {"gps": NEAR}), shot(2))
    assert check["status"] == "verified", check
    manning = officer.get(f"/checkin/vessels/{mmsi}/manning")
    assert manning["manning_met"] is True

    def apply(kind: str, angle: int) -> dict[str, Any]:
        body = {"kind": kind, "vessel_id": mmsi, "post": "master", "gps": NEAR}
        return decided(crew, "/checkin/applications", crew.post("/checkin/applications", body),
                       shot(angle))  # fmt: skip

    assert apply("appointment", 4)["status"] == "verified"
    assert officer.get(f"/checkin/vessels/{mmsi}/manning")["manning_met"] is True
    assert apply("discharge", -4)["status"] == "verified"
    assert crew.get("/checkin/me")["postings"] == []
    bind()

    manning = officer.get(f"/checkin/vessels/{mmsi}/manning")
    post = manning["posts"][0]
    assert manning["manning_met"] is False, manning
    assert post["verified"] == []
    assert [u["crew_id"] for u in post["unchecked"]] == [record["crew_id"]]

    again = decided(crew, "/checkin/checks", crew.post("/checkin/checks", {"gps": NEAR}), shot(-2))
    assert again["status"] == "verified", again
    manning = officer.get(f"/checkin/vessels/{mmsi}/manning")
    assert manning["manning_met"] is True
    assert manning["posts"][0]["verified"][0]["check_id"] == again["check_id"]
