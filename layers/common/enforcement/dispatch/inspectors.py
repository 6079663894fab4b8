"""Inspectors: their dispatch profiles (qualifications, duty, conflicts of interest) and their
public ids, how snapshots, results and public pages name an inspector.

An admin of the agency writes an officer's profile; the officer goes on and off duty and
declares conflicts; members of the agency read profiles. Writes go through `audit.commit`.

Account ids are user names (`off-zhang`), so published documents never carry them. Each
inspector profile gets a public id once, `insp-` and 16 random hex digits from the operating
system's generator: stable for the inspector (a later draw names the same person the same way,
so workloads can be followed across draws), and not derivable from the account by anyone
outside. Internal records (assignments, profiles, the audit log) keep account ids; the mapping
is the profile, read here in both directions.

Version 1 snapshots (draws published before public ids) name inspectors by account id: for them
the mapping is the identity.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from pynamodb.exceptions import UpdateError

from enforcement import access, audit, clock
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.db import get_or_404
from enforcement.dispatch import rules
from enforcement.dispatch.schemas import ConflictIn, InspectorIn
from enforcement.errors import NotFound, Unprocessable
from enforcement.models import Account
from enforcement.officers import InspectorProfile

PREFIX = "insp-"
BATCH = 100


def new_public_id() -> str:
    return f"{PREFIX}{secrets.token_hex(8)}"


def ensure(profile: InspectorProfile) -> str:
    """The profile's public id, given one now if it has none (profiles made before public
    ids): written with a condition, so two freezes at once agree on the first one written."""
    if profile.public_id:
        return profile.public_id
    candidate = new_public_id()
    try:
        profile.update(
            actions=[InspectorProfile.public_id.set(candidate)],
            condition=InspectorProfile.public_id.does_not_exist(),
        )
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", "") != "ConditionalCheckFailedException":
            raise
        profile.refresh(consistent_read=True)
        return profile.public_id or candidate
    return candidate


def public_ids(account_ids: Iterable[str]) -> dict[str, str]:
    """account id → public id for those of these accounts that have a profile with one."""
    ids = sorted(set(account_ids))
    found: dict[str, str] = {}
    for n in range(0, len(ids), BATCH):
        for profile in InspectorProfile.batch_get(ids[n : n + BATCH]):
            if profile.public_id:
                found[profile.account_id] = profile.public_id
    return found


def accounts_by_public_id(agency: str) -> dict[str, str]:
    """public id → account id over the agency's inspector profiles."""
    return {
        p.public_id: p.account_id for p in InspectorProfile.by_agency.query(agency) if p.public_id
    }


def uses_public_ids(snapshot: Mapping[str, Any]) -> bool:
    """Whether a snapshot names inspectors by public id (version 2 on) or by account id."""
    return snapshot.get("format") != "dispatch-snapshot/1"


def to_accounts(snapshot: Mapping[str, Any], agency: str, ids: Iterable[str]) -> list[str]:
    """The account ids of inspectors named in a snapshot; LookupError if one has no profile."""
    ids = list(ids)
    if not uses_public_ids(snapshot):
        return ids
    accounts = accounts_by_public_id(agency)
    missing = [i for i in ids if i not in accounts]
    if missing:
        raise LookupError(f"no inspector profile has the public id {missing[0]}")
    return [accounts[i] for i in ids]


def to_snapshot_ids(snapshot: Mapping[str, Any], account_ids: Iterable[str]) -> dict[str, str]:
    """account id → the id a snapshot names the inspector by (those without one are left out)."""
    account_ids = list(account_ids)
    if not uses_public_ids(snapshot):
        return {a: a for a in account_ids}
    return public_ids(account_ids)


# ------------------------------------------------------------------ profiles


def load_profile(account_id: str) -> InspectorProfile:
    return get_or_404(
        InspectorProfile,
        account_id,
        code="inspector_not_found",
        message=f"{account_id} has no dispatch profile",
    )


def profile_view(profile: InspectorProfile) -> dict[str, Any]:
    return {
        "account_id": profile.account_id,
        "agency": profile.agency,
        "jurisdiction": profile.jurisdiction,
        "qualifications": list(profile.qualifications),
        "on_duty": bool(profile.on_duty),
        "open_assignments": int(profile.open_assignments or 0),
        "conflicts": list(profile.conflicts or []),
        "public_id": profile.public_id,
        "updated_at": profile.updated_at,
    }


def put_inspector(principal: Principal, account_id: str, body: InspectorIn) -> dict[str, Any]:
    agency = access.agency_admin(principal)
    hidden = NotFound("account_not_found", f"no account {account_id}")
    try:
        account = Account.get(account_id, consistent_read=True)
    except Account.DoesNotExist as exc:
        raise hidden from exc
    access.in_agency(principal, account.agency, Action.ADMINISTER, hidden=hidden)
    if account.role != Role.OFFICER.value or account.disabled:
        raise Unprocessable("not_an_officer", "inspectors are active officers of your agency")
    try:
        existing: InspectorProfile | None = load_profile(account_id)
    except NotFound:
        existing = None
    profile = InspectorProfile(
        account_id,
        agency=agency,
        jurisdiction=account.jurisdiction or "",
        qualifications=sorted(set(body.qualifications)),
        on_duty=body.on_duty,
        open_assignments=int(existing.open_assignments or 0) if existing else 0,
        conflicts=rules.merged_conflicts(existing.conflicts if existing else None, body.conflicts),
        last_draw_id=existing.last_draw_id if existing else None,
        updated_at=clock.iso(),
        public_id=(existing.public_id if existing else None) or new_public_id(),
    )
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.put",
            f"inspector:{account_id}",
            {"qualifications": profile.qualifications, "on_duty": body.on_duty},
        ),
        lambda tx: tx.save(profile),
        agency=agency,
    )
    return profile_view(profile)


def _own_profile(principal: Principal) -> InspectorProfile:
    access.require_role(principal, Role.OFFICER)
    profile = load_profile(principal.account_id)
    access.own_profile(principal, profile.account_id, profile.agency)
    return profile


def set_duty(principal: Principal, on_duty: bool) -> dict[str, Any]:
    """The roster: an officer goes on or off duty (a draw freezes whoever is on duty then)."""
    profile = _own_profile(principal)
    at = clock.iso()
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.duty",
            f"inspector:{profile.account_id}",
            {"on_duty": on_duty},
        ),
        lambda tx: tx.update(
            profile,
            actions=[InspectorProfile.on_duty.set(on_duty), InspectorProfile.updated_at.set(at)],
            condition=InspectorProfile.account_id.exists(),
        ),
        agency=profile.agency,
    )
    return profile_view(load_profile(profile.account_id))


def declare_conflict(principal: Principal, body: ConflictIn) -> dict[str, Any]:
    """An inspector declares a conflict of interest with a company: never drawn for it again."""
    profile = _own_profile(principal)
    conflicts = rules.merged_conflicts(profile.conflicts, [body.company_id])
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "inspector.conflict",
            f"inspector:{profile.account_id}",
            {"company_id": body.company_id, "reason": body.reason},
        ),
        lambda tx: tx.update(
            profile,
            actions=[
                InspectorProfile.conflicts.set(conflicts),
                InspectorProfile.updated_at.set(clock.iso()),
            ],
            condition=InspectorProfile.account_id.exists(),
        ),
        agency=profile.agency,
    )
    return profile_view(load_profile(profile.account_id))


def get_inspector(principal: Principal, account_id: str) -> dict[str, Any]:
    access.member_agency(principal)
    profile = load_profile(account_id)
    access.profile_visible(principal, account_id, profile.agency)
    return profile_view(profile)
