"""Hostile and careless requests over real HTTP: every answer a 4xx with `code` and `message`.

A corpus of bodies (depth, size, types, Unicode, numbers, dates), content types and headers is
sent to JSON routes, anonymous ones included, with and without a token. Nothing may answer 5xx,
nothing may answer without a machine-readable code. The headline cases also check their exact
answer, and what must not have changed in the store.
"""

from __future__ import annotations

import http.client
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from enforcement.auth import Role

from tests.integration.client import Client, officer_session

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000

#: (name, body as sent, content type)
BODIES: list[tuple[str, bytes, str | None]] = [
    ("deep array", DEEP.encode(), "application/json"),
    ("deep object", DEEP_OBJECT.encode(), "application/json"),
    ("deep inside a field", ('{"name":' + DEEP + "}").encode(), "application/json"),
    ("unclosed deep", b"[" * 60_000, "application/json"),
    ("over the size limit", b'{"name":"' + b"x" * 200_000 + b'"}', "application/json"),
    ("not json", b"{not json", "application/json"),
    ("empty object", b"{}", "application/json"),
    ("array", b"[]", "application/json"),
    ("string", b'"hello"', "application/json"),
    ("number", b"42", "application/json"),
    ("null", b"null", "application/json"),
    ("true", b"true", "application/json"),
    ("4301-digit integer", b'{"lat":' + b"1" * 4301 + b"}", "application/json"),
    ("39-digit integer", b'{"count":' + b"9" * 39 + b"}", "application/json"),
    ("tiny number", b'{"lat":1e-200,"lon":121.5,"accuracy_m":5}', "application/json"),
    ("huge number", b'{"lat":1e400}', "application/json"),
    ("NaN", b'{"lat":NaN}', "application/json"),
    ("Infinity", b'{"lat":-Infinity}', "application/json"),
    ("lone surrogate", b'{"name":"\\ud800"}', "application/json"),
    ("lone surrogate key", b'{"\\udfff":1}', "application/json"),
    ("invalid utf-8", b'{"name":"\xff\xfe"}', "application/json"),
    ("utf-16 body", '{"name":"x"}'.encode("utf-16"), "application/json; charset=utf-16"),
    ("NUL in text", b'{"name":"a\\u0000b"}', "application/json"),
    ("text/plain", b'{"username":"abc","password":"x"}', "text/plain"),
    ("xml", b"<a/>", "application/xml"),
    ("form", b"username=abc&password=x", "application/x-www-form-urlencoded"),
    ("multipart without boundary", b"--x--", "multipart/form-data"),
    ("multipart", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
     "multipart/form-data; boundary=x"),
    ("no content type", b'{"username":"abc","password":"x"}', None),
    ("octet stream", b"\x00\x01\x02", "application/octet-stream"),
]  # fmt: skip

ROUTES = [
    ("POST", "/auth/officer/login"),
    ("POST", "/auth/miniprogram/login"),
    ("POST", "/public/verify"),
    ("POST", "/checkin/vessels"),
    ("POST", "/checkin/crew"),
    ("PUT", "/checkin/vessels/413000001/position"),
    ("POST", "/checkin/checks"),
    ("PUT", "/duty/areas/east-1"),
    ("POST", "/duty/hazards"),
    ("POST", "/dispatch/risk-models/m1/versions"),
]


class Callers:
    def __init__(self, stack: Any) -> None:
        suffix = secrets.token_hex(3)
        self.url = stack.api_url
        self.jurisdiction = f"hx-{suffix}"
        self.admin = officer_session(
            stack.api_url, f"hxadm{suffix}", role=Role.ADMIN, agency=f"hx{suffix}",
            jurisdiction=self.jurisdiction, name="管理员",
        )  # fmt: skip
        self.officer = officer_session(
            stack.api_url, f"hxoff{suffix}", role=Role.OFFICER, agency=f"hx{suffix}",
            jurisdiction=self.jurisdiction, name="张伟",
        )  # fmt: skip
        self.anon = Client(stack.api_url)


@pytest.fixture(scope="module")
def callers(stack: Any) -> Callers:
    return Callers(stack)


def assert_clear_refusal(response: requests.Response | Any, status: int | None = None) -> dict:
    """A 4xx (the given one, if any) whose JSON body has a `code` and a `message`."""
    body = response.json()
    got = response.status_code if hasattr(response, "status_code") else response.status
    assert 400 <= got < 500, (got, body)
    assert isinstance(body.get("code"), str), body
    assert body["code"]
    assert isinstance(body.get("message"), str), body
    assert body["message"]
    if status is not None:
        assert got == status, body
    return dict(body)


def send(
    callers: Callers,
    method: str,
    path: str,
    body: bytes | None,
    content_type: str | None,
    token: str | None,
) -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    session = requests.Session()
    prepared = requests.Request(method, callers.url + path, data=body, headers=headers).prepare()
    if content_type is None:
        prepared.headers.pop("Content-Type", None)
    return session.send(prepared, timeout=60)


def corpus() -> Iterator[Any]:
    for name, body, content_type in BODIES:
        yield pytest.param(body, content_type, id=name)


@pytest.mark.parametrize(("body", "content_type"), corpus())
def test_every_hostile_body_gets_a_4xx_with_code_on_every_json_route(
    callers: Callers, body: bytes, content_type: str | None
) -> None:
    for method, path in ROUTES:
        for token in (None, callers.officer.token, callers.admin.token):
            response = send(callers, method, path, body, content_type, token)
            assert response.status_code < 500, (method, path, response.text[:300])
            assert_clear_refusal(response)


def test_the_headline_cases_get_their_exact_answers(callers: Callers) -> None:
    login = "/auth/officer/login"
    deep = send(callers, "POST", login, DEEP.encode(), "application/json", None)
    assert assert_clear_refusal(deep, 400)["code"] == "json_too_deep"
    plain = send(callers, "POST", login, b'{"username":"abc"}', "text/plain", None)
    assert assert_clear_refusal(plain, 415)["code"] == "unsupported_media_type"
    big = send(
        callers, "POST", login, b'{"username":' + b"1" * 4301 + b"}", "application/json", None
    )
    assert assert_clear_refusal(big, 422)["code"] == "number_out_of_range"
    anonymous = callers.anon.call("POST", "/checkin/vessels", {"mmsi": 1})
    assert assert_clear_refusal(anonymous, 401)["code"] == "token_missing"
    assert "details" not in anonymous.json()


def test_a_repeated_authorization_header_is_refused(callers: Callers) -> None:
    split = urlsplit(callers.url)
    connection = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=30)
    connection.putrequest("GET", "/auth/me")
    connection.putheader("Authorization", f"Bearer {callers.officer.token}")
    connection.putheader("Authorization", f"Bearer {callers.admin.token}")
    connection.endheaders()
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 400, body
    assert body["code"] == "repeated_header"


def vessel(callers: Callers) -> str:
    mmsi = "46" + "".join(secrets.choice("0123456789") for _ in range(7))
    callers.officer.post(
        "/checkin/vessels",
        {
            "mmsi": mmsi,
            "name_zh": f"海巡{mmsi[-4:]}",
            "home_port": "宁波",
            "length_m": 50,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "C"}
            ],
        },
    )
    return mmsi


def test_strict_coordinates_and_numbers_dynamodb_cannot_store(callers: Callers) -> None:
    mmsi = vessel(callers)
    path = f"/checkin/vessels/{mmsi}/position"
    for lat in ("31", True, "31.5"):
        refused = callers.officer.call("PUT", path, {"lat": lat, "lon": 121.5})
        assert assert_clear_refusal(refused, 422)["code"] == "validation_failed"
    tiny = callers.officer.call(
        "PUT",
        path,
        data='{"lat": 1e-200, "lon": 121.5}',
        headers={"Content-Type": "application/json"},
    )
    assert assert_clear_refusal(tiny, 422)["code"] == "number_out_of_range"
    assert callers.officer.get(f"/checkin/vessels/{mmsi}")["position"] is None
    callers.officer.put(path, {"lat": 31, "lon": 121})  # integers are numbers


def test_an_old_or_absurd_position_never_replaces_the_current_fix(callers: Callers) -> None:
    mmsi = vessel(callers)
    path = f"/checkin/vessels/{mmsi}/position"
    now = datetime.now(UTC)
    callers.officer.put(path, {"lat": 30.0, "lon": 122.0, "reported_at": now.isoformat()})
    for at, status, code in [
        ("0001-01-01T00:00:00Z", 422, "position_too_old"),
        ((now + timedelta(hours=2)).isoformat(), 422, "position_in_future"),
        ((now - timedelta(minutes=10)).isoformat(), 409, "position_not_newer"),
    ]:
        refused = callers.officer.call("PUT", path, {"lat": 1.0, "lon": 1.0, "reported_at": at})
        assert assert_clear_refusal(refused, status)["code"] == code
    position = callers.officer.get(f"/checkin/vessels/{mmsi}")["position"]
    assert (position["lat"], position["lon"]) == (30.0, 122.0)
    newer = (now + timedelta(seconds=5)).isoformat()
    moved = callers.officer.put(path, {"lat": 30.5, "lon": 122.5, "reported_at": newer})
    assert moved["position"]["lat"] == 30.5


@pytest.mark.parametrize("day", ["2026-02-30", "0000-00-00", "2026-13-01", "0001-01-01"])
def test_impossible_dates_in_queries_and_paths_are_refused(callers: Callers, day: str) -> None:
    tasks = callers.officer.call("GET", "/duty/me/tasks", params={"date": day})
    assert assert_clear_refusal(tasks, 422)["code"] == "validation_failed"
    board = callers.admin.call("GET", f"/duty/days/{day}")
    assert assert_clear_refusal(board, 422)["code"] == "validation_failed"


def test_certificates_issued_after_expiry_and_invisible_names_are_not_stored(
    callers: Callers,
) -> None:
    def crew(name: str, certificate: dict[str, Any]) -> requests.Response:
        number = "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))
        body = {"name": name, "id_number": number, "certificates": [certificate]}
        return callers.officer.call("POST", "/checkin/crew", body)

    certificate = {"number": "M-77001", "type": "master", "grade": "B", "expires_on": "2030-01-01"}
    backwards = crew("李明", {**certificate, "issued_on": "2031-01-01"})
    assert assert_clear_refusal(backwards, 422)["code"] == "validation_failed"
    for name in ("\u200b\u200b", "\u200d", "李\u202e明", "\u2066admin\u2069", "\u3164", "a\x00b"):
        refused = crew(name, certificate)
        assert assert_clear_refusal(refused, 422)["code"] == "validation_failed", name
    stored = crew("李明", {**certificate, "issued_on": "2020-01-01"})
    assert stored.status_code == 201, stored.text
    assert stored.json()["name"] == "李明"


def test_the_served_openapi_document_is_valid_and_names_the_error_body(callers: Callers) -> None:
    from openapi_spec_validator import validate

    document = Client(callers.url).get("/openapi.json")
    validate(document)
    error = {"$ref": "#/components/schemas/Error"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"400", "500"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error, (
                        method,
                        path,
                        status,
                    )
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= set(responses), (method, path)
