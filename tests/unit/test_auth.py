"""Session tokens and passwords, without AWS (the signing key is patched in)."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from enforcement import auth
from enforcement.auth import Principal, Role
from enforcement.errors import Unauthorized

KEY = "k" * 64


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "signing_key", lambda: KEY)


OFFICER = Principal("off-zhang", Role.OFFICER, agency="msa", jurisdiction="shanghai")


def test_a_token_round_trips_the_principal() -> None:
    token, expires_at = auth.issue_token(OFFICER)
    assert auth.verify_token(token) == OFFICER
    assert expires_at.endswith("Z")


def test_a_token_signed_with_another_key_is_refused() -> None:
    claims = jwt.decode(
        auth.issue_token(OFFICER)[0], KEY, algorithms=["HS256"], audience=auth.AUDIENCE
    )
    forged = jwt.encode({**claims, "role": "admin"}, "another-key-" * 6, algorithm="HS256")
    with pytest.raises(Unauthorized) as caught:
        auth.verify_token(forged)
    assert caught.value.code == "token_invalid"


def test_an_unsigned_token_is_refused() -> None:
    claims = jwt.decode(
        auth.issue_token(OFFICER)[0], KEY, algorithms=["HS256"], audience=auth.AUDIENCE
    )

    def b64(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({**claims, 'role': 'admin'})}."
    with pytest.raises(Unauthorized):
        auth.verify_token(unsigned)


def test_an_expired_token_says_so() -> None:
    now = int(time.time())
    claims = {"iss": auth.ISSUER, "aud": auth.AUDIENCE, "sub": "x", "role": "crew"}
    expired = jwt.encode({**claims, "iat": now - 100, "exp": now - 10}, KEY, algorithm="HS256")
    with pytest.raises(Unauthorized) as caught:
        auth.verify_token(expired)
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer not.a.jwt"])
def test_missing_or_malformed_authorization_is_401(header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    with pytest.raises(Unauthorized):
        auth.principal_from_headers(headers)


def test_passwords_are_salted_and_checked() -> None:
    first, second = auth.hash_password("secret-1"), auth.hash_password("secret-1")
    assert first != second
    assert auth.check_password("secret-1", first)
    assert not auth.check_password("secret-2", first)
    assert not auth.check_password("secret-1", "md5$00$00")
