"""A check photo's decision at fewer capacity units, with its guarantees (`checkin.decisions`,
`decision_reads`): no read of the service records (the crew record says whether the day is on
record), no inbox entry for a verified self check-in, and reads that may be a second old where
the decision's transaction conditions make a stale copy harmless: a re-delivered event read from
stale copies changes nothing, and an exact copy of a photo decided a moment ago, read as unseen,
is still refused."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from enforcement import clock
from enforcement.batch_reads import Reads
from enforcement.checkin import decision_reads, decisions
from enforcement.checkin.models import Check, CrewMember, PhotoDigest, ServiceRecord
from enforcement.errors import Conflict
from enforcement.models import Notification, Upload
from pynamodb.models import Model

from scripts.check_face_image import FaceWorld
from tests import photos
from tests.unit.test_decision_service_day import duty_check, duty_world
from tests.unit.test_face_check import world  # noqa: F401 - the moto world fixture
from tests.unit.test_service_days import service_record_calls
from tests.unit.test_upload_versions import handle


class Stale:
    """Reads that answer some models with copies read earlier (`stale`: model -> item or None)
    and the rest as read now."""

    def __init__(self, fresh: Reads, stale: dict[type[Model], Model | None]) -> None:
        self.fresh, self.stale = fresh, stale

    def item(self, model: type[Model], hash_key: Any, range_key: Any = None) -> Any:
        if model in self.stale:
            return self.stale[model]
        return self.fresh.item(model, hash_key, range_key)


def stale_batches(
    monkeypatch: pytest.MonkeyPatch, call: int, stale: dict[type[Model], Model | None]
) -> None:
    """Make the `call`-th BatchGetItem of the decision (1: ticket and check; 2: the rest)
    answer `stale`'s models with those copies."""
    real = decision_reads.batch_get
    made = [0]

    def batch_get(keys: Any) -> Any:
        made[0] += 1
        found = real(keys)
        return Stale(found, stale) if made[0] == call else found

    monkeypatch.setattr(decision_reads, "batch_get", batch_get)


def link_check(aws: FaceWorld, crew_id: str) -> tuple[str, str]:
    """A link check of `crew_id` waiting for its photo (as `FaceWorld.check` makes one); its id
    and the photo's key."""
    check_id = f"chk-{secrets.token_hex(8)}"
    key = aws._ticket("check", check_id)
    Check(
        check_id,
        purpose="link",
        crew_id=crew_id,
        account_id=f"acct-{secrets.token_hex(6)}",
        status="awaiting_photo",
        reasons=[],
        photo_key=key,
        created_at=clock.iso(),
    ).save()
    return check_id, key


def test_a_verified_duty_check_reads_no_service_record_and_adds_its_day_once(
    world: Any,  # noqa: F811
) -> None:
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    vessel_id = duty_world(aws, "li")
    CrewMember("li").update(actions=[CrewMember.service_days.set([])])  # as registered
    with service_record_calls() as sent:
        first = duty_check(aws, "li", vessel_id, photos.photo_bytes("obama2.jpg"))
    assert first["outcome"] == "verified", first
    assert sent == ["TransactWriteItems"]  # the day written with the decision, nothing read
    with service_record_calls() as sent:
        again = duty_check(aws, "li", vessel_id, photos.photo_bytes("obama3.jpg"))
    assert again["outcome"] == "verified", again
    assert sent == []  # the same day and post: neither read nor written
    assert ServiceRecord.count("li") == 1
    member = CrewMember.get("li")
    assert int(member.credit_points) == 1
    assert [str(k) for k in member.service_days or []] == [
        ServiceRecord.query("li").next().record_key
    ]


def test_a_verified_self_check_in_leaves_no_inbox_entry_a_failed_one_does(
    world: Any,  # noqa: F811
) -> None:
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    vessel_id = duty_world(aws, "li")
    verified = duty_check(aws, "li", vessel_id, photos.photo_bytes("obama2.jpg"))
    assert verified["outcome"] == "verified", verified
    assert list(Notification.query("li")) == []  # the crew member polls the check for it
    failed = duty_check(aws, "li", vessel_id, photos.photo_bytes("biden.jpg"))
    assert failed["outcome"] == "failed", failed
    assert [n.kind for n in Notification.query("li")] == ["check.failed"]


def test_the_inbox_keeps_every_outcome_the_crew_member_did_not_wait_for() -> None:
    def check(purpose: str, mode: str | None) -> Check:
        return Check("chk-x", purpose=purpose, mode=mode, crew_id="c", account_id="a")

    assert not decisions.inbox_kept(check("duty", "self"), "verified")
    assert not decisions.inbox_kept(check("duty", "remote"), "verified")
    assert decisions.inbox_kept(check("duty", "self"), "failed")
    assert decisions.inbox_kept(check("duty", "self"), "pending_review")
    assert decisions.inbox_kept(check("duty", "onsite"), "verified")  # an officer's photo
    assert decisions.inbox_kept(check("link", None), "verified")
    assert decisions.inbox_kept(check("appointment", None), "verified")


def test_a_redelivered_event_read_from_stale_copies_changes_nothing(
    world: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    check_id, key = link_check(aws, "li")
    ticket_before, check_before = Upload.get(key), Check.get(check_id)  # pending, awaiting
    first = aws.deliver(key, photos.photo_bytes("obama2.jpg"), handle)["records"][0]
    assert first["outcome"] == "verified", first
    decided = Check.get(check_id).serialize(), Upload.get(key).serialize()
    digests = [d.object_key for d in PhotoDigest.scan()]
    # the same event again, within a second: the ticket and the check read as they were before
    stale_batches(monkeypatch, 1, {Upload: ticket_before, Check: check_before})
    version = Upload.get(key).version_id
    again = decisions.process_upload(key, version)
    assert again == {"key": key, "outcome": "duplicate", "status": "done"}
    assert (Check.get(check_id).serialize(), Upload.get(key).serialize()) == decided
    assert [d.object_key for d in PhotoDigest.scan()] == digests


def test_an_exact_copy_read_as_unseen_is_still_refused(
    world: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aws: FaceWorld = world.aws
    assert aws.enrol("li", photos.photo_bytes("obama.jpg"), handle)["outcome"] == "enrolled"
    assert aws.enrol("wang", photos.photo_bytes("biden.jpg"), handle)["outcome"] == "enrolled"
    photo = photos.photo_bytes("obama2.jpg")
    _, used = link_check(aws, "li")
    assert aws.deliver(used, photo, handle)["records"][0]["outcome"] == "verified"
    # another crew member sends the very same photo a moment later; its digest reads as unseen
    check_id, key = link_check(aws, "wang")
    with monkeypatch.context() as patch:
        stale_batches(patch, 2, {PhotoDigest: None})
        with pytest.raises(Conflict):  # the digest's conditional put cancels the transaction
            aws.deliver(key, photo, handle)
    assert (Check.get(check_id).status, Upload.get(key).status) == ("awaiting_photo", "pending")
    retried = decisions.process_upload(key)  # the event's retry reads the digest
    assert retried["outcome"] == "failed", retried
    assert any(r.startswith("face:replayed") for r in retried["reasons"]), retried
