"""The local stack's check of browser-based POST uploads (infra/local/s3_post_policy.py) against
policies boto3 signs, without a server: the edges the HTTP tests do not reach."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config

from infra.local.s3_post_policy import PostForm, S3Error, check, parse_form, policy_signature

REGION = "cn-north-1"
CREDENTIALS = {"testing": "testing-secret"}
BUCKET = "enforcement-local-uploads"
KEY = "evidence/hazard/hz-1/abc"


def grant(**kwargs: Any) -> dict[str, Any]:
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing-secret",
        config=Config(signature_version="s3v4"),
    )
    made: dict[str, Any] = s3.generate_presigned_post(
        BUCKET,
        KEY,
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[["content-length-range", 1, 100], ["starts-with", "$Content-Type", "image/"]],
        ExpiresIn=kwargs.pop("expires", 300),
        **kwargs,
    )
    return made


def form(fields: dict[str, str], file: bytes | None = b"photo", **extra: str) -> PostForm:
    return PostForm(list({**fields, **extra}.items()), "photo.jpg", file)


def refusal(post: PostForm, bucket: str = BUCKET) -> S3Error:
    with pytest.raises(S3Error) as refused:
        check(bucket, post, credentials=CREDENTIALS, region=REGION)
    return refused.value


def test_what_boto3_signs_passes() -> None:
    check(BUCKET, form(grant()["fields"]), credentials=CREDENTIALS, region=REGION)


def test_x_ignore_fields_need_no_condition_but_others_do() -> None:
    fields = grant()["fields"]
    check(BUCKET, form(fields, **{"x-ignore-note": "x"}), credentials=CREDENTIALS, region=REGION)
    extra = refusal(form(fields, acl="public-read"))
    assert (extra.status, extra.code) == (403, "AccessDenied")
    assert extra.message == "Invalid according to Policy: Extra input fields: acl"


def test_field_names_are_case_insensitive_and_a_repeated_field_is_refused() -> None:
    fields = grant()["fields"]
    renamed = {("content-type" if k == "Content-Type" else k): v for k, v in fields.items()}
    check(BUCKET, form(renamed), credentials=CREDENTIALS, region=REGION)
    twice = PostForm([*fields.items(), ("KEY", KEY)], "photo.jpg", b"photo")
    assert refusal(twice).code == "InvalidArgument"


def test_every_content_type_of_a_list_must_match() -> None:
    fields = grant()["fields"]
    assert refusal(form(fields, **{"Content-Type": "image/jpeg, text/html"})).status == 403


def test_fields_after_the_file_are_ignored_and_one_file_is_required() -> None:
    fields = grant()["fields"]
    boundary = "b0undary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\nphoto\r\n"
    )
    late = f'--{boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nevidence/other\r\n'
    body = "".join(parts) + late + f"--{boundary}--\r\n"
    parsed = parse_form(body.encode(), f"multipart/form-data; boundary={boundary}")
    assert dict(parsed.fields)["key"] == KEY
    assert parsed.file == b"photo"
    check(BUCKET, parsed, credentials=CREDENTIALS, region=REGION)
    no_file = "".join(parts[:-1]) + f"--{boundary}--\r\n"
    with pytest.raises(S3Error) as refused:
        parse_form(no_file.encode(), f"multipart/form-data; boundary={boundary}")
    assert (refused.value.status, refused.value.code) == (400, "InvalidArgument")


def test_a_policy_that_is_not_json_is_invalid() -> None:
    fields = dict(grant()["fields"])
    day = fields["x-amz-credential"].split("/")[1]
    bogus = base64.b64encode(b"not json").decode()
    fields["policy"] = bogus
    fields["x-amz-signature"] = policy_signature("testing-secret", day, REGION, bogus)
    error = refusal(form(fields))
    assert (error.status, error.code) == (400, "InvalidPolicyDocument")


def test_another_region_and_signature_v2_are_refused() -> None:
    fields = grant()["fields"]
    other = dict(fields)
    other["x-amz-credential"] = other["x-amz-credential"].replace(REGION, "us-east-1")
    assert refusal(form(other)).code == "AuthorizationHeaderMalformed"
    v2 = {"key": KEY, "AWSAccessKeyId": "testing", "policy": fields["policy"], "signature": "x"}
    assert refusal(form(v2)).code == "InvalidRequest"


def test_expiry_is_checked_against_the_clock() -> None:
    made = grant()
    expires = datetime.fromisoformat(
        json.loads(base64.b64decode(made["fields"]["policy"]))["expiration"].replace("Z", "+00:00")
    )
    before = expires - timedelta(seconds=1)
    check(BUCKET, form(made["fields"]), credentials=CREDENTIALS, region=REGION, now=before)
    with pytest.raises(S3Error) as expired:
        check(BUCKET, form(made["fields"]), credentials=CREDENTIALS, region=REGION, now=expires)
    assert expired.value.message == "Invalid according to Policy: Policy expired."
    assert datetime.now(UTC) < expires


def test_the_error_body_is_s3_xml() -> None:
    error = refusal(form(grant()["fields"], file=b"x" * 101))
    body = error.body("REQ1").decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge')
    assert "<ProposedSize>101</ProposedSize><MaxSizeAllowed>100</MaxSizeAllowed>" in body
    assert "<RequestId>REQ1</RequestId>" in body
