"""How long a declaration is kept: the retention period and the one way to keep it beyond it.

A draft carries `expires_at` too: its last change (start, answers, auto-fill) plus
`Settings.draft_retention_days` (`draft_expires_at`), so an abandoned draft goes; one past it
is not found (`declarations.get_declaration`) even before DynamoDB deletes it.
A submitted declaration and each of its versions carry `expires_at` (their tables' TTL
attribute): the submit time plus `Settings.declaration_retention_days`; DynamoDB deletes them
after it (within a day or two of it, as TTL does; nothing reads an expired one as current: see
`expired`). A declaration referred (review or clearance disposition) or sampled is kept:
`keep` removes the TTL from the declaration and every version of it, in the caller's
transaction, so the change that decides it and the keeping are one write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from enforcement import clock
from enforcement.config import settings
from enforcement.remote_survey.models import Declaration, DeclarationVersion

#: Most versions a declaration can have (the submitted one and its corrections): `keep` writes
#: each of them in one transaction, and a DynamoDB transaction holds at most 100 items (the
#: declaration, its versions, the audit entry and its chain head, and a flight's counters).
MAX_VERSIONS = 20


def expires_at(submitted_at: datetime | str, *, days: int | None = None) -> datetime:
    """When a declaration submitted at `submitted_at` (a time zone-aware datetime or ISO 8601
    text) is deleted: `days` (default `Settings.declaration_retention_days`) later, to the
    second, UTC."""
    moment = clock.parse(submitted_at) if isinstance(submitted_at, str) else submitted_at
    if moment.tzinfo is None:
        raise ValueError("submitted_at must carry its time zone")
    period = settings().declaration_retention_days if days is None else days
    return (moment + timedelta(days=period)).replace(microsecond=0)


def draft_expires_at(changed_at: datetime | str) -> datetime:
    """When a draft last changed at `changed_at` is deleted: `Settings.draft_retention_days`
    later (each change starts the period again)."""
    return expires_at(changed_at, days=settings().draft_retention_days)


def expired(declaration: Declaration | DeclarationVersion, now: datetime | None = None) -> bool:
    """True when the item is past its retention but DynamoDB has not deleted it yet."""
    return declaration.expires_at is not None and declaration.expires_at <= (now or clock.now())


def keep(
    tx: TransactWrite,
    declaration: Declaration,
    *,
    actions: Sequence[Action] = (),
    condition: Condition | None = None,
) -> None:
    """In `tx`, keep `declaration` beyond retention: one update of the declaration (`actions`
    and `condition` of the caller, whose change decides the keeping, plus the removal of
    `expires_at`) and one of each of its versions 1..`declaration.version` (removal of
    theirs). A transaction touches an item once, so the caller's own update of the declaration
    goes through here. The update is conditional on the declaration's version being the one
    read: a correction committed meanwhile (a version this call does not touch) fails the
    transaction instead of leaving a version with a TTL. Idempotent: removing an absent TTL
    changes nothing."""
    version = int(declaration.version or 0)
    if version > MAX_VERSIONS:
        raise ValueError(f"{declaration.declaration_id} has {version} versions")
    same_version = Declaration.version == version
    tx.update(
        declaration,
        actions=[*actions, Declaration.expires_at.remove()],
        condition=same_version if condition is None else condition & same_version,
    )
    for n in range(1, version + 1):
        tx.update(
            DeclarationVersion(declaration.declaration_id, n),
            actions=[DeclarationVersion.expires_at.remove()],
            condition=DeclarationVersion.declaration_id.exists(),
        )
