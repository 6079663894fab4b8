"""Routes of the notifications inbox, one for every capability: a person's own notifications, the
command centre's of an agency and a jurisdiction's (a port's, a maritime bureau's). Capabilities
write notifications (`notify.send`); they are read here only, by the auth function, so the inbox
has one path whatever wrote to it."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from enforcement import access, notify
from enforcement.auth import Principal, Role
from enforcement.errors import NotFound, Unprocessable
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


def of_jurisdiction(principal: Principal, jurisdiction: str | None) -> list[dict[str, Any]]:
    """A jurisdiction's inbox (`jurisdiction:<name>`: a port's late flights, a bureau's crew
    health alerts, bindings and checks waiting for an officer), newest first. Officers read
    their own jurisdiction's; admins any jurisdiction their agency owns (their own by default).
    Refusals as `access.in_jurisdiction` decides them: crew and travellers 403
    `role_not_allowed`, an officer naming another jurisdiction of the agency 403
    `outside_jurisdiction`, a jurisdiction of another agency or of none 404
    `jurisdiction_not_found`."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    wanted = jurisdiction or principal.jurisdiction
    if not wanted:
        raise Unprocessable("jurisdiction_required", "name the jurisdiction (`jurisdiction`)")
    hidden = NotFound("jurisdiction_not_found", f"no jurisdiction {wanted}")
    access.in_jurisdiction(principal, wanted, access.Action.READ, hidden=hidden)
    return [notify.view(n) for n in notify.inbox(f"jurisdiction:{wanted}")]


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


@router.get(
    "/notifications/jurisdiction",
    summary="A jurisdiction's notifications (a port's late flights, crew alerts), newest first",
    description="The latest 50 notifications sent to a jurisdiction rather than to a person: a "
    "port's late-flight alerts (`clearance.p90_exceeded`), a bureau's crew health alerts, "
    "bindings and check reviews waiting for its officers. Officers read their own "
    "jurisdiction's (naming another of their agency is 403 `outside_jurisdiction`); admins any "
    "jurisdiction their agency owns (`jurisdiction`, their own by default); another agency's or "
    "an unknown jurisdiction is 404 `jurisdiction_not_found`; crew and travellers 403.",
    security=SECURED,
)
def jurisdiction_notifications(
    jurisdiction: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
            description="the jurisdiction (admins; officers may name only their own)",
        ),
    ] = None,
) -> list[NotificationOut]:
    return [
        NotificationOut.model_validate(n) for n in of_jurisdiction(caller(router), jurisdiction)
    ]
