"""The local API gateway under load and abuse: a deep listen queue, API Gateway's refusals as JSON
with `code` and `message`, and records of calls that stay bounded however long it runs."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from infra.local.gateway import (
    MAX_BODY_BYTES,
    MAX_REQUEST_HEAD_BYTES,
    MAX_URL_BYTES,
    ApiConfig,
    ApiGateway,
    Route,
)
from infra.local.lambdas import FunctionSpec, LambdaRuntime
from infra.local.records import RecentLog

HANDLER = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event["path"]})}
"""


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[ApiGateway]:
    """A gateway on a free port in front of one tiny function, keeping 10 records."""
    (tmp_path / "app.py").write_text(HANDLER)
    arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:Echo"
    spec = FunctionSpec("Echo", "Echo", arn, tmp_path, "app", "handler", 128, 3)
    runtime = LambdaRuntime({"Echo": spec}, RecentLog(10))
    api = ApiConfig("Api", "abc", "prod", ())
    routes = [Route("ANY", "/echo/{proxy+}", "Echo", api)]
    served = ApiGateway(routes, runtime, account_id="123456789012", record_limit=10)
    try:
        yield served
    finally:
        served.stop()


def _raw(gateway: ApiGateway, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer (the gateway closes after a refusal)."""
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def _error(status: int, headers: dict[str, str], body: bytes, expected: int) -> str:
    assert status == expected, body
    assert headers["Content-Type"] == "application/json"
    document = json.loads(body)
    assert set(document) == {"code", "message"}
    assert document["message"]
    return str(document["code"])


def test_many_clients_connecting_at_once_are_all_queued_then_served(gateway: ApiGateway) -> None:
    """Before the gateway accepts anything, 60 clients connect: all are held in the listen queue
    (http.server's default of 5 dropped the rest), and all are answered once it runs."""
    clients = []
    try:
        for _ in range(60):
            conn = socket.create_connection(("127.0.0.1", gateway.port), timeout=5)
            conn.sendall(b"GET /echo/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            clients.append(conn)
        gateway.start()
        for conn in clients:
            conn.settimeout(30)
            assert conn.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for conn in clients:
            conn.close()


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"TRACE /echo/x HTTP/1.1\r\nHost: t\r\n\r\n", 405, "method_not_allowed"),
        (b"CONNECT t:443 HTTP/1.1\r\nHost: t\r\n\r\n", 405, "method_not_allowed"),
        (b"BREW /echo/x HTTP/1.1\r\nHost: t\r\n\r\n", 405, "method_not_allowed"),
        (b"GET /echo/x HTTP/9.9\r\nHost: t\r\n\r\n", 505, "http_version_not_supported"),
        (b"GET\r\n\r\n", 400, "bad_request"),
        (
            b"GET /echo/x?q=" + b"a" * MAX_URL_BYTES + b" HTTP/1.1\r\nHost: t\r\n\r\n",
            414,
            "uri_too_long",
        ),
        (b"GET /echo/" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414, "uri_too_long"),
        (
            b"GET /echo/x HTTP/1.1\r\nHost: t\r\nX-Big: "
            + b"b" * MAX_REQUEST_HEAD_BYTES
            + b"\r\n\r\n",
            431,
            "request_headers_too_large",
        ),
        (
            b"GET /echo/x HTTP/1.1\r\nHost: t\r\n"
            + b"".join(b"X-%d: v\r\n" % n for n in range(120))
            + b"\r\n",
            431,
            "request_headers_too_large",
        ),
        (
            b"GET /echo/x HTTP/1.1\r\nHost: t\r\nX-Huge: " + b"h" * 70_000 + b"\r\n\r\n",
            431,
            "request_headers_too_large",
        ),
        (
            b"POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
            400,
            "bad_request",
        ),
        (
            b"POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
            400,
            "bad_request",
        ),
    ],
    ids=[
        "trace",
        "connect",
        "unknown-method",
        "http-version",
        "malformed",
        "long-query",
        "line-over-64k",
        "big-header",
        "too-many-headers",
        "header-line-over-64k",
        "bad-length",
        "negative-length",
    ],
)
def test_refusals_are_json_with_code_and_message(
    gateway: ApiGateway, request_bytes: bytes, status: int, code: str
) -> None:
    gateway.start()
    answer = _raw(gateway, request_bytes)
    assert _error(*answer, expected=status) == code


def test_a_body_over_the_limit_is_413_json(gateway: ApiGateway) -> None:
    gateway.start()
    response = requests.post(f"{gateway.url}/echo/x", data=b"x" * (MAX_BODY_BYTES + 1), timeout=60)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_head_answers_the_headers_of_get_without_a_body(gateway: ApiGateway) -> None:
    gateway.start()
    get = requests.get(f"{gateway.url}/nowhere", timeout=10)
    assert get.json()["code"] == "route_not_found"
    status, headers, body = _raw(
        gateway, b"HEAD /nowhere HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    assert (status, body) == (404, b"")
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) > 0  # the length GET's JSON error body would have


def test_the_records_of_calls_and_invocations_stay_bounded(gateway: ApiGateway) -> None:
    gateway.start()
    invocations = gateway.runtime.invocations
    with requests.Session() as session:
        for n in range(35):
            assert session.get(f"{gateway.url}/echo/{n}", timeout=10).ok
            if n == 29:
                since = len(invocations)
    assert len(gateway.calls) == 35
    assert len(invocations) == 35
    assert gateway.calls.kept == 10
    assert invocations.kept == 10
    assert [i.event["path"] for i in invocations[since:]] == [f"/echo/{n}" for n in range(30, 35)]
    assert invocations[-1].event["path"] == "/echo/34"
    with pytest.raises(IndexError):
        invocations[0]


def test_a_recent_log_indexes_like_the_list_it_stands_for() -> None:
    log: RecentLog[int] = RecentLog(3)
    for n in range(5):
        log.append(n)
    assert (len(log), log.kept, log.first_kept) == (5, 3, 2)
    assert list(log) == [2, 3, 4]
    assert log[1:] == [2, 3, 4]
    assert log[3:] == [3, 4]
    assert log[5:] == []
    assert (log[-1], log[2], log[4]) == (4, 2, 4)
    with pytest.raises(IndexError):
        log[1]
