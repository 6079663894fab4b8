"""Who may do what: the one module that decides every route's access question.

A question is role x agency x jurisdiction x action:

- **Crew** (mini-program accounts) act on their own records only: their crew record once the
  account is linked, their own checks and applications, the vessels they serve on (an
  appointment, or a binding an officer approved) and those vessels' shipmates.
- **Officers** read and act on records of their own jurisdiction, when their own agency owns it.
  They never administer.
- **Admins** read, act on and administer the records of their own agency: every jurisdiction the
  agency owns, and the agency's own dispatch and duty records. Never another agency's, whatever
  jurisdiction string a record or an account carries.
- **Agencies own jurisdictions** (`enforcement.jurisdictions`, filled by the deployment's seed).
  A record of check-in names a jurisdiction; its agency is that jurisdiction's owner. A
  jurisdiction no agency owns belongs to nobody: nobody reaches its records.

Refusals tell nothing about other agencies:

- 401: no valid token (`enforcement.auth`).
- 403 `role_not_allowed`: the caller's role never does this, whatever the record.
- 403 `outside_jurisdiction`: a record of the caller's own agency, in another jurisdiction (the
  agency's officers may know a record is their agency's; the code tells them whom to ask).
- 404, with the record's own "not found" code: a record of another agency, or of a jurisdiction
  no agency owns — the very answer a record that does not exist gets.
- 403 `not_your_record`, `not_your_vessel`, ...: crew or officers asking for another person's
  own records inside their reach.

The decisions are small functions; `decide` is pure (the registry's answer is passed in), the
others raise `Forbidden`/`NotFound` and read only the registry and the caller's account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from enforcement import jurisdictions
from enforcement.auth import Principal, Role
from enforcement.errors import DomainError, Forbidden, NotFound
from enforcement.models import Account


class Action(StrEnum):
    """What the caller wants to do with a record."""

    READ = "read"  # see it
    ACT = "act"  # change it as an officer does: checks, positions, certificates, approvals
    ADMINISTER = "administer"  # agency administration: accounts, models, plans, draws, rota


class Refusal(StrEnum):
    ROLE = "role_not_allowed"
    OUTSIDE = "outside_jurisdiction"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Scope:
    """Where a record belongs: its agency, and its jurisdiction when it has one."""

    agency: str | None
    jurisdiction: str | None = None


#: Roles that act on their own records only: mini-program accounts and kiosk sessions.
TRAVELLERS = (Role.CREW, Role.TRAVELLER)
#: Postings that give a crew member access to a vessel; a `pending` binding gives none.
SERVING = ("appointed", "bound")


class PostingLike(Protocol):
    vessel_id: str
    crew_id: str
    status: str


# ------------------------------------------------------------------ the rule


def decide(principal: Principal, action: Action, scope: Scope) -> Refusal | None:
    """None when `principal` may do `action` on a record of `scope`; otherwise why not.

    Crew and travellers: never (their own records are decided by `own_*`, `serving_on` and
    `own_declaration`). Officers: READ and ACT on records of their own jurisdiction owned by
    their own agency; never ADMINISTER.
    Admins: everything on records of their own agency. A record of another agency, or of no
    agency, is HIDDEN; a record of the caller's agency in another jurisdiction is OUTSIDE.
    """
    if principal.role in TRAVELLERS:
        return Refusal.ROLE
    if action is Action.ADMINISTER and principal.role is not Role.ADMIN:
        return Refusal.ROLE
    if not principal.agency or scope.agency != principal.agency:
        return Refusal.HIDDEN
    if principal.role is Role.ADMIN or scope.jurisdiction is None:
        return None
    if principal.jurisdiction != scope.jurisdiction:
        return Refusal.OUTSIDE
    return None


def jurisdiction_scope(jurisdiction: str | None) -> Scope:
    """The scope of a record of `jurisdiction`: its agency is the jurisdiction's owner."""
    return Scope(jurisdictions.owner(jurisdiction), jurisdiction or None)


def require(principal: Principal, action: Action, scope: Scope, *, hidden: DomainError) -> None:
    """Raise unless `decide` allows: 403 for the role or another jurisdiction of the caller's
    agency, `hidden` (the record's 404) for anything of another agency."""
    refusal = decide(principal, action, scope)
    if refusal is None:
        return
    if refusal is Refusal.ROLE:
        raise Forbidden("role_not_allowed", f"this action needs another role than {principal.role}")
    if refusal is Refusal.OUTSIDE:
        raise Forbidden("outside_jurisdiction", "this record belongs to another jurisdiction")
    raise hidden


def in_jurisdiction(
    principal: Principal, jurisdiction: str | None, action: Action, *, hidden: DomainError
) -> None:
    """Officers of the jurisdiction (and its agency) and admins of its owning agency may."""
    require(principal, action, jurisdiction_scope(jurisdiction), hidden=hidden)


def in_agency(
    principal: Principal, agency: str | None, action: Action, *, hidden: DomainError
) -> None:
    """Officers and admins of `agency` may READ and ACT; only its admins ADMINISTER."""
    require(principal, action, Scope(agency or None), hidden=hidden)


def require_role(principal: Principal, *roles: Role) -> Principal:
    """403 `role_not_allowed` unless the caller has one of `roles`."""
    if principal.role not in roles:
        raise Forbidden("role_not_allowed", f"this action needs role {' or '.join(roles)}")
    return principal


def agency_admin(principal: Principal) -> str:
    """The agency an admin administers (403 for other roles and for accounts of no agency)."""
    require_role(principal, Role.ADMIN)
    if not principal.agency:
        raise Forbidden("no_agency", "this account belongs to no agency")
    return principal.agency


def member_agency(principal: Principal) -> str:
    """The agency of an officer or admin (403 for crew and for accounts of no agency)."""
    require_role(principal, Role.OFFICER, Role.ADMIN)
    if not principal.agency:
        raise Forbidden("no_agency", "this account belongs to no agency")
    return principal.agency


def own_jurisdiction(principal: Principal) -> str:
    """The officer's or admin's own jurisdiction, when their agency owns it (403 otherwise:
    an account whose jurisdiction another agency owns reaches nothing through it)."""
    agency = member_agency(principal)
    if not principal.jurisdiction or jurisdictions.owner(principal.jurisdiction) != agency:
        raise Forbidden("jurisdiction_not_yours", "your agency owns no such jurisdiction")
    return principal.jurisdiction


def jurisdiction_for(principal: Principal, requested: str | None) -> str:
    """The jurisdiction a new record (vessel, crew member, target, patrol area, account) goes to.

    Officers: their own (naming another is 403 `outside_jurisdiction`). Admins: the one they
    name, or their own, when their agency owns it; a jurisdiction of another agency, or of none,
    is refused alike (403 `jurisdiction_not_yours`): an admin cannot claim one.
    """
    agency = member_agency(principal)
    wanted = requested or principal.jurisdiction
    if principal.role is Role.OFFICER and wanted != principal.jurisdiction:
        raise Forbidden("outside_jurisdiction", "officers act within their own jurisdiction")
    if not wanted or jurisdictions.owner(wanted) != agency:
        raise Forbidden("jurisdiction_not_yours", f"your agency has no jurisdiction {wanted}")
    return wanted


def new_account(principal: Principal, role: Role, jurisdiction: str) -> str:
    """An admin creates officer and admin accounts of its own agency, for a jurisdiction its
    agency owns; the answer is the new account's agency."""
    agency = agency_admin(principal)
    if role not in (Role.OFFICER, Role.ADMIN):
        raise Forbidden("role_not_allowed", "admins create officer and admin accounts only")
    jurisdiction_for(principal, jurisdiction)
    return agency


# ------------------------------------------------------------------ crew: their own records


def crew_of(principal: Principal) -> str:
    """The crew record linked to a crew account (read from the account when the token predates
    the link); 403 `account_not_linked` before the link, `role_not_allowed` for other roles."""
    require_role(principal, Role.CREW)
    if principal.crew_id:
        return principal.crew_id
    try:
        account = Account.get(principal.account_id, consistent_read=True)
    except Account.DoesNotExist as exc:
        raise Forbidden("account_unknown", "this account no longer exists") from exc
    if not account.crew_id:
        raise Forbidden("account_not_linked", "link this account to your crew record first")
    return account.crew_id


def own_record(principal: Principal, crew_id: str) -> None:
    """A crew member sees their own crew record only."""
    if crew_of(principal) != crew_id:
        raise Forbidden("not_your_record", "crew members see their own record only")


def own_check(principal: Principal, account_id: str) -> None:
    """A crew account sees the checks and applications it started, nobody else's."""
    require_role(principal, Role.CREW)
    if principal.account_id != account_id:
        raise Forbidden("not_your_record", "crew members see their own checks only")


def serving_on(postings: Iterable[PostingLike], crew_id: str, vessel_id: str) -> None:
    """A crew member reaches a vessel (its record, manning, health reports, self check-in) only
    through an appointment there or a binding an officer approved; a pending binding gives
    nothing (403 `not_your_vessel`)."""
    if not any(
        p.crew_id == crew_id and p.vessel_id == vessel_id and p.status in SERVING for p in postings
    ):
        raise Forbidden("not_your_vessel", "crew see the vessels they serve on only")


def shipmate(postings: Iterable[PostingLike], subject_crew_id: str, vessel_id: str) -> None:
    """Crew report health for themselves or for crew serving on the same vessel."""
    if not any(
        p.crew_id == subject_crew_id and p.vessel_id == vessel_id and p.status in SERVING
        for p in postings
    ):
        raise Forbidden("not_a_shipmate", "that crew member does not serve on this vessel")


def binding_needs_approval(postings: Iterable[PostingLike], crew_id: str, vessel_id: str) -> bool:
    """A binding to a vessel outside the crew member's appointments waits for an officer of the
    vessel's jurisdiction; within an appointment (same vessel) it is effective at once."""
    return not any(
        p.crew_id == crew_id and p.vessel_id == vessel_id and p.status == "appointed"
        for p in postings
    )


# ------------------------------------------------------------------ officers: their own


def own_profile(principal: Principal, profile_account_id: str, profile_agency: str | None) -> None:
    """An officer changes their own dispatch profile (duty, conflicts), of their own agency."""
    require_role(principal, Role.OFFICER)
    if principal.account_id != profile_account_id or profile_agency != principal.agency:
        raise NotFound("inspector_not_found", "you have no dispatch profile")


def profile_visible(principal: Principal, account_id: str, agency: str | None) -> None:
    """An officer sees their own dispatch profile; an admin those of its agency."""
    if principal.account_id == account_id and principal.agency == agency:
        return
    in_agency(
        principal,
        agency,
        Action.ADMINISTER,
        hidden=NotFound("inspector_not_found", f"{account_id} has no dispatch profile"),
    )


def on_team(principal: Principal, team: Iterable[str]) -> None:
    """Only a member of the drawn team records an inspection."""
    if principal.account_id not in team:
        raise Forbidden("not_on_team", "only the drawn team records this inspection")


def own_task(principal: Principal, officer_id: str | None) -> None:
    """An officer acts on the duty tasks given to them only."""
    require_role(principal, Role.OFFICER)
    if officer_id != principal.account_id:
        raise Forbidden("not_your_task", "this duty task is assigned to another officer")


def task_visible(principal: Principal, officer_id: str | None) -> None:
    """A duty task (of the caller's agency) is seen by its officer and by the agency's admins."""
    if principal.role is Role.OFFICER and officer_id != principal.account_id:
        raise Forbidden("not_your_task", "this duty task is assigned to another officer")


def report_visible(principal: Principal, reported_by: str, agency: str | None) -> None:
    """A hazard report is seen by its reporter and by its agency's command centre (admins);
    another officer of the agency is refused, another agency finds nothing."""
    hidden = NotFound("report_not_found", "no such hazard report")
    if principal.role is Role.OFFICER:
        if not principal.agency or principal.agency != agency:
            raise hidden
        if principal.account_id != reported_by:
            raise Forbidden("not_your_report", "this hazard report is not yours to see")
        return
    in_agency(principal, agency, Action.ADMINISTER, hidden=hidden)


# ------------------------------------------------------------------ travellers: their own


def traveller(principal: Principal) -> str:
    """The account a traveller's own records (health declarations) belong to: a mini-program
    account or a kiosk session; 403 `role_not_allowed` for officers and admins."""
    require_role(principal, *TRAVELLERS)
    return principal.account_id


def own_declaration(principal: Principal, owner: str) -> None:
    """A traveller sees and changes their own declarations only (403 `not_your_declaration`:
    a declaration id is random, so the refusal tells nothing worth hiding)."""
    if principal.role not in TRAVELLERS or principal.account_id != owner:
        raise Forbidden("not_your_declaration", "travellers see their own declarations only")
