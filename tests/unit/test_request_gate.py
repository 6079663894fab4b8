"""The order in which every API function judges a request, and the errors its document names.

A resolver made by enforcement.http.make_resolver, with a secured and a public route, answers
API Gateway events in-process (the signing key is patched in).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Router
from enforcement import auth
from enforcement.auth import Principal, Role
from enforcement.http import SECURED, caller, make_resolver
from enforcement.schemas import Line, Strict, Whole
from openapi_spec_validator import validate
from pydantic import Field

KEY = "k" * 64


class ThingIn(Strict):
    name: Annotated[Line, Field(min_length=1, max_length=20)]
    count: Whole


router = Router()


@router.post("/things", summary="A secured route with a body", security=SECURED)
def create_thing(body: ThingIn) -> dict[str, Any]:
    return {"by": caller(router).account_id, "name": body.name}


@router.post("/open", summary="A public route with a body")
def open_route(body: ThingIn) -> dict[str, Any]:
    return {"name": body.name}


@router.get("/things/<thing_id>", summary="A secured route without a body", security=SECURED)
def get_thing(thing_id: str) -> dict[str, Any]:
    return {"id": thing_id, "by": caller(router).account_id}


app = make_resolver("Test API")
app.include_router(router)


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "signing_key", lambda: KEY)


def token() -> str:
    return auth.issue_token(Principal("off-zhang", Role.OFFICER, "msa", "shanghai"))[0]


def call(
    method: str,
    path: str,
    body: str | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> tuple[int, dict[str, Any]]:
    pairs = headers or []
    single = {name: value for name, value in pairs}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    event = {
        "httpMethod": method,
        "path": path,
        "resource": path,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"stage": "Prod", "requestId": "r-1"},
        "body": body,
        "isBase64Encoded": False,
    }
    answer = app.resolve(event, None)
    return answer["statusCode"], json.loads(answer["body"])


JSON = ("Content-Type", "application/json")


def bearer(value: str | None = None) -> tuple[str, str]:
    return ("Authorization", f"Bearer {value or token()}")


def test_an_anonymous_caller_gets_401_before_the_body_is_judged() -> None:
    for body, content_type in [
        ("{}", "application/json"),
        ('{"name": 1}', "application/json"),
        ("[" * 1000 + "]" * 1000, "application/json"),
        ("name=x", "text/plain"),
    ]:
        status, answer = call("POST", "/things", body, [("Content-Type", content_type)])
        assert (status, answer["code"]) == (401, "token_missing"), body[:20]
        assert "details" not in answer  # nothing of the schema is told


def test_an_authenticated_caller_gets_the_body_checks_in_order() -> None:
    assert call("POST", "/things", "x=1", [bearer(), ("Content-Type", "text/plain")])[0] == 415
    status, answer = call("POST", "/things", "[" * 1000 + "]" * 1000, [bearer(), JSON])
    assert (status, answer["code"]) == (400, "json_too_deep")
    status, answer = call("POST", "/things", '{"name": "a", "count": 1' + "0" * 5000 + "}", [
        bearer(), JSON])  # fmt: skip
    assert (status, answer["code"]) == (422, "number_out_of_range")
    status, answer = call("POST", "/things", "{}", [bearer(), JSON])
    assert (status, answer["code"]) == (422, "validation_failed")
    status, answer = call("POST", "/things", '{"name": "李明", "count": 2}', [bearer(), JSON])
    assert (status, answer) == (200, {"by": "off-zhang", "name": "李明"})


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"name": "a", "count": 1}', "text/plain", 415, "unsupported_media_type"),
        ("name=a&count=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("--x\r\n\r\n--x--", "multipart/form-data", 415, "unsupported_media_type"),
        ('{"name": "a", "count": 1}', "application/json; charset=utf-8", 200, None),
        ("[" * 1000 + "]" * 1000, "application/json", 400, "json_too_deep"),
        ('{"name": "a", "count": ' + "9" * 4301 + "}", "application/json", 422,
         "number_out_of_range"),
        ('{"name": "a", "count": 1e-200}', "application/json", 422, "number_out_of_range"),
        ('{"name": "\\ud800", "count": 1}', "application/json", 400, "invalid_text"),
        ('{"name": "a", "count": NaN}', "application/json", 400, "invalid_json"),
        ("{not json", "application/json", 400, "invalid_json"),
        ('{"name": "\\u200b", "count": 1}', "application/json", 422, "validation_failed"),
        ('{"name": "a", "count": "1"}', "application/json", 422, "validation_failed"),
    ],
)  # fmt: skip
def test_hostile_bodies_on_a_public_route_get_4xx_with_a_code(
    body: str, content_type: str, status: int, code: str | None
) -> None:
    answered, answer = call("POST", "/open", body, [("Content-Type", content_type)])
    assert answered == status
    if code is not None:
        assert answer["code"] == code
        assert answer["message"]


def test_a_repeated_authorization_header_is_refused_not_guessed() -> None:
    status, answer = call("GET", "/things/t-1", None, [bearer(), bearer("forged.token.x")])
    assert (status, answer["code"]) == (400, "repeated_header")
    status, answer = call("GET", "/things/t-1", None, [bearer(), ("authorization", "Bearer x")])
    assert (status, answer["code"]) == (400, "repeated_header")
    assert call("GET", "/things/t-1", None, [bearer()])[0] == 200


def test_every_operation_documents_its_errors_with_the_one_error_schema() -> None:
    document = json.loads(app.get_openapi_json_schema())
    validate(document)
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["code", "message"]
    assert "HTTPValidationError" not in json.dumps(document)
    expected = {
        ("/things", "post"): {"400", "401", "403", "404", "409", "413", "415", "422", "500", "502"},
        ("/open", "post"): {"400", "409", "413", "415", "422", "500", "502"},
        ("/things/{thing_id}", "get"): {"400", "401", "403", "404", "422", "500", "502"},
    }
    for (path, method), statuses in expected.items():
        responses = document["paths"][path][method]["responses"]
        errors = {status for status in responses if not status.startswith("2")}
        assert errors == statuses, (path, method)
        for status in errors:
            content = responses[status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}
