"""Who is calling: signed session tokens, roles, agency and jurisdiction.

Tokens are HS256 JWTs signed with a key kept in Secrets Manager (no Cognito: it does not exist in
the China regions). What a caller may do is decided in `enforcement.access`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from enforcement import clock
from enforcement.config import settings
from enforcement.errors import Unauthorized

ISSUER = "enforcement-backend"
AUDIENCE = "enforcement-api"


class Role(StrEnum):
    CREW = "crew"
    OFFICER = "officer"
    ADMIN = "admin"
    #: an arriving traveller at a port's kiosk: a short session an officer of the port opens
    TRAVELLER = "traveller"


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    account_id: str
    role: Role
    agency: str | None = None
    jurisdiction: str | None = None
    crew_id: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.account_id}"


def _secret() -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters  # here: tokens are signed or checked

    raw = parameters.get_secret(settings().app_secret_arn, max_age=300)
    value = json.loads(raw) if isinstance(raw, str) else json.loads(raw.decode())
    if not isinstance(value, dict) or not value.get("token_signing_key"):
        raise RuntimeError("application secret lacks token_signing_key")
    return value


def signing_key() -> str:
    return str(_secret()["token_signing_key"])


def miniprogram_app_secret() -> str:
    return str(_secret().get("miniprogram_app_secret", ""))


def issue_token(principal: Principal, ttl_seconds: int | None = None) -> tuple[str, str]:
    """A signed token for `principal` and its expiry time (ISO 8601); it lives
    `ttl_seconds`, by default the deployment's session time."""
    import jwt  # here, not at import: the face function's decisions import this module too

    issued = clock.now()
    expires = int(issued.timestamp()) + (ttl_seconds or settings().token_ttl_seconds)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": principal.account_id,
        "role": principal.role.value,
        "iat": int(issued.timestamp()),
        "exp": expires,
        "jti": secrets.token_hex(8),
    }
    for field in ("agency", "jurisdiction", "crew_id"):
        if getattr(principal, field):
            claims[field] = getattr(principal, field)
    token = jwt.encode(claims, signing_key(), algorithm="HS256")
    return token, clock.iso(clock.from_epoch(expires))


def verify_token(token: str) -> Principal:
    import jwt  # here, not at import: the face function's decisions import this module too

    try:
        # malformed tokens and other algorithms are refused before the key is even fetched
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            raise jwt.InvalidAlgorithmError("only HS256 tokens are issued here")
        claims = jwt.decode(
            token,
            signing_key(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "role", "iss", "aud"]},
        )
        role = Role(claims["role"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token_expired", "the session has expired; log in again") from exc
    except (jwt.InvalidTokenError, ValueError, KeyError) as exc:
        raise Unauthorized("token_invalid", "the session token is not valid") from exc
    return Principal(
        account_id=str(claims["sub"]),
        role=role,
        agency=claims.get("agency"),
        jurisdiction=claims.get("jurisdiction"),
        crew_id=claims.get("crew_id"),
    )


def principal_from_headers(headers: dict[str, str] | None) -> Principal:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("token_missing", "send Authorization: Bearer <token>")
    return verify_token(token.strip())


_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)
