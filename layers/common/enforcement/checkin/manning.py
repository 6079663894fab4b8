"""The manning report of a vessel: who is verified at which post now, and whether the
minimum safe manning is met (the rule: `enforcement.checkin.rules.manning_report`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from enforcement import clock
from enforcement.access import Action
from enforcement.auth import Principal, Role
from enforcement.batch_reads import MAX_KEYS, ItemKey, batch_get
from enforcement.checkin import rules
from enforcement.checkin.loading import (
    certificates_of,
    load_crew,
    postings_of_vessel,
    posts_of,
    vessel_for_crew,
    vessel_for_officer,
)
from enforcement.checkin.models import Check
from enforcement.config import settings


def check_summaries(checks: list[Check]) -> list[rules.CheckSummary]:
    return [
        rules.CheckSummary(
            check_id=c.check_id,
            crew_id=c.crew_id,
            post=c.post or "",
            verified=c.status == "verified",
            reasons=tuple(str(r) for r in c.reasons or []),
            decided_at=clock.parse(c.decided_at or c.created_at),
            task_id=c.task_id,
            made_at=clock.parse(c.created_at),
            pending_review=c.status == "pending_review",
        )
        for c in checks
        if c.purpose == "duty" and c.status in ("verified", "failed", "pending_review")
    ]


def checks_since(vessel_id: str, since: str) -> list[Check]:
    """The vessel's checks made since `since`, oldest first: their keys from the `by_vessel`
    index (keys only, so a check's decision writes nothing there), then the checks themselves,
    a hundred to a BatchGetItem. Eventually consistent like the index they are found by."""
    found = [c.check_id for c in Check.by_vessel.query(vessel_id, Check.created_at >= since)]
    checks: list[Check] = []
    for start in range(0, len(found), MAX_KEYS):
        chunk = found[start : start + MAX_KEYS]
        reads = batch_get(ItemKey(Check, check_id, consistent=False) for check_id in chunk)
        checks.extend(c for c in (reads.item(Check, check_id) for check_id in chunk) if c)
    return checks


def manning(principal: Principal, vessel_id: str) -> dict[str, Any]:
    if principal.role is Role.CREW:
        vessel = vessel_for_crew(principal, vessel_id)[1]
    else:
        vessel = vessel_for_officer(principal, vessel_id, Action.READ)
    now = clock.now()
    valid_for = timedelta(hours=settings().check_valid_hours)
    since = clock.iso(now - valid_for)
    checks = checks_since(vessel_id, since)
    holders = postings_of_vessel(vessel_id)
    crews = {h.crew_id: load_crew(h.crew_id) for h in holders}
    met, reports = rules.manning_report(
        posts_of(vessel),
        [
            rules.Holder(
                h.crew_id, h.post, h.status, crews[h.crew_id].name or "", clock.parse(h.since)
            )
            for h in holders
        ],
        check_summaries(checks),
        {cid: certificates_of(c) for cid, c in crews.items()},
        now,
        valid_for,
    )
    return {
        "vessel_id": vessel_id,
        "vessel_name": vessel.name_zh,
        "manning_met": met,
        "as_of": clock.iso(now),
        "posts": [r.as_dict() for r in reports],
    }
