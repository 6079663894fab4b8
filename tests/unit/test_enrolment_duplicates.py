"""One face, one crew record: an enrolment is searched against the agency's enrolled crew.

Real photographs (dlib's "johns": several photos of each of five men, taken on different
occasions) through the face function's S3 event path under moto: a second crew record with
another ID number and another photo of the same man goes to review; a different man, a
re-enrolment of the same record, the same ID number in another jurisdiction and another
agency's crew do not. The officer's decision enrols the face or refuses it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import numpy as np
import pytest
from enforcement import audit, clients, config, jurisdictions
from enforcement.auth import Principal, Role
from enforcement.checkin import decisions, enrolment, face_checks, reviews
from enforcement.checkin.models import CrewMember, FaceRecord, Review
from enforcement.errors import Conflict, Forbidden
from enforcement.face import engine
from enforcement.face.configured import engine_config, match_zones
from moto import mock_aws

from scripts.check_face_image import ENVIRONMENT, FaceWorld
from tests import photos

JOHNS = photos.PHOTOS_DIR / "johns"
#: Two photographs of one man from different occasions, a third of him, and another man.
SAVAGE = ("John_Savage", "000274_01099061.jpg", "000290_01099090.jpg", "000277_01099000.jpg")
SIMM = ("John_Simm", "000300_00470148.jpg")


def johns(name: str, file: str) -> bytes:
    path = JOHNS / name / file
    if not path.is_file():
        raise photos.MissingPhotoError(
            f"{path} is missing: run scripts/fetch_photos.py (make photos), which reads dlib's "
            "examples/johns from its Debian source package"
        )
    return path.read_bytes()


def savage(i: int) -> bytes:
    return johns(SAVAGE[0], SAVAGE[1 + i])


def check_photo(data: bytes) -> face_checks.Photo:
    """A check photo as the face function reads it."""
    return face_checks.Photo(engine.encode(data, engine_config()), None, engine.image_digest(data))


@dataclass
class World:
    aws: FaceWorld
    agency: str
    jurisdiction: str

    def handle(self, event: dict[str, Any], _context: Any) -> dict[str, Any]:
        key = unquote_plus(event["Records"][0]["s3"]["object"]["key"])
        return {"records": [decisions.process_upload(key)]}

    def crew(self, id_number: str | None = None, jurisdiction: str | None = None) -> str:
        crew_id = f"crew-{secrets.token_hex(6)}"
        CrewMember(
            crew_id,
            name=crew_id,
            id_number=id_number or f"31010119{secrets.randbelow(10**10):010d}",
            jurisdiction=jurisdiction or self.jurisdiction,
            face_status="pending",
            created_at="2026-11-23T00:00:00.000Z",
        ).save()
        return crew_id

    def enrol(self, crew_id: str, photo: bytes) -> dict[str, Any]:
        return self.aws.enrol(crew_id, photo, self.handle)

    def officer(self, jurisdiction: str | None = None) -> Principal:
        return Principal(
            f"officer-{secrets.token_hex(3)}",
            Role.OFFICER,
            agency=self.agency,
            jurisdiction=jurisdiction or self.jurisdiction,
        )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in list(os.environ):
        if (
            name.startswith("AWS_ENDPOINT_URL")
            or name.endswith("_TABLE")
            or name
            in (
                "UPLOAD_BUCKET",
                "NOTIFICATIONS_TOPIC_ARN",
            )
        ):
            monkeypatch.delenv(name)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    clients.reset()
    suffix = secrets.token_hex(4)
    with mock_aws():
        aws = FaceWorld()
        world = World(aws, f"msa-{suffix}", f"wusongkou-{suffix}")
        jurisdictions.register("admin:seed", world.agency, world.jurisdiction)
        yield world
    clients.reset()
    config.settings.cache_clear()


def pending_reviews(jurisdiction: str) -> list[Review]:
    return list(Review.by_pending.query(jurisdiction))


def status(crew_id: str) -> tuple[str | None, str | None]:
    crew = CrewMember.get(crew_id, consistent_read=True)
    return crew.face_status, crew.face_error


# ------------------------------------------------------------------ the photos themselves


def test_the_photos_are_one_man_twice_and_another_man() -> None:
    """What the tests below rely on, measured: the two photos of Savage are different captures
    within the ACCEPT line, and Simm is beyond it."""
    cfg = engine.EngineConfig()
    first, second = (engine.encode(savage(i), cfg) for i in (0, 1))
    other = engine.encode(johns(*SIMM), cfg)
    assert savage(0) != savage(1)
    line = match_zones().accept_max
    assert 0.1 < engine.compare(first, second, line).distance <= line
    assert engine.compare(first, other, line).distance > line
    assert np.any(first.vector != second.vector)


# ------------------------------------------------------------------ duplicates


def test_the_same_face_under_another_id_number_goes_to_review(world: World) -> None:
    first, second = world.crew(), world.crew()
    assert world.enrol(first, savage(0))["outcome"] == "enrolled"
    result = world.enrol(second, savage(1))
    assert result["outcome"] == "pending_review"
    assert status(second) == ("pending_review", "possible_duplicate_identity")
    # the template is kept, but checks cannot use it yet
    assert FaceRecord.get(f"crew#{second}").reference_key
    waiting = face_checks.face_check(second, check_photo(savage(2)))
    assert (waiting.passed, waiting.reason) == (False, "face_enrolment_under_review")

    [review] = pending_reviews(world.jurisdiction)
    assert review.review_id == result["review_id"]
    assert (review.kind, review.subject_id, review.status) == ("enrolment", second, "pending")
    assert review.reason == "possible_duplicate_identity"
    assert review.figures["other_crew_id"] == first
    assert 0 < review.figures["distance"] <= review.figures["threshold"]
    first_record = FaceRecord.get(f"crew#{first}")
    assert [(p.role, p.key) for p in review.photos] == [
        ("reference", FaceRecord.get(f"crew#{second}").reference_key),
        ("other", first_record.reference_key),
    ]
    [entry] = [e for e in audit_entries(f"crew:{second}") if e["action"] != "face.enrolled"]
    assert entry["action"] == "face.enrolment_review"
    assert entry["details"]["other_crew_id"] == first


def test_a_different_face_enrols(world: World) -> None:
    world.enrol(world.crew(), savage(0))
    other = world.crew()
    assert world.enrol(other, johns(*SIMM))["outcome"] == "enrolled"
    assert status(other) == ("enrolled", None)
    assert pending_reviews(world.jurisdiction) == []


def test_a_re_enrolment_replaces_its_own_entry(world: World) -> None:
    crew_id = world.crew()
    assert world.enrol(crew_id, savage(0))["outcome"] == "enrolled"
    assert world.enrol(crew_id, savage(1))["outcome"] == "enrolled"  # not its own duplicate
    hits = enrolment.face_index.search(
        engine.encode(savage(1), engine.EngineConfig()), 5, enrolment.index_name(world.agency)
    )
    assert [subject for subject, _ in hits] == [crew_id]  # one entry, the new face
    assert hits[0][1] < 1e-5


def test_the_same_id_number_in_another_jurisdiction_is_the_same_seafarer(world: World) -> None:
    """ID numbers are claimed per jurisdiction: two bureaus of the agency may each register
    the seafarer; that is one person, not a duplicate identity."""
    other_jurisdiction = f"beilun-{secrets.token_hex(3)}"
    jurisdictions.register("admin:seed", world.agency, other_jurisdiction)
    number = "310101198001011234"
    world.enrol(world.crew(number), savage(0))
    again = world.crew(number, other_jurisdiction)
    assert world.enrol(again, savage(1))["outcome"] == "enrolled"


def test_another_agencys_crew_is_not_searched(world: World) -> None:
    world.enrol(world.crew(), savage(0))
    far = f"far-{secrets.token_hex(3)}"
    jurisdictions.register("admin:seed", f"customs-{secrets.token_hex(3)}", far)
    assert world.enrol(world.crew(jurisdiction=far), savage(1))["outcome"] == "enrolled"


# ------------------------------------------------------------------ the officer's decision


def duplicate_pair(world: World) -> tuple[str, str, str]:
    first, second = world.crew(), world.crew()
    world.enrol(first, savage(0))
    review_id = world.enrol(second, savage(1))["review_id"]
    return first, second, review_id


def test_a_confirmed_enrolment_is_enrolled_and_usable(world: World) -> None:
    _, second, review_id = duplicate_pair(world)
    decided = reviews.decide(world.officer(), review_id, "confirm", "twins, both on the list")
    assert decided["status"] == "confirmed"
    assert status(second) == ("enrolled", None)
    outcome = face_checks.face_check(second, check_photo(savage(2)))
    assert outcome.reason != "face_enrolment_under_review"
    assert pending_reviews(world.jurisdiction) == []


def test_a_refused_enrolment_fails_and_no_longer_counts(world: World) -> None:
    first, second, review_id = duplicate_pair(world)
    reviews.decide(world.officer(), review_id, "refuse", "same man as the first record")
    assert status(second) == ("failed", "duplicate_identity")
    # the refused record's face (nearest to the new photo) is skipped; the first one is found
    third = world.crew()
    result = world.enrol(third, savage(1))
    assert result["outcome"] == "pending_review"
    assert Review.get(result["review_id"]).figures["other_crew_id"] == first


def test_a_decision_on_an_enrolment_replaced_since_is_refused(world: World) -> None:
    _, second, review_id = duplicate_pair(world)
    world.enrol(second, johns(*SIMM))  # enrolled again with another face meanwhile
    assert status(second) == ("enrolled", None)
    with pytest.raises(Conflict):
        reviews.decide(world.officer(), review_id, "confirm", "looks fine")
    assert status(second) == ("enrolled", None)
    assert Review.get(review_id).status == "pending"


def test_an_officer_of_another_jurisdiction_cannot_decide(world: World) -> None:
    _, second, review_id = duplicate_pair(world)
    elsewhere = f"yangshan-{secrets.token_hex(3)}"
    jurisdictions.register("admin:seed", world.agency, elsewhere)
    with pytest.raises(Forbidden):
        reviews.decide(world.officer(elsewhere), review_id, "confirm", "not mine")
    assert status(second) == ("pending_review", "possible_duplicate_identity")


def audit_entries(target: str) -> list[dict[str, Any]]:
    return [
        {"action": e.action, "details": json.loads(e.details or "{}")}
        for e in audit.AuditEntry.scan()
        if e.target == target
    ]
