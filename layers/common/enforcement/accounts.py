"""Accounts and login: officers with username and password, crew through the mini-program.

Mini-program login follows the platform's flow: the app gets a one-time login code, we exchange it
with the login platform (code → openid) and answer with our own signed token.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from aws_lambda_powertools import Logger

from enforcement import audit, clock, jurisdictions
from enforcement.auth import (
    Principal,
    Role,
    check_password,
    hash_password,
    issue_token,
    miniprogram_app_secret,
)
from enforcement.config import settings
from enforcement.errors import BadRequest, Conflict, Forbidden, Unauthorized, UpstreamError
from enforcement.models import Account

logger = Logger(child=True)

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")


def officer_account_id(username: str) -> str:
    return f"off-{username}"


def principal_of(account: Account) -> Principal:
    return Principal(
        account_id=account.account_id,
        role=Role(account.role),
        agency=account.agency,
        jurisdiction=account.jurisdiction,
        crew_id=account.crew_id,
    )


def session(account: Account) -> dict[str, Any]:
    token, expires_at = issue_token(principal_of(account))
    return {"token": token, "expires_at": expires_at, "account": public(account)}


def public(account: Account) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "role": account.role,
        "name": account.name,
        "agency": account.agency,
        "jurisdiction": account.jurisdiction,
        "crew_id": account.crew_id,
    }


def get(account_id: str) -> Account | None:
    try:
        return Account.get(account_id, consistent_read=True)
    except Account.DoesNotExist:
        return None


def create_officer(
    actor: str,
    *,
    username: str,
    password: str,
    name: str,
    role: Role,
    agency: str,
    jurisdiction: str,
    claim_jurisdiction: bool = True,
) -> Account:
    """Create an officer or admin account of `agency` in `jurisdiction`, which the agency owns.

    The deployment's seed (`python -m enforcement.jurisdictions`, the local demo, tests) may
    create an agency's first accounts before registering its jurisdictions: with
    `claim_jurisdiction` a jurisdiction no agency owns yet is registered to `agency` first. An
    admin's request (`POST /auth/officers`) is decided by `access.new_account` and never claims.
    """
    if not USERNAME.match(username):
        raise BadRequest("invalid_username", "usernames are 3-32 of a-z 0-9 _ . - ")
    if role not in (Role.OFFICER, Role.ADMIN):
        raise BadRequest("invalid_role", "officer accounts have role officer or admin")
    if claim_jurisdiction and jurisdictions.owner(jurisdiction) is None:
        jurisdictions.register(actor, agency, jurisdiction)
    if jurisdictions.owner(jurisdiction) != agency:
        raise Conflict("jurisdiction_owned", f"{agency} owns no jurisdiction {jurisdiction}")
    account = Account(
        officer_account_id(username),
        role=role.value,
        name=name,
        agency=agency,
        jurisdiction=jurisdiction,
        username=username,
        password_hash=hash_password(password),
        created_at=clock.iso(),
    )
    audit.commit(
        audit.AuditEvent(
            actor,
            "account.create",
            f"account:{account.account_id}",
            {"role": role.value, "agency": agency, "jurisdiction": jurisdiction},
        ),
        lambda tx: tx.save(account, condition=Account.account_id.does_not_exist()),
        on_conflict=Conflict("username_taken", f"username {username} is taken"),
        agency=agency,
    )
    return account


def officer_login(username: str, password: str) -> dict[str, Any]:
    account = get(officer_account_id(username)) if USERNAME.match(username) else None
    if (
        account is None
        or account.disabled
        or not account.password_hash
        or not check_password(password, account.password_hash)
    ):
        raise Unauthorized("bad_credentials", "wrong username or password")
    return session(account)


def exchange_code(code: str) -> str:
    """Ask the login platform which user a mini-program login code belongs to (its openid)."""
    cfg = settings()
    query = urllib.parse.urlencode(
        {
            "appid": cfg.miniprogram_app_id,
            "secret": miniprogram_app_secret(),
            "js_code": code,
            "grant_type": "authorization_code",
        }
    )
    url = f"{cfg.login_platform_url.rstrip('/')}/sns/jscode2session?{query}"
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise UpstreamError("login_platform_misconfigured", "the login platform URL is not allowed")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - checked above
            answer = json.loads(response.read(65536))
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        logger.warning("login platform unreachable", extra={"error": type(exc).__name__})
        raise UpstreamError(
            "login_platform_unavailable", "the login platform did not answer"
        ) from exc
    if answer.get("errcode"):
        raise Unauthorized("login_code_invalid", "the login code is invalid or was already used")
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise UpstreamError("login_platform_bad_answer", "the login platform gave no user id")
    return openid


def miniprogram_login(code: str) -> dict[str, Any]:
    openid = exchange_code(code)
    account_id = f"mp-{openid}"
    account = get(account_id)
    if account is None:
        new = Account(account_id, role=Role.CREW.value, openid=openid, created_at=clock.iso())
        account = new
        try:
            audit.commit(
                audit.AuditEvent(
                    f"crew:{account_id}", "account.register", f"account:{account_id}", {}
                ),
                lambda tx: tx.save(new, condition=Account.account_id.does_not_exist()),
            )
        except Conflict:
            account = get(account_id)  # registered by a concurrent first login
            if account is None:
                raise
    if account.disabled:
        raise Forbidden("account_disabled", "this account is disabled")
    return session(account)


def refresh(principal: Principal) -> dict[str, Any]:
    """A new token with the account's current state (e.g. after linking a crew record)."""
    account = get(principal.account_id)
    if account is None or account.disabled:
        raise Unauthorized("account_unknown", "this account no longer exists")
    return session(account)
