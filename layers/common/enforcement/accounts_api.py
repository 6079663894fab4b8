"""Routes of the auth function: logins, session refresh, officer administration."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from enforcement import access, accounts
from enforcement.auth import Role
from enforcement.errors import NotFound
from enforcement.http import SECURED, caller, created
from enforcement.schemas import Jurisdiction, Line, Strict

router = Router()


class OfficerLogin(Strict):
    username: Annotated[str, Field(min_length=3, max_length=32)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class MiniProgramLogin(Strict):
    code: Annotated[str, Field(min_length=1, max_length=128, description="wx.login() code")]


class AccountOut(BaseModel):
    account_id: str
    role: str
    name: str | None = None
    agency: str | None = None
    jurisdiction: str | None = None
    crew_id: str | None = None


class SessionOut(BaseModel):
    token: str
    expires_at: str
    account: AccountOut


class NewOfficer(Strict):
    username: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{2,31}$")]
    password: Annotated[str, Field(min_length=10, max_length=256)]
    name: Annotated[Line, Field(min_length=1, max_length=64)]
    role: Literal["officer", "admin"] = "officer"
    jurisdiction: Jurisdiction


@router.post("/auth/officer/login", summary="Officer login with username and password")
def officer_login(body: OfficerLogin) -> SessionOut:
    return SessionOut.model_validate(accounts.officer_login(body.username, body.password))


@router.post("/auth/miniprogram/login", summary="Mini-program login: exchange a wx.login() code")
def miniprogram_login(body: MiniProgramLogin) -> SessionOut:
    return SessionOut.model_validate(accounts.miniprogram_login(body.code))


@router.post(
    "/auth/refresh", summary="A fresh token with the account's current state", security=SECURED
)
def refresh() -> SessionOut:
    return SessionOut.model_validate(accounts.refresh(caller(router)))


@router.get("/auth/me", summary="The calling account", security=SECURED)
def me() -> AccountOut:
    principal = caller(router)
    account = accounts.get(principal.account_id)
    if account is None:
        raise NotFound("account_unknown", "this account no longer exists")
    return AccountOut.model_validate(accounts.public(account))


@router.post("/auth/officers", summary="Create an officer of the admin's agency", security=SECURED)
def create_officer(body: NewOfficer) -> Response[AccountOut]:
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
