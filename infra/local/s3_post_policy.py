"""S3's browser-based POST upload, checked as S3 checks it, before the object reaches moto.

moto stores whatever a presigned POST carries: an expired policy, a tampered signature or policy,
another key, a file of any size. `PostPolicyGuard` wraps the WSGI application of the stack's
moto server; every `multipart/form-data` POST to a bucket (a browser-based upload; no other AWS
call looks like one) is checked here first and refused the way S3 refuses it, with S3's status,
error code and XML body:

- SigV4 only (as in the China regions): `x-amz-algorithm` AWS4-HMAC-SHA256, `x-amz-credential`
  of a known access key (the stack's dummy credentials) and of the stack's region, and
  `x-amz-signature` = HMAC-SHA256 of the base64 `policy` under the key derived from the secret,
  date, region and `s3` (403 InvalidAccessKeyId / SignatureDoesNotMatch; a changed policy or
  signature never verifies);
- the policy's `expiration` (403 AccessDenied "Policy expired");
- every condition: `{"field": value}` and `["eq", "$field", value]` exact, `["starts-with",
  "$field", prefix]`, with `$bucket` the bucket posted to, field names case-insensitive
  (403 AccessDenied "Policy Condition failed: ..."); `["content-length-range", min, max]` on the
  file's size (400 EntityTooLarge / EntityTooSmall);
- every form field other than `policy`, `x-amz-signature`, `file` and `x-ignore-*` must be named
  by a condition (403 AccessDenied "Extra input fields: ...");
- exactly one file, after the fields (fields after it are ignored, as S3 does), and a `key`.

One choice of ours where S3's documentation is silent: a form field given twice is refused
(400 InvalidArgument) rather than one of its values picked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

ALGORITHM = "AWS4-HMAC-SHA256"
#: Form fields no condition has to name.
EXEMPT = frozenset({"policy", "x-amz-signature", "file"})
#: Largest POST body read for checking; larger ones are refused unread (every policy of the
#: backend is far below this).
MAX_BODY = 64 * 1024 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class S3Error(Exception):
    """An S3 error answer: HTTP status, error code, message and extra XML elements."""

    status: int
    code: str
    message: str
    extra: tuple[tuple[str, str], ...] = ()

    def body(self, request_id: str) -> bytes:
        parts = [f"<Code>{escape(self.code)}</Code>", f"<Message>{escape(self.message)}</Message>"]
        parts += [f"<{name}>{escape(value)}</{name}>" for name, value in self.extra]
        parts.append(f"<RequestId>{request_id}</RequestId>")
        parts.append(f"<HostId>{base64.b64encode(request_id.encode()).decode()}</HostId>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>"
        ).encode()


def _denied(message: str) -> S3Error:
    return S3Error(403, "AccessDenied", f"Invalid according to Policy: {message}")


def _invalid_policy(message: str) -> S3Error:
    return S3Error(400, "InvalidPolicyDocument", f"Invalid Policy: {message}")


@dataclass
class PostForm:
    """A browser-based POST: its fields in order (those before the file), and the file."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    filename: str | None = None
    file: bytes | None = None


def parse_form(body: bytes, content_type: str) -> PostForm:
    """The fields and the file of a multipart/form-data body (S3 ignores fields after the file)."""
    _, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise S3Error(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        )
    decoder = MultipartDecoder(boundary.encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    form = PostForm()
    files = 0
    current: Field | File | None = None
    chunks: list[bytes] = []
    try:
        while True:
            event = decoder.next_event()
            if isinstance(event, NeedData | Epilogue):
                break
            if isinstance(event, Field | File):
                current, chunks = event, []
            elif isinstance(event, Data):
                chunks.append(event.data)
                if event.more_data or current is None:
                    continue
                value = b"".join(chunks)
                if isinstance(current, File):
                    files += 1
                    if files == 1:
                        form.filename, form.file = current.filename, value
                elif form.file is None:
                    form.fields.append((current.name, value.decode("utf-8", "replace")))
                current = None
    except ValueError as exc:
        raise S3Error(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        ) from exc
    if files != 1:
        raise S3Error(
            400,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            (("ArgumentName", "file"), ("ArgumentValue", str(files))),
        )
    return form


def signing_key(secret: str, day: str, region: str, service: str = "s3") -> bytes:
    """SigV4's derived key: HMAC chain over the date, region, service and "aws4_request"."""
    key = f"AWS4{secret}".encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def policy_signature(secret: str, day: str, region: str, policy_b64: str) -> str:
    """The `x-amz-signature` of a POST policy (its base64 text is the string to sign)."""
    return hmac.new(
        signing_key(secret, day, region), policy_b64.encode(), hashlib.sha256
    ).hexdigest()


def _fields(form: PostForm) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in form.fields:
        lower = name.lower()
        if lower in values:
            raise S3Error(
                400,
                "InvalidArgument",
                f"The form field {name} is given more than once.",
                (("ArgumentName", name),),
            )
        values[lower] = value
    return values


def _expiration(policy: Mapping[str, Any]) -> datetime:
    raw = policy.get("expiration")
    if not isinstance(raw, str):
        raise _invalid_policy("Policy missing expiration.")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid_policy(f"Invalid 'expiration' value: '{raw}'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decode_policy(policy_b64: str) -> dict[str, Any]:
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid_policy("Invalid JSON.") from None
    if not isinstance(policy, dict):
        raise _invalid_policy("Invalid JSON.")
    return policy


def _authenticate(values: Mapping[str, str], credentials: Mapping[str, str], region: str) -> str:
    """Check the SigV4 fields and the signature; the policy's base64 text."""
    if "awsaccesskeyid" in values or "signature" in values:
        raise S3Error(
            400,
            "InvalidRequest",
            "The authorization mechanism you have provided is "
            "not supported. Please use AWS4-HMAC-SHA256.",
        )
    if "policy" not in values and "x-amz-signature" not in values:
        raise S3Error(403, "AccessDenied", "Access Denied")  # anonymous, to a private bucket
    policy_b64, signature = values.get("policy", ""), values.get("x-amz-signature", "")
    for name, value in (("policy", policy_b64), ("x-amz-signature", signature)):
        if not value:
            raise S3Error(
                400,
                "InvalidArgument",
                f"Bucket POST must contain a field named "
                f"'{name}'.  If it is specified, please check the order of the fields.",
                (("ArgumentName", name),),
            )
    if values.get("x-amz-algorithm") != ALGORITHM:
        raise S3Error(
            400,
            "InvalidArgument",
            f"the x-amz-algorithm must be {ALGORITHM}",
            (("ArgumentName", "x-amz-algorithm"),),
        )
    scope = values.get("x-amz-credential", "").split("/")
    if len(scope) != 5 or scope[3] != "s3" or scope[4] != "aws4_request":
        raise S3Error(
            400,
            "InvalidArgument",
            "the x-amz-credential is malformed",
            (("ArgumentName", "x-amz-credential"),),
        )
    access_key, day, scope_region = scope[0], scope[1], scope[2]
    secret = credentials.get(access_key)
    if secret is None:
        raise S3Error(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            (("AWSAccessKeyId", access_key),),
        )
    if scope_region != region:
        raise S3Error(
            400,
            "AuthorizationHeaderMalformed",
            f"The authorization header is "
            f"malformed; the region '{scope_region}' is wrong; expecting '{region}'",
            (("Region", region),),
        )
    expected = policy_signature(secret, day, scope_region, policy_b64)
    if not hmac.compare_digest(expected, signature.lower()):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does "
            "not match the signature you provided. Check your key and signing method.",
            (
                ("AWSAccessKeyId", access_key),
                ("StringToSign", policy_b64),
                ("SignatureProvided", signature),
            ),
        )
    return policy_b64


def _condition(condition: Any) -> tuple[str, str, str]:
    """(operator, lower-case field name, expected value) of an eq / starts-with condition."""
    if isinstance(condition, dict) and len(condition) == 1:
        [(name, expected)] = condition.items()
        return "eq", str(name).lower(), str(expected)
    if (
        isinstance(condition, list)
        and len(condition) == 3
        and str(condition[0]).lower() in ("eq", "starts-with")
        and isinstance(condition[1], str)
        and condition[1].startswith("$")
    ):
        return str(condition[0]).lower(), condition[1][1:].lower(), str(condition[2])
    raise _invalid_policy(f"Invalid Condition: {json.dumps(condition)}")


def _holds(operator: str, name: str, expected: str, actual: str) -> bool:
    if operator == "eq":
        return actual == expected
    if name == "content-type":  # S3: each of a comma-separated list must match
        return all(part.strip().startswith(expected) for part in actual.split(","))
    return actual.startswith(expected)


def _size_range(condition: list[Any]) -> tuple[int, int]:
    try:
        low, high = int(condition[1]), int(condition[2])
    except (IndexError, TypeError, ValueError):
        raise _invalid_policy(f"Invalid content-length-range: {json.dumps(condition)}") from None
    return low, high


def check(
    bucket: str,
    form: PostForm,
    *,
    credentials: Mapping[str, str],
    region: str,
    now: datetime | None = None,
) -> None:
    """Raise the `S3Error` S3 would answer this POST with; return when S3 would store it."""
    values = _fields(form)
    if "key" not in values:
        raise S3Error(
            400,
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  "
            "If it is specified, please check the order of the fields.",
            (("ArgumentName", "key"),),
        )
    policy = _decode_policy(_authenticate(values, credentials, region))
    if (now or datetime.now(UTC)) >= _expiration(policy):
        raise _denied("Policy expired.")
    conditions = policy.get("conditions")
    if not isinstance(conditions, list):
        raise _invalid_policy("Policy missing conditions.")
    actual = {**values, "bucket": bucket}
    covered: set[str] = set()
    sizes: list[tuple[int, int]] = []
    for condition in conditions:
        if isinstance(condition, list) and condition and condition[0] == "content-length-range":
            sizes.append(_size_range(condition))
            continue
        operator, name, expected = _condition(condition)
        covered.add(name)
        if not _holds(operator, name, expected, actual.get(name, "")):
            raise _denied(f"Policy Condition failed: {json.dumps(condition)}")
    extra = [
        name
        for name, _ in form.fields
        if name.lower() not in covered
        and name.lower() not in EXEMPT
        and not name.lower().startswith("x-ignore-")
    ]
    if extra:
        raise _denied(f"Extra input fields: {', '.join(extra)}")
    size = len(form.file or b"")
    for low, high in sizes:
        if size > high:
            raise S3Error(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                (("ProposedSize", str(size)), ("MaxSizeAllowed", str(high))),
            )
        if size < low:
            raise S3Error(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                (("ProposedSize", str(size)), ("MinSizeAllowed", str(low))),
            )


def _bucket_of(environ: Mapping[str, Any]) -> str | None:
    """The bucket a POST is addressed to: path style `/<bucket>`, or the host's first label."""
    segments = [s for s in str(environ.get("PATH_INFO") or "/").split("/") if s]
    if len(segments) == 1:
        return segments[0]
    if segments:
        return None  # a POST to an object (multipart upload calls): not a browser upload
    host = str(environ.get("HTTP_HOST") or "").split(":")[0]
    label, _, rest = host.partition(".")
    return label if rest and not host.replace(".", "").isdigit() else None


class PostPolicyGuard:
    """WSGI middleware: browser-based POST uploads are checked by `check`; everything else, and
    every upload S3 would accept, goes on to the wrapped application unchanged."""

    def __init__(self, app: WsgiApp, *, credentials: Mapping[str, str], region: str) -> None:
        self.app = app
        self.credentials = dict(credentials)
        self.region = region
        self.refused: list[tuple[str, S3Error]] = []  # (bucket, error), for tests and logs
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        content_type = str(environ.get("CONTENT_TYPE") or "")
        bucket = _bucket_of(environ)
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or not content_type.lower().startswith("multipart/form-data")
            or environ.get("QUERY_STRING")
            or bucket is None
        ):
            return self.app(environ, start_response)
        try:
            body = self._read_body(environ)
            check(
                bucket,
                parse_form(body, content_type),
                credentials=self.credentials,
                region=self.region,
            )
        except S3Error as error:
            with self._lock:
                self.refused.append((bucket, error))
            return self._answer(error, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    @staticmethod
    def _read_body(environ: Mapping[str, Any]) -> bytes:
        raw = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not raw.isdigit():
            raise S3Error(
                411, "MissingContentLength", "You must provide the Content-Length HTTP header."
            )
        length = int(raw)
        if length > MAX_BODY:
            raise S3Error(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                (("ProposedSize", str(length)), ("MaxSizeAllowed", str(MAX_BODY))),
            )
        body: bytes = environ["wsgi.input"].read(length)
        return body

    @staticmethod
    def _answer(error: S3Error, start_response: StartResponse) -> list[bytes]:
        request_id = secrets.token_hex(8).upper()
        body = error.body(request_id)
        start_response(
            f"{error.status} {_REASONS.get(error.status, 'Error')}",
            [
                ("Content-Type", "application/xml"),
                ("Content-Length", str(len(body))),
                ("x-amz-request-id", request_id),
            ],
        )
        return [body]


_REASONS = {400: "Bad Request", 403: "Forbidden", 411: "Length Required"}


def install(server: Any, *, credentials: Mapping[str, str], region: str) -> PostPolicyGuard:
    """Put a guard in front of a started `ThreadedMotoServer`'s application (the werkzeug server
    looks its application up on every request, so requests from now on go through it)."""
    wsgi_server = server._server
    if wsgi_server is None:
        raise RuntimeError("start the moto server before guarding it")
    guard = PostPolicyGuard(wsgi_server.app, credentials=credentials, region=region)
    wsgi_server.app = guard
    return guard
