"""The contract check of tests/integration/contract.py can fail: answers that break the
document are caught, answers that keep it and answers from outside the API are not."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.integration import contract
from tests.integration.client import Client


def _answer(base_url: str, method: str, path: str, status: int, body: Any) -> requests.Response:
    """A response to `method path` on the API, as if the stack had given it."""
    request = requests.Request(method, base_url + path).prepare()
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = request
    response.url = request.url or ""
    return response


def test_answers_that_break_the_document_are_collected(stack: Any) -> None:
    base = stack.api_url.rstrip("/")
    account = {"account_id": "off-x", "role": "officer"}
    cases = {
        "undocumented status": _answer(base, "GET", "/auth/me", 418, account),
        "body off the schema": _answer(base, "GET", "/auth/me", 200, {"account_id": 7}),
        "enum broken": _answer(base, "GET", "/auth/me", 200, {**account, "role": "king"}),
        "error body off the Error": _answer(base, "GET", "/auth/me", 404, {"detail": "x"}),
    }
    for name, response in cases.items():
        contract.check(base, response)
        caught, contract._violations[:] = list(contract._violations), []
        assert len(caught) == 1, name
        assert "GET /auth/me" in caught[0]


def test_answers_that_keep_it_or_lie_outside_the_api_pass(stack: Any) -> None:
    base = stack.api_url.rstrip("/")
    fine = [
        _answer(base, "GET", "/auth/me", 200, {"account_id": "off-x", "role": "officer"}),
        _answer(base, "GET", "/auth/me", 401, {"code": "token_missing", "message": "no token"}),
        _answer(base, "GET", "/no/such/route", 404, {"code": "route_not_found", "message": "-"}),
        _answer("http://127.0.0.1:9", "GET", "/bucket/key", 204, None),
    ]
    for response in fine:
        contract.check(base, response)
    assert contract._violations == []
    # and a real answer through the tests' client, checked on the way
    assert Client(stack.api_url).call("GET", "/auth/me", expect=401).json()["code"]
