"""Routes of the auth function: logins, session refresh, officer administration.

Each handler's docstring is its operation's description in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from enforcement import access, accounts
from enforcement.auth import Role
from enforcement.errors import NotFound
from enforcement.http import SECURED, answers, caller, created
from enforcement.schemas import Jurisdiction, Line, Strict, Timestamp

router = Router()


class OfficerLogin(Strict):
    username: Annotated[str, Field(min_length=3, max_length=32)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class MiniProgramLogin(Strict):
    code: Annotated[str, Field(min_length=1, max_length=128, description="wx.login() code")]


class AccountOut(BaseModel):
    """An account as its owner and the admins of its agency see it."""

    account_id: str = Field(description="`off-<username>` for officers, `mp-...` for crew")
    role: Role
    name: str | None = None
    agency: str | None = Field(default=None, description="officers' agency, e.g. `msa`")
    jurisdiction: str | None = Field(default=None, description="officers' jurisdiction")
    crew_id: str | None = Field(default=None, description="the crew record a crew account links")


class SessionOut(BaseModel):
    """A session: send `token` as `Authorization: Bearer <token>` until `expires_at`."""

    token: str = Field(description="a signed JWT")
    expires_at: Timestamp
    account: AccountOut


class NewOfficer(Strict):
    username: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{2,31}$")]
    password: Annotated[str, Field(min_length=10, max_length=256)]
    name: Annotated[Line, Field(min_length=1, max_length=64)]
    role: Literal["officer", "admin"] = "officer"
    jurisdiction: Jurisdiction


@router.post("/auth/officer/login", summary="Officer login with username and password")
@answers(401)
def officer_login(body: OfficerLogin) -> SessionOut:
    """Log in an officer or admin with the username and password their agency's admin gave them.
    A wrong username, a wrong password and a disabled account all answer the same 401
    `bad_credentials`."""
    return SessionOut.model_validate(accounts.officer_login(body.username, body.password))


@router.post("/auth/miniprogram/login", summary="Mini-program login: exchange a wx.login() code")
@answers(401)
def miniprogram_login(body: MiniProgramLogin) -> SessionOut:
    """Exchange the one-time code of `wx.login()` for a session of the mini-program user it
    names (a crew account, made on the first login). A used or unknown code answers 401
    `login_code_invalid`; a login platform that does not answer, 502."""
    return SessionOut.model_validate(accounts.miniprogram_login(body.code))


@router.post(
    "/auth/refresh", summary="A fresh token with the account's current state", security=SECURED
)
def refresh() -> SessionOut:
    """A new token for the calling account, carrying its current role, agency, jurisdiction and
    crew link (after a change of these, the old token still says the old ones)."""
    return SessionOut.model_validate(accounts.refresh(caller(router)))


@router.get("/auth/me", summary="The calling account", security=SECURED)
def me() -> AccountOut:
    """The account of the bearer token, as stored now (404 once the account is gone)."""
    principal = caller(router)
    account = accounts.get(principal.account_id)
    if account is None:
        raise NotFound("account_unknown", "this account no longer exists")
    return AccountOut.model_validate(accounts.public(account))


@router.post("/auth/officers", summary="Create an officer of the admin's agency", security=SECURED)
def create_officer(body: NewOfficer) -> Response[AccountOut]:
    """An admin creates an officer (or another admin) of the admin's own agency, in a
    jurisdiction that agency owns. A taken username answers 409."""
    admin = caller(router)
    agency = access.new_account(admin, Role(body.role), body.jurisdiction)
    account = accounts.create_officer(
        admin.actor,
        username=body.username,
        password=body.password,
        name=body.name,
        role=Role(body.role),
        agency=agency,
        jurisdiction=body.jurisdiction,
        claim_jurisdiction=False,
    )
    return created(AccountOut.model_validate(accounts.public(account)))
