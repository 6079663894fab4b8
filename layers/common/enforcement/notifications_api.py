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
from enforcement.schemas import Timestamp

router = Router()


#: A value of a notification's data: ids and counts, lists of ids, a position.
NoticeValue = str | int | float | bool | list[str] | dict[str, float]


class NotificationOut(BaseModel):
    kind: str = Field(description="what happened, e.g. `binding.approved`, `hazard.reported`")
    title: str
    body: str
    data: dict[str, NoticeValue] = Field(
        description="what a client needs to open the record: its ids (`vessel_id`, `check_id`, "
        "`task_id`, `report_id`...), and for some kinds a count or a position"
    )
    created_at: Timestamp


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


@router.get(
    "/notifications",
    summary="My notifications, newest first",
    description="The caller's own notifications, the latest 50: a crew member's (kept under "
    "the crew record, 403 `account_not_linked` before the account is linked) or an officer's or "
    "admin's.",
    security=SECURED,
)
def my_notifications() -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in mine(caller(router))]


@router.get(
    "/notifications/centre",
    summary="The command centre's notifications (hazards reported), newest first",
    description="Admins only (403 otherwise): the latest 50 notifications of the command "
    "centre of the admin's own agency.",
    security=SECURED,
)
def centre_notifications() -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in centre(caller(router))]
