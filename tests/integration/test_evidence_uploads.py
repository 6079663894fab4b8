"""Evidence that cannot be replaced, over real HTTP on the local stack.

A presigned upload is checked as S3 checks it (the local stack enforces the POST policy before
the object reaches moto); a grant posted again after its decision adds an object version that is
refused and deleted while the record, its link and its audit entry keep the first photo's
version; accepted evidence is under Object Lock; an event for an object that is gone, and a
photo that declares too many pixels, are handled without errors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from enforcement.auth import Role

from tests import photos
from tests.integration.client import Client, officer_session, upload, wait_for

pytestmark = pytest.mark.slow

JURISDICTION = f"j-zhifu-{secrets.token_hex(3)}"  # this module's own
SCENE = {"lat": 37.5395, "lon": 121.3520, "accuracy_m": 6}


@pytest.fixture(scope="module")
def reporter(stack: Any) -> Client:
    """A traffic officer of an agency of its own, who reports hazards with photos."""
    suffix = secrets.token_hex(3)
    return officer_session(
        stack.api_url,
        f"ev{suffix}",
        role=Role.OFFICER,
        agency=f"traffic-ev-{suffix}",
        jurisdiction=JURISDICTION,
        name="赵证据",
    )


def report(reporter: Client, photos_count: int = 1) -> dict[str, Any]:
    return reporter.post(
        "/duty/hazards",
        {
            "kind": "road_hazard",
            "description": "路面散落货物",
            "gps": SCENE,
            "photos": photos_count,
        },
    )


def post(
    grant: dict[str, Any],
    content: bytes,
    *,
    fields: dict[str, str] | None = None,
    url: str | None = None,
) -> requests.Response:
    """A browser-based POST of `content` with the grant's fields (or the ones given)."""
    return requests.post(
        url or grant["url"],
        data=grant["fields"] if fields is None else fields,
        files={grant.get("file_field", "file"): ("photo.jpg", content, "image/jpeg")},
        timeout=60,
    )


def versions(stack: Any, key: str) -> list[dict[str, Any]]:
    listed = stack.boto3_client("s3").list_object_versions(
        Bucket=stack.env["UPLOAD_BUCKET"], Prefix=key
    )
    return [v for v in listed.get("Versions", []) if v["Key"] == key]


def error_code(response: requests.Response) -> str:
    text = response.text
    return text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else text


def photos_of(reporter: Client, report_id: str, count: int) -> list[dict[str, Any]]:
    shown = wait_for(
        lambda: reporter.get(f"/duty/hazards/{report_id}"),
        lambda r: len(r["photos"]) >= count,
    )
    listed: list[dict[str, Any]] = shown["photos"]
    return listed


def audit_entries(target: str, action_prefix: str = "") -> list[dict[str, Any]]:
    """The audit entries about `target` whose action starts with `action_prefix`."""
    from enforcement.audit import AuditEntry

    return [
        {"action": e.action, **json.loads(e.details or "{}")}
        for e in AuditEntry.scan(AuditEntry.target == target)
        if (e.action or "").startswith(action_prefix)
    ]


def last_event(stack: Any, function: str, key: str) -> Any:
    found = [
        i
        for i in stack.invocations
        if i.function == function
        and i.event_source == "s3"
        and i.event["Records"][0]["s3"]["object"]["key"] == key
    ]
    return found[-1]


# ------------------------------------------------------------------ a grant posted again


def test_a_grant_posted_again_after_its_decision_replaces_nothing(
    stack: Any, reporter: Client
) -> None:
    hazard = report(reporter)
    grant = hazard["uploads"][0]
    key = grant["key"]
    first, second = photos.background(), photos.gradient_jpeg()
    upload(grant, first)
    [accepted] = photos_of(reporter, hazard["report_id"], 1)
    assert accepted["status"] == "accepted"
    assert accepted["sha256"] == hashlib.sha256(first).hexdigest()

    # the grant still lives, so S3 takes the second post, as it would in AWS ...
    assert post(grant, second).status_code == 204
    # ... but the record, the officer's link and the key still give the first photo
    [shown] = photos_of(reporter, hazard["report_id"], 1)
    assert {k: v for k, v in shown.items() if k != "url"} == {
        k: v for k, v in accepted.items() if k != "url"
    }
    linked = requests.get(shown["url"], timeout=30)
    assert linked.status_code == 200
    assert hashlib.sha256(linked.content).hexdigest() == accepted["sha256"]
    s3 = stack.boto3_client("s3")
    bucket = stack.env["UPLOAD_BUCKET"]
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == first
    # the record names the version it was decided on; the second one was refused and deleted
    replacement = last_event(stack, "EvidenceFunction", key)
    assert replacement.result["records"][0]["outcome"] == "replacement_refused"
    second_version = replacement.event["Records"][0]["s3"]["object"]["versionId"]
    assert second_version != accepted["version_id"]
    assert [v["VersionId"] for v in versions(stack, key)] == [accepted["version_id"]]
    assert f"versionId={accepted['version_id']}" in shown["url"]

    # the audit chain names both versions: the accepted one and the refused one
    evidence = audit_entries(f"hazard:{hazard['report_id']}", "evidence.")
    assert [(e["action"], e["version_id"], e["sha256"]) for e in evidence] == [
        ("evidence.accepted", accepted["version_id"], accepted["sha256"])
    ]
    refused = audit_entries(f"upload:{key}")
    assert [(e["action"], e["version_id"], e["decided_version_id"]) for e in refused] == [
        ("upload.replacement_refused", second_version, accepted["version_id"])
    ]

    # a re-delivered event of the refused version (new sequencer) changes nothing
    event = json.loads(json.dumps(replacement.event))
    event["Records"][0]["s3"]["object"]["sequencer"] = "00FFFFFFFFFFFFFFFF"
    again = stack.invoke("EvidenceFunction", event)
    assert again.error is None, again.payload
    assert len(audit_entries(f"upload:{key}")) == 1
    assert [v["VersionId"] for v in versions(stack, key)] == [accepted["version_id"]]


def test_the_bucket_keeps_versions_and_object_lock_without_a_default_rule(stack: Any) -> None:
    s3 = stack.boto3_client("s3")
    bucket = stack.env["UPLOAD_BUCKET"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock == {"ObjectLockEnabled": "Enabled"}  # retention only on accepted versions


def test_accepted_evidence_is_under_object_lock(stack: Any, reporter: Client) -> None:
    hazard = report(reporter)
    upload(hazard["uploads"][0], photos.background())
    [accepted] = photos_of(reporter, hazard["report_id"], 1)
    s3 = stack.boto3_client("s3")
    bucket = stack.env["UPLOAD_BUCKET"]
    key, version = accepted["key"], accepted["version_id"]
    head = s3.head_object(Bucket=bucket, Key=key, VersionId=version)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    days = (head["ObjectLockRetainUntilDate"].date() - _day(accepted["received_at"])).days
    assert days == 1825
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert [v["VersionId"] for v in versions(stack, key)] == [version]


def _day(iso: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).date()


def test_a_face_enrolment_posted_again_keeps_the_first_photo(stack: Any) -> None:
    from enforcement.checkin.models import CrewMember, FaceRecord
    from enforcement.models import Upload

    suffix = secrets.token_hex(3)
    officer = officer_session(
        stack.api_url,
        f"enr{suffix}",
        role=Role.OFFICER,
        agency=f"msa-{suffix}",
        jurisdiction=f"shanghai-{suffix}",
        name="钱",
    )
    number = "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))
    crew = officer.post("/checkin/crew", {"name": "周", "id_number": number, "certificates": []})
    crew_id = crew["crew_id"]
    grant = officer.post(f"/checkin/crew/{crew_id}/face-enrolment")["upload"]
    first = photos.photo_bytes("obama.jpg")
    upload(grant, first)
    wait_for(
        lambda: officer.get(f"/checkin/crew/{crew_id}/face-enrolment"),
        lambda r: r["face_status"] == "enrolled",
    )
    record = FaceRecord.get(f"crew#{crew_id}", consistent_read=True)
    assert record.reference_digest == hashlib.sha256(first).hexdigest()

    assert post(grant, photos.photo_bytes("biden.jpg")).status_code == 204
    s3 = stack.boto3_client("s3")
    stored = s3.get_object(Bucket=stack.env["UPLOAD_BUCKET"], Key=grant["key"])["Body"].read()
    assert stored == first  # the reference photo behind the record is still the enrolled one
    [kept] = versions(stack, grant["key"])
    assert record.reference_version == kept["VersionId"]
    assert record.reference_key == grant["key"]
    replacement = last_event(stack, "FaceFunction", grant["key"])
    assert replacement.result["records"][0]["outcome"] == "replacement_refused"
    after = FaceRecord.get(f"crew#{crew_id}", consistent_read=True)
    assert bytes(after.template) == bytes(record.template)
    assert (after.reference_version, after.reference_digest, after.enrolled_at) == (
        record.reference_version,
        record.reference_digest,
        record.enrolled_at,
    )
    assert CrewMember.get(crew_id, consistent_read=True).face_status == "enrolled"
    ticket = Upload.get(grant["key"], consistent_read=True)
    assert ticket.version_id == kept["VersionId"]
    assert ticket.sha256 == record.reference_digest
    second_version = replacement.event["Records"][0]["s3"]["object"]["versionId"]
    assert ticket.refused_versions == {second_version}
    [enrolled] = audit_entries(f"crew:{crew_id}", "face.enrolled")
    assert (enrolled["version_id"], enrolled["sha256"]) == (kept["VersionId"], ticket.sha256)


# ------------------------------------------------------------------ the POST policy


def _policy(grant: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(grant["fields"]["policy"]))
    return decoded


def _tampered_policy(grant: dict[str, Any]) -> dict[str, str]:
    """The grant's fields with the policy's size limit raised (the signature left as it was)."""
    policy = _policy(grant)
    policy["conditions"] = [
        ["content-length-range", 1, 10**9] if c[0] == "content-length-range" else c
        for c in policy["conditions"]
        if isinstance(c, list)
    ] + [c for c in policy["conditions"] if isinstance(c, dict)]
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    return {**grant["fields"], "policy": encoded}


def _resigned(stack: Any, grant: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The grant's POST made again by boto3 with other arguments (its own signer)."""
    s3 = kwargs.pop("client", None) or stack.boto3_client("s3")
    policy = _policy(grant)
    conditions = [c for c in policy["conditions"] if isinstance(c, list)]
    made: dict[str, Any] = s3.generate_presigned_post(
        stack.env["UPLOAD_BUCKET"],
        grant["key"],
        Fields={"Content-Type": "image/jpeg"},
        Conditions=conditions,
        **kwargs,
    )
    return made


@pytest.fixture
def grant(reporter: Client) -> dict[str, Any]:
    """A fresh hazard photo grant, nothing posted yet."""
    granted: dict[str, Any] = report(reporter)["uploads"][0]
    return granted


def test_the_grant_is_single_key_bounded_short_and_for_images(
    stack: Any, grant: dict[str, Any]
) -> None:
    policy = _policy(grant)
    conditions = policy["conditions"]
    assert {"key": grant["key"]} in conditions
    assert {"bucket": stack.env["UPLOAD_BUCKET"]} in conditions
    assert ["content-length-range", 1, int(stack.env["UPLOAD_MAX_BYTES"])] in conditions
    assert ["starts-with", "$Content-Type", "image/"] in conditions
    assert grant["fields"]["Content-Type"] == "image/jpeg"
    assert policy["expiration"][:19] == grant["expires_at"][:19]


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("expired", 403, "AccessDenied"),
        ("tampered-signature", 403, "SignatureDoesNotMatch"),
        ("tampered-policy", 403, "SignatureDoesNotMatch"),
        ("wrong-key", 403, "AccessDenied"),
        ("over-size", 400, "EntityTooLarge"),
        ("under-size", 400, "EntityTooSmall"),
        ("not-an-image-type", 403, "AccessDenied"),
        ("extra-field", 403, "AccessDenied"),
        ("other-bucket", 403, "AccessDenied"),
        ("unknown-access-key", 403, "InvalidAccessKeyId"),
        ("no-policy", 403, "AccessDenied"),
    ],
)
def test_s3_refuses_a_post_outside_its_policy(
    stack: Any, grant: dict[str, Any], case: str, status: int, code: str
) -> None:
    import boto3
    from botocore.config import Config

    photo = photos.background()
    fields = dict(grant["fields"])
    url, key = grant["url"], grant["key"]
    other_key = f"{key}-other"
    if case == "expired":
        fields = _resigned(stack, grant, ExpiresIn=-60)["fields"]
    elif case == "tampered-signature":
        signature = fields["x-amz-signature"]
        fields["x-amz-signature"] = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    elif case == "tampered-policy":
        fields = _tampered_policy(grant)
        photo = b"\xff\xd8\xff" + b"\0" * int(stack.env["UPLOAD_MAX_BYTES"])
    elif case == "wrong-key":
        fields["key"] = other_key
    elif case == "over-size":
        photo = b"\xff\xd8\xff" + b"\0" * int(stack.env["UPLOAD_MAX_BYTES"])
    elif case == "under-size":
        photo = b""
    elif case == "not-an-image-type":
        fields["Content-Type"] = "text/html"
    elif case == "extra-field":
        fields["x-amz-meta-note"] = "added by the client"
    elif case == "other-bucket":
        other = f"other-{secrets.token_hex(4)}"
        stack.boto3_client("s3").create_bucket(
            Bucket=other, CreateBucketConfiguration={"LocationConstraint": stack.region}
        )
        url = url.rsplit("/", 1)[0] + "/" + other
    elif case == "unknown-access-key":
        stranger = boto3.client(
            "s3",
            region_name=stack.region,
            endpoint_url=stack.moto_url,
            aws_access_key_id="AKIDSTRANGER",
            aws_secret_access_key="not-the-stack-secret",
            config=Config(signature_version="s3v4"),
        )
        fields = _resigned(stack, grant, client=stranger, ExpiresIn=60)["fields"]
    elif case == "no-policy":
        fields = {"key": key, "Content-Type": "image/jpeg"}
    since = len(stack.invocations)
    answer = post(grant, photo, fields=fields, url=url)
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/xml"
    assert error_code(answer) == code
    assert versions(stack, key) == []
    assert versions(stack, other_key) == []
    assert [i for i in stack.invocations[since:] if i.event_source == "s3"] == []


def test_the_refusals_answer_as_s3_does(stack: Any, grant: dict[str, Any]) -> None:
    fields = _resigned(stack, grant, ExpiresIn=-60)["fields"]
    expired = post(grant, photos.background(), fields=fields)
    assert "<Message>Invalid according to Policy: Policy expired.</Message>" in expired.text
    big = b"\xff\xd8\xff" + b"\0" * int(stack.env["UPLOAD_MAX_BYTES"])
    too_large = post(grant, big)
    assert f"<ProposedSize>{len(big)}</ProposedSize>" in too_large.text
    assert f"<MaxSizeAllowed>{stack.env['UPLOAD_MAX_BYTES']}</MaxSizeAllowed>" in too_large.text
    wrong_key = post(grant, photos.background(), fields={**grant["fields"], "key": "evidence/x"})
    assert "Policy Condition failed: " in wrong_key.text
    assert json.dumps({"key": grant["key"]}) in wrong_key.text.replace("&quot;", '"')
    # what passes the policy is stored, once
    assert post(grant, photos.background()).status_code == 204
    assert len(versions(stack, grant["key"])) == 1


# ------------------------------------------------------------------ events and bounds


@pytest.mark.parametrize("named_version", [True, False], ids=["version-named", "no-version"])
def test_an_event_for_a_missing_object_changes_nothing(
    stack: Any, reporter: Client, named_version: bool
) -> None:
    from enforcement.models import Upload

    hazard = report(reporter)
    key = hazard["uploads"][0]["key"]
    event = _s3_event(stack, key, "11111111-2222-3333-4444-555555555555" if named_version else None)
    for sequencer in ("0000000000000001", "0000000000000002"):  # delivered, then re-delivered
        event["Records"][0]["s3"]["object"]["sequencer"] = sequencer
        result = stack.invoke("EvidenceFunction", event)
        assert result.error is None, result.payload
        assert result.payload["records"][0]["outcome"] == "object_missing"
    assert Upload.get(key, consistent_read=True).status == "pending"
    assert reporter.get(f"/duty/hazards/{hazard['report_id']}")["photos"] == []
    assert audit_entries(f"hazard:{hazard['report_id']}", "evidence.") == []
    # the grant still works: the photo posted now is decided
    upload(hazard["uploads"][0], photos.background())
    [accepted] = photos_of(reporter, hazard["report_id"], 1)
    assert accepted["status"] == "accepted"


def test_a_face_event_for_a_missing_object_changes_nothing(stack: Any) -> None:
    from enforcement.checkin.models import CrewMember
    from enforcement.models import Upload

    suffix = secrets.token_hex(3)
    officer = officer_session(
        stack.api_url,
        f"mis{suffix}",
        role=Role.OFFICER,
        agency=f"msa-{suffix}",
        jurisdiction=f"shanghai-{suffix}",
        name="孙",
    )
    number = "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))
    crew = officer.post("/checkin/crew", {"name": "吴", "id_number": number, "certificates": []})
    grant = officer.post(f"/checkin/crew/{crew['crew_id']}/face-enrolment")["upload"]
    event = _s3_event(stack, grant["key"], None)
    for sequencer in ("0000000000000001", "0000000000000002"):
        event["Records"][0]["s3"]["object"]["sequencer"] = sequencer
        result = stack.invoke("FaceFunction", event)
        assert result.error is None, result.payload
        assert result.payload["records"][0]["outcome"] == "object_missing"
    assert Upload.get(grant["key"], consistent_read=True).status == "pending"
    assert CrewMember.get(crew["crew_id"], consistent_read=True).face_status == "pending"


def _s3_event(stack: Any, key: str, version: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": key, "size": 1234, "eTag": "0" * 32, "sequencer": "0"}
    if version is not None:
        obj["versionId"] = version
    bucket = stack.env["UPLOAD_BUCKET"]
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": stack.region,
                "eventTime": "2026-01-01T00:00:00.000Z",
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "EvidenceUploaded",
                    "bucket": {"name": bucket, "arn": f"arn:aws-cn:s3:::{bucket}"},
                    "object": obj,
                },
            }
        ]
    }


def test_a_blank_120_megapixel_png_is_refused_from_its_header(stack: Any, reporter: Client) -> None:
    hazard = report(reporter)
    blank = photos.bomb_png(12_000, 10_000)  # ~15 kB that would decode to 120 MP
    upload(hazard["uploads"][0], blank)
    [refused] = photos_of(reporter, hazard["report_id"], 1)
    assert (refused["status"], refused["code"]) == ("rejected", "image_too_many_pixels")
    assert versions(stack, refused["key"]) == []  # refused photos are deleted, version and all


@pytest.mark.parametrize("step", ["retain", "discard"])
def test_a_redelivery_finishes_what_a_stopped_delivery_left_undone(
    stack: Any, reporter: Client, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """The decision is committed, then the function stops before it locks the accepted version
    (or deletes the refused one); S3's retry of the event finishes the job."""
    from enforcement import uploads

    hazard = report(reporter)
    grant = hazard["uploads"][0]
    original = getattr(uploads, step)

    def stopped(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the function stopped here")

    monkeypatch.setattr(uploads, step, stopped)
    upload(grant, photos.background() if step == "retain" else photos.garbage())
    first = last_event(stack, "EvidenceFunction", grant["key"])
    assert first.error is not None  # Lambda retries an event whose invocation failed
    [decided] = photos_of(reporter, hazard["report_id"], 1)
    [left] = versions(stack, grant["key"])
    monkeypatch.setattr(uploads, step, original)

    event = json.loads(json.dumps(first.event))
    event["Records"][0]["s3"]["object"]["sequencer"] = "00EEEEEEEEEEEEEEEE"
    again = stack.invoke("EvidenceFunction", event)
    assert again.error is None, again.payload
    assert again.payload["records"][0]["outcome"] == "already_processed"
    s3 = stack.boto3_client("s3")
    if step == "retain":
        assert decided["status"] == "accepted"
        head = s3.head_object(
            Bucket=stack.env["UPLOAD_BUCKET"], Key=grant["key"], VersionId=left["VersionId"]
        )
        assert head["ObjectLockMode"] == "GOVERNANCE"
    else:
        assert (decided["status"], decided["code"]) == ("rejected", "image_unreadable")
        assert versions(stack, grant["key"]) == []
    [after] = photos_of(reporter, hazard["report_id"], 1)  # the record is as decided
    assert {k: v for k, v in after.items() if k != "url"} == {
        k: v for k, v in decided.items() if k != "url"
    }
