"""A verified duty check's day of service is stored in the decision's own transaction (the
photo's, or the review's confirm), so a decision and its day are stored together or not at all;
a second verified check of the same day and post adds nothing and still verifies."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient
from enforcement import clock, db
from enforcement.checkin import check_reviews, reviews
from enforcement.checkin.models import (
    CertificateAttribute,
    Check,
    CrewMember,
    GpsAttribute,
    PositionAttribute,
    PostAttribute,
    ServiceRecord,
    Vessel,
)

from scripts.check_face_image import FaceWorld
from tests import photos
from tests.unit import checkin_world
from tests.unit.checkin_world import World
from tests.unit.test_face_check import world  # noqa: F401 - the moto world fixture
from tests.unit.test_upload_versions import handle

SHIP = (31.3901, 121.5012)


@contextmanager
def transactions() -> Iterator[list[list[tuple[str, str]]]]:
    """Every TransactWriteItems sent from now on: its (action, table) pairs."""
    sent: list[list[tuple[str, str]]] = []
    original = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            sent.append(
                [
                    (kind, body["TableName"])
                    for action in params["TransactItems"]
                    for kind, body in action.items()
                ]
            )
        return original(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", call)
        yield sent


def duty_world(aws: FaceWorld, crew_id: str) -> str:
    """A vessel at a known position with one post the crew member is certified for; its id."""
    vessel_id = f"4{secrets.randbelow(10**8):08d}"
    Vessel(
        vessel_id,
        name_zh="测试船",
        mmsi=vessel_id,
        home_port="上海",
        jurisdiction="sh",
        length_m=80,
        manning=[
            PostAttribute(
                code="master", title="船长", certificate_type="master", min_grade="B", count=1
            )
        ],
        position=PositionAttribute(
            lat=SHIP[0], lon=SHIP[1], sog_knots=0, reported_at=clock.iso(), source="ais"
        ),
        created_at=clock.iso(),
        created_by="officer:test",
    ).save()
    expires = clock.now().date().replace(year=clock.now().year + 1).isoformat()
    CrewMember(crew_id).update(
        actions=[
            CrewMember.certificates.set(
                [CertificateAttribute(number="C-1", type="master", grade="A", expires_on=expires)]
            ),
            CrewMember.credit_points.set(0),
        ]
    )
    return vessel_id


def duty_check(aws: FaceWorld, crew_id: str, vessel_id: str, photo: bytes) -> dict[str, Any]:
    """A self duty check on the ship with this photo, delivered as S3 would; the record."""
    check_id = f"chk-{secrets.token_hex(8)}"
    key = aws._ticket("check", check_id)
    Check(
        check_id,
        purpose="duty",
        mode="self",
        vessel_id=vessel_id,
        jurisdiction="sh",
        post="master",
        crew_id=crew_id,
        account_id="acc",
        status="awaiting_photo",
        reasons=[],
        photo_key=key,
        gps=GpsAttribute(lat=SHIP[0], lon=SHIP[1], accuracy_m=10),
        created_at=clock.iso(),
    ).save()
    record: dict[str, Any] = aws.deliver(key, photo, handle)["records"][0]
    return record


def test_a_verified_duty_check_stores_its_day_in_the_decision(world: Any) -> None:  # noqa: F811
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    vessel_id = duty_world(aws, "li")
    with transactions() as sent:
        decided = duty_check(aws, "li", vessel_id, photos.photo_bytes("obama2.jpg"))
    assert decided["outcome"] == "verified", decided
    # one transaction: the decision with its day of service and the crew member's points
    assert len(sent) == 1, sent
    assert ("Put", "service-records") in sent[0]
    assert ("Update", "crew") in sent[0]
    assert ("Update", "checks") in sent[0]
    days = list(ServiceRecord.query("li"))
    assert [(d.vessel_id, d.post, int(d.points)) for d in days] == [(vessel_id, "master", 1)]
    assert int(CrewMember.get("li").credit_points) == 1

    # the same day and post again: verified, nothing added, one transaction still
    with transactions() as sent:
        again = duty_check(aws, "li", vessel_id, photos.photo_bytes("obama3.jpg"))
    assert again["outcome"] == "verified", again
    assert len(sent) == 1, sent
    assert ("Put", "service-records") not in sent[0]
    assert ServiceRecord.count("li") == 1
    assert int(CrewMember.get("li").credit_points) == 1


# ------------------------------------------------------------------ a review's confirm

review_world = checkin_world.world
assert check_reviews.MESSAGES  # the effect of check reviews is registered by importing it


def check_in_review(place: World, vessel_id: str, crew_id: str) -> str:
    """A duty check whose photo went to review, with its pending review; the review's id."""
    check_id = place.decided_check(vessel_id, crew_id, "master")
    check = Check.get(check_id)
    check.update(actions=[Check.status.set("pending_review")])
    with db.transaction() as tx:
        review = reviews.open_review(
            tx,
            kind="check",
            subject_id=check_id,
            crew_id=crew_id,
            jurisdiction=place.jurisdiction,
            reason="face_match_uncertain",
            message="uncertain",
            figures={},
            photos=[],
            actor="crew:test",
        )
    return review.review_id


def test_a_confirmed_duty_check_stores_its_day_in_the_review(review_world: World) -> None:
    place = review_world
    vessel_id = place.vessel()
    crew_id, _ = place.crew("李船长", ("master", "A"))
    first = check_in_review(place, vessel_id, crew_id)
    second = check_in_review(place, vessel_id, crew_id)
    with transactions() as sent:
        reviews.decide(place.officer, first, "confirm", "it is him")
    assert len(sent) == 1, sent  # the review, the check, the day and the points together
    assert ("Put", ServiceRecord.Meta.table_name) in sent[0]
    assert ("Update", CrewMember.Meta.table_name) in sent[0]
    assert [r.post for r in ServiceRecord.query(crew_id)] == ["master"]
    assert int(CrewMember.get(crew_id).credit_points) == 1

    with transactions() as sent:  # the same day and post: nothing more
        reviews.decide(place.officer, second, "confirm", "him again")
    assert len(sent) == 1, sent
    assert ("Put", ServiceRecord.Meta.table_name) not in sent[0]
    assert ServiceRecord.count(crew_id) == 1
    assert int(CrewMember.get(crew_id).credit_points) == 1
