"""A secured request's token is verified once: the request gate hands the caller it verified
to the route (`http.caller`), for that request only."""

from __future__ import annotations

from typing import Any

import pytest
from enforcement import auth
from enforcement.auth import Principal, Role

from tests.unit.test_request_gate import JSON, bearer, call, signing_key  # noqa: F401


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The account of every token verified from now on."""
    seen: list[str] = []
    verify = auth.verify_token

    def counted(token: str) -> Principal:
        principal = verify(token)
        seen.append(principal.account_id)
        return principal

    monkeypatch.setattr(auth, "verify_token", counted)
    return seen


def token_of(account: str) -> str:
    return auth.issue_token(Principal(account, Role.OFFICER, "msa", "shanghai"))[0]


def test_a_secured_request_verifies_its_token_once(verified: list[str]) -> None:
    status, answer = call("GET", "/things/t-1", headers=[bearer(token_of("off-li"))])
    assert (status, answer["by"]) == (200, "off-li")
    assert verified == ["off-li"]
    body: Any = '{"name": "a", "count": 1}'
    status, answer = call("POST", "/things", body, [bearer(token_of("off-wang")), JSON])
    assert (status, answer["by"]) == (200, "off-wang")
    assert verified == ["off-li", "off-wang"]  # the next request is its own caller


def test_a_request_without_a_valid_token_is_still_refused(verified: list[str]) -> None:
    call("GET", "/things/t-1", headers=[bearer(token_of("off-li"))])
    status, answer = call("GET", "/things/t-1")  # the last caller is not remembered
    assert (status, answer["code"]) == (401, "token_missing")
