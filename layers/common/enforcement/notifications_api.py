"""Routes of the notifications inbox, one for every capability: a person's own notifications and
the command centre's of an agency. Capabilities write notifications (`notify.send`); they are
read here only, by the auth function, so the inbox has one path whatever wrote to it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from enforcement import access, notify
from enforcement.auth import Principal, Role
from enforcement.http import SECURED, caller

router = Router()


class NotificationOut(BaseModel):
    kind: str = Field(description="what happened, e.g. `binding.approved`, `hazard.reported`")
    title: str
    body: str
    data: dict[str, Any] = Field(description="the ids a client needs to open the record")
    created_at: str


def mine(principal: Principal) -> list[dict[str, Any]]:
    """A person's own notifications, newest first (a crew member's are kept under the crew
    record, so they follow the person to a new mini-program account)."""
    recipient = access.crew_of(principal) if principal.role is Role.CREW else principal.account_id
    return [notify.view(n) for n in notify.inbox(recipient)]


def centre(principal: Principal) -> list[dict[str, Any]]:
    """The command centre's notifications of the admin's own agency, newest first."""
    agency = access.member_agency(principal)
    access.agency_admin(principal)
    return [notify.view(n) for n in notify.inbox(f"centre:{agency}")]


@router.get("/notifications", summary="My notifications, newest first", security=SECURED)
def my_notifications() -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in mine(caller(router))]


@router.get(
    "/notifications/centre",
    summary="The command centre's notifications (hazards reported), newest first",
    security=SECURED,
)
def centre_notifications() -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in centre(caller(router))]
