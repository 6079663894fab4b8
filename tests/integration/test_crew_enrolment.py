"""Crew records over real HTTP against the local stack: one face, one crew record (a second
record with another ID number and another photograph of the same man goes to review, decided by
an officer of the jurisdiction), an expired certificate stored with a warning, and a failed
enrolment explained in words."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from enforcement.auth import Role
from PIL import Image

from tests.integration.client import Client, officer_session, upload, wait_for
from tests.photos import PHOTOS_DIR, MissingPhotoError

pytestmark = pytest.mark.slow

JOHNS = PHOTOS_DIR / "johns"
#: Two photographs of one man from different occasions, and another man.
SAVAGE = ("John_Savage/000274_01099061.jpg", "John_Savage/000290_01099090.jpg")
SIMM = "John_Simm/000300_00470148.jpg"


def johns(name: str) -> bytes:
    path = JOHNS / name
    if not path.is_file():
        raise MissingPhotoError(f"{path} is missing: run scripts/fetch_photos.py (make photos)")
    return path.read_bytes()


def id_number() -> str:
    return "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))


@dataclass
class Bureau:
    """One agency of its own (its enrolled faces are its own), a jurisdiction of it with an
    officer, and another jurisdiction of the agency with another officer."""

    officer: Client
    outsider: Client
    jurisdiction: str

    def register(self, name: str, **extra: Any) -> dict[str, Any]:
        body = {"name": name, "id_number": id_number(), "certificates": [], **extra}
        crew: dict[str, Any] = self.officer.post("/checkin/crew", body)
        return crew

    def enrol(self, crew_id: str, photo: bytes) -> dict[str, Any]:
        grant = self.officer.post(f"/checkin/crew/{crew_id}/face-enrolment")["upload"]
        upload(grant, photo)
        status: dict[str, Any] = wait_for(
            lambda: self.officer.get(f"/checkin/crew/{crew_id}/face-enrolment"),
            lambda r: r["face_status"] != "pending",
        )
        return status


@pytest.fixture
def bureau(stack: Any) -> Bureau:
    suffix = secrets.token_hex(3)
    agency, jurisdiction = f"msa-dup-{suffix}", f"dup-wusongkou-{suffix}"

    def officer(username: str, where: str) -> Client:
        return officer_session(
            stack.api_url, username, role=Role.OFFICER, agency=agency, jurisdiction=where, name="周"
        )

    return Bureau(
        officer(f"dup{suffix}", jurisdiction),
        officer(f"dupout{suffix}", f"dup-beilun-{suffix}"),
        jurisdiction,
    )


# ------------------------------------------------------------------ one face, one record


def test_the_same_face_under_another_id_number_goes_to_an_officers_review(
    bureau: Bureau,
) -> None:
    first = bureau.register("李明")
    second = bureau.register("李敏")  # another ID number, another photograph of the same man
    assert bureau.enrol(first["crew_id"], johns(SAVAGE[0]))["face_status"] == "enrolled"
    waiting = bureau.enrol(second["crew_id"], johns(SAVAGE[1]))
    assert waiting["face_status"] == "pending_review"
    assert waiting["face_error"] == "possible_duplicate_identity"
    assert "possible duplicate identity" in waiting["face_message"]
    other = bureau.register("王强")
    assert bureau.enrol(other["crew_id"], johns(SIMM))["face_status"] == "enrolled"

    # the officer of the jurisdiction finds it in the queue, with both photos
    queue = bureau.officer.get("/checkin/reviews")
    items = queue["items"] if isinstance(queue, dict) else queue
    [review] = [r for r in items if r["subject_id"] == second["crew_id"]]
    assert (review["kind"], review["reason"]) == ("enrolment", "possible_duplicate_identity")
    shown = bureau.officer.get(f"/checkin/reviews/{review['review_id']}")
    assert shown["figures"]["other_crew_id"] == first["crew_id"]
    assert shown["figures"]["distance"] <= shown["figures"]["threshold"]
    fetched = {p["role"]: requests.get(p["url"], timeout=30).content for p in shown["photos"]}
    assert fetched == {"reference": johns(SAVAGE[1]), "other": johns(SAVAGE[0])}

    # an officer of another jurisdiction of the agency neither sees nor decides it
    path = f"/checkin/reviews/{review['review_id']}"
    theirs = bureau.outsider.get("/checkin/reviews")
    theirs = theirs["items"] if isinstance(theirs, dict) else theirs
    assert review["review_id"] not in [r["review_id"] for r in theirs]
    decision = {"outcome": "refuse", "reason": "the same man as 李明"}
    for answer in (
        bureau.outsider.call("GET", path),
        bureau.outsider.call("POST", f"{path}/decision", decision),
    ):
        assert (answer.status_code, answer.json()["code"]) == (403, "outside_jurisdiction")

    bureau.officer.post(f"{path}/decision", decision, expect=200)
    refused = bureau.officer.get(f"/checkin/crew/{second['crew_id']}/face-enrolment")
    assert (refused["face_status"], refused["face_error"]) == ("failed", "duplicate_identity")
    assert refused["face_message"].startswith("An officer found this face already enrolled")
    again = bureau.officer.post(f"{path}/decision", decision, expect=409)
    assert again["code"] == "review_decided"


def test_a_confirmed_enrolment_is_enrolled(bureau: Bureau) -> None:
    first, second = bureau.register("陈一"), bureau.register("陈二")
    bureau.enrol(first["crew_id"], johns(SAVAGE[0]))
    assert bureau.enrol(second["crew_id"], johns(SAVAGE[1]))["face_status"] == "pending_review"
    queue = bureau.officer.get("/checkin/reviews")
    items = queue["items"] if isinstance(queue, dict) else queue
    [review] = [r for r in items if r["subject_id"] == second["crew_id"]]
    bureau.officer.post(
        f"/checkin/reviews/{review['review_id']}/decision",
        {"outcome": "confirm", "reason": "twin brothers, both on the crew list"},
        expect=200,
    )
    confirmed = bureau.officer.get(f"/checkin/crew/{second['crew_id']}")
    assert (confirmed["face_status"], confirmed["face_error"]) == ("enrolled", None)


# ------------------------------------------------------------------ the small things


def test_an_expired_certificate_is_registered_with_a_warning(bureau: Bureau) -> None:
    lapsed = (date.today() - timedelta(days=2)).isoformat()
    crew = bureau.register(
        "赵",
        certificates=[{"number": "M-LAPSED", "type": "master", "grade": "A", "expires_on": lapsed}],
    )
    assert crew["certificates"][0]["expires_on"] == lapsed  # stored all the same
    assert crew["warnings"] == [
        {
            "code": "certificate_expired",
            "message": f"Certificate M-LAPSED expired on {lapsed}.",
            "certificate": "M-LAPSED",
            "expires_on": lapsed,
        }
    ]


def test_a_failed_enrolment_says_why_in_words(bureau: Bureau) -> None:
    crew = bureau.register("钱")
    blank = io.BytesIO()
    Image.linear_gradient("L").resize((400, 300)).convert("RGB").save(blank, "PNG")
    failed = bureau.enrol(crew["crew_id"], blank.getvalue())
    assert (failed["face_status"], failed["face_error"]) == ("failed", "no_face")
    assert failed["face_message"].startswith("No face was found in the photo: ")
    assert (
        bureau.officer.get(f"/checkin/crew/{crew['crew_id']}")["face_message"]
        == (failed["face_message"])
    )
