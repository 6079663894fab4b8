"""What an officer reads on a crew record: an expired certificate is stored with a warning, the
certificate check names the expiry date it judged, and a failed or reviewed enrolment explains
its code in words."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from enforcement import auth, clock
from enforcement.checkin import crew, rules
from enforcement.checkin.crew_schemas import CrewIn, CrewOut, EnrolmentOut
from enforcement.checkin.models import CrewMember
from enforcement.checkin.verdicts import CheckResultsOut
from enforcement.face import engine
from PIL import Image

from tests import photos
from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world

TODAY = date(2026, 11, 23)
MASTER = rules.Post("master", "船长", "master", "B")


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """ID-number claims are keyed with the signing key (a secret in Secrets Manager)."""
    monkeypatch.setattr(auth, "signing_key", lambda: "unit-test-signing-key-" + "x" * 32)


def crew_body(*expiries: date) -> CrewIn:
    return CrewIn.model_validate(
        {
            "name": "周",
            "id_number": "310101199001011234",
            "certificates": [
                {"number": f"M-{i:04d}", "type": "master", "grade": "A", "expires_on": str(day)}
                for i, day in enumerate(expiries)
            ],
        }
    )


# ------------------------------------------------------------------ certificates


def test_an_expired_certificate_is_stored_with_a_warning(world: World) -> None:
    today = clock.now().date()
    expired, valid = today - timedelta(days=1), today + timedelta(days=30)
    registered = crew.register_crew(world.officer, crew_body(expired, valid))
    answer = CrewOut.model_validate(registered).model_dump(mode="json")
    assert [c["number"] for c in answer["certificates"]] == ["M-0000", "M-0001"]  # both stored
    assert answer["warnings"] == [
        {
            "code": "certificate_expired",
            "message": f"Certificate M-0000 expired on {expired.isoformat()}.",
            "certificate": "M-0000",
            "expires_on": expired.isoformat(),
        }
    ]
    read = crew.get_crew(world.officer, registered["crew_id"])  # the record keeps saying so
    assert [w["certificate"] for w in read["warnings"]] == ["M-0000"]


def test_a_certificate_expiring_today_gives_no_warning(world: World) -> None:
    registered = crew.register_crew(world.officer, crew_body(clock.now().date()))
    assert registered["warnings"] == []


def test_certificate_expired_names_the_expiry_date_it_judged() -> None:
    lapsed = rules.Certificate("C-0001", "master", "A", TODAY - timedelta(days=3))
    outcome = rules.certificate_check([lapsed], MASTER, TODAY)
    assert (outcome.passed, outcome.reason) == (False, "certificate_expired")
    assert outcome.detail["expires_on"] == str(TODAY - timedelta(days=3))
    shown = CheckResultsOut.model_validate({"certificate": outcome.as_dict()})
    assert shown.model_dump(mode="json")["certificate"]["expires_on"] == "2026-11-20"


# ------------------------------------------------------------------ enrolment messages


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (lambda: b"", "image_empty"),
        (lambda: b"not an image" * 50, "image_unreadable"),
        (lambda: _png(Image.linear_gradient("L").resize((400, 300)).convert("RGB")), "no_face"),
        (lambda: photos.photo_bytes(photos.GROUP), "multiple_faces"),
    ],
    ids=["empty", "unreadable", "no-face", "group"],
)
def test_each_engine_refusal_has_a_message_in_words(content: object, code: str) -> None:
    with pytest.raises(engine.FaceError) as refused:
        engine.encode(content(), engine.EngineConfig())  # type: ignore[operator]
    assert refused.value.code == code
    assert crew.ENROLMENT_MESSAGES[code][0].isupper()


def test_every_code_the_engine_documents_has_a_message() -> None:
    documented = (engine.FaceError.__doc__ or "").split("Codes:")[1].split("`message`")[0]
    codes = {word.strip(" ,.\n") for word in documented.split() if "_" in word}
    assert {"no_face", "face_too_small", "image_too_many_pixels"} <= codes
    assert codes <= set(crew.ENROLMENT_MESSAGES)


def test_the_face_status_explains_a_failure_and_a_review(world: World) -> None:
    registered = crew.register_crew(world.officer, crew_body())
    crew_id = registered["crew_id"]
    assert registered["face_message"] is None  # nothing to explain yet
    CrewMember(crew_id).update(
        actions=[CrewMember.face_status.set("failed"), CrewMember.face_error.set("no_face")]
    )
    status = EnrolmentOut.model_validate(crew.enrolment_status(world.officer, crew_id))
    assert status.face_error == "no_face"
    assert (status.face_message or "").startswith("No face was found in the photo: ")
    CrewMember(crew_id).update(
        actions=[
            CrewMember.face_status.set("pending_review"),
            CrewMember.face_error.set("possible_duplicate_identity"),
        ]
    )
    view = CrewOut.model_validate(crew.get_crew(world.officer, crew_id))
    assert view.face_status == "pending_review"
    assert "possible duplicate identity" in (view.face_message or "")
    CrewMember(crew_id).update(actions=[CrewMember.face_error.set("something_new")])
    assert crew.get_crew(world.officer, crew_id)["face_message"] == crew.UNKNOWN_ENROLMENT_ERROR
