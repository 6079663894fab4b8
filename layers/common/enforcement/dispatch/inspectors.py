"""Inspectors' public ids: how snapshots, results and public pages name an inspector.

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
