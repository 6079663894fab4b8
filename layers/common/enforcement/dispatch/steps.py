"""The steps of a draw, run by the Draw state machine: freeze and commit, reveal, draw, publish.

With a beacon configured (`DRAW_BEACON_URL`), the freeze names a future beacon round in the
snapshot and the reveal waits for it: BeaconNotReady until the round is out, which the state
machine retries on its own, the draw untouched meanwhile.

Each step looks at the draw's status first and does nothing twice: Step Functions retries a
failed step, and a retried step must not freeze a second population, reveal a second secret or
draw twice. Every transition is an audit entry of the system actor, so the commitment, the reveal
and the publication are in the hash-chained log too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from enforcement import audit, clock, documents, notify
from enforcement.dispatch import beacon, catalogue, draw, draws, risk
from enforcement.dispatch import inspectors as inspectors_ids
from enforcement.dispatch.models import (
    Assignment,
    DispatchTarget,
    Draw,
)
from enforcement.errors import Conflict
from enforcement.officers import InspectorProfile

SYSTEM = "system:draw"


def _transition(
    item: Draw,
    expected: str,
    action: str,
    details: dict[str, Any],
    updates: list[Any],
    extra: Any = None,
) -> bool:
    """Move the draw from `expected` with its audit entry; False when a retry got there first."""

    def writes(tx: TransactWrite) -> None:
        tx.update(item, actions=updates, condition=Draw.status == expected)
        if extra is not None:
            extra(tx)

    try:
        audit.commit(
            audit.AuditEvent(SYSTEM, action, f"draw:{item.draw_id}", details),
            writes,
            on_conflict=Conflict("draw_moved_on", "the draw moved on meanwhile"),
            agency=item.agency,
        )
    except Conflict:
        return False
    return True


def _state(item: Draw) -> dict[str, Any]:
    return {"draw_id": item.draw_id, "status": item.status}


def freeze(draw_id: str) -> dict[str, Any]:
    """Freeze the population into a snapshot, store it, publish its hash and the commitment."""
    item = draws.load_draw(draw_id)
    if item.status != "requested":
        return _state(item)
    version = catalogue.load_model(item.model_id or "")
    model = catalogue.parsed(version)
    agency = item.agency or ""
    targets = []
    for target in DispatchTarget.by_agency.query(agency):
        if target.kind != model.target_kind or target.model_id != model.model_id:
            continue
        # the level under the version this draw uses (targets scored under an older one move)
        level = model.score(dict(target.indicators or {}))
        targets.append(
            draw.Target(
                id=target.target_id,
                kind=target.kind,
                jurisdiction=target.jurisdiction,
                company=target.company_id,
                level=level.level,
                score=risk.decimal_text(level.score),
                last_team=tuple(target.last_team or ()),
            )
        )
    # inspectors by their public ids: no account name in a published document
    profiles = list(InspectorProfile.by_agency.query(agency))
    public = {profile.account_id: inspectors_ids.ensure(profile) for profile in profiles}
    inspectors = []
    conflicts: list[tuple[str, str]] = []
    for profile in profiles:
        inspectors.append(
            draw.Inspector(
                id=public[profile.account_id],
                jurisdiction=profile.jurisdiction,
                qualifications=tuple(profile.qualifications),
                on_duty=bool(profile.on_duty),
                load=max(0, int(profile.open_assignments or 0)),
            )
        )
        conflicts.extend(
            (public[profile.account_id], company) for company in profile.conflicts or []
        )
    # a previous team member without a profile here cannot be drawn anyway: left out
    targets = [
        replace(t, last_team=tuple(public[m] for m in t.last_team if m in public)) for t in targets
    ]
    frozen_at = clock.iso()
    wait = int(item.reveal_wait_seconds or 0)
    source = beacon.configured()
    named = None
    if source is not None:  # a round nobody knows before the reveal
        named = source.name_for(frozen_at, wait)
    snapshot = draw.make_snapshot(
        draw_id=draw_id,
        agency=agency,
        frozen_at=frozen_at,
        model={
            "model_id": model.model_id,
            "version": int(version.version),
            "hash": model.hash,
            "levels": [
                {
                    "level": lv.level,
                    "min_score": risk.decimal_text(lv.min_score, 12),
                    "rate": risk.rate_text(lv.rate),
                }
                for lv in model.levels
            ],
        },
        team_size=int(item.team_size or 2),
        targets=targets,
        inspectors=inspectors,
        conflicts=conflicts,
        beacon=named,
        reveal_wait_seconds=wait,
    )
    digest = draw.snapshot_hash(snapshot)
    key = f"{draws.SNAPSHOT_PREFIX}{draw_id}/{digest}.json"
    documents.put(key, snapshot)
    secret = draw.new_secret()
    committed = draw.commitment(secret)
    moved = _transition(
        item,
        "requested",
        "draw.commit",
        {
            "snapshot_hash": digest,
            "commitment": committed,
            "beacon": named,
            "targets": len(targets),
        },
        [
            Draw.status.set("committed"),
            Draw.model_version.set(int(version.version)),
            Draw.model_hash.set(model.hash),
            Draw.snapshot_key.set(key),
            Draw.snapshot_hash.set(digest),
            Draw.commitment.set(committed),
            Draw.secret.set(secret),
            Draw.committed_at.set(frozen_at),
            *([Draw.beacon.set(named)] if named else []),
        ],
    )
    item = draws.load_draw(draw_id)
    if not moved:
        return _state(item)
    return {
        **_state(item),
        "snapshot_hash": digest,
        "commitment": committed,
        "beacon": named,
        "targets": len(targets),
        "inspectors": len(inspectors),
    }


def reveal(draw_id: str) -> dict[str, Any]:
    """Publish the secret and the named beacon round's value; the seed follows from them and
    the snapshot hash. While the round is not published, BeaconNotReady (the state machine asks
    again) and the draw is left as it is."""
    item = draws.load_draw(draw_id)
    if item.status != "committed":
        return _state(item)
    value = _beacon_value(item)
    seed = draw.seed(item.secret or "", item.snapshot_hash or "", value)
    _transition(
        item,
        "committed",
        "draw.reveal",
        {"secret": item.secret, "seed": seed, "beacon": item.beacon, "beacon_value": value},
        [
            Draw.status.set("revealed"),
            Draw.seed.set(seed),
            *([Draw.beacon_value.set(value)] if item.beacon else []),
            Draw.revealed_at.set(clock.iso()),
        ],
    )
    return _state(draws.load_draw(draw_id))


def _beacon_value(item: Draw) -> str:
    """The value of the beacon round the draw named ("" when it named none)."""
    if not item.beacon:
        return ""
    source = beacon.configured()
    if source is None:
        raise beacon.BeaconError(f"{item.draw_id} names {item.beacon}; no beacon is configured")
    return source.fetch(item.beacon, clock.now()).randomness


def select(draw_id: str) -> dict[str, Any]:
    """Draw the targets and teams from the stored snapshot; store the result and assignments."""
    item = draws.load_draw(draw_id)
    if item.status != "revealed":
        return _state(item)
    snapshot = draws.snapshot_of(item)
    if draw.snapshot_hash(snapshot) != item.snapshot_hash:
        raise RuntimeError(f"stored snapshot of {draw_id} does not match its published hash")
    published = draw.publish(snapshot, item.secret or "", item.beacon_value or "")
    key = f"{draws.RESULT_PREFIX}{draw_id}/{published['result_hash']}.json"
    documents.put(key, published)
    # the published teams name public ids; assignments (internal) keep account ids
    members = sorted({m for pick in published["selected"] for m in pick["team"]})
    account = dict(
        zip(members, inspectors_ids.to_accounts(snapshot, item.agency or "", members), strict=True)
    )
    rows = [
        Assignment(
            draw_id,
            pick["target"],
            agency=item.agency or "",
            level=pick["level"],
            ticket=pick["ticket"],
            order=order,
            team=[account[m] for m in pick.get("team") or []],
            status="assigned" if pick.get("team") else "unstaffed",
        )
        for order, pick in enumerate([*published["selected"], *published["unstaffed"]])
    ]
    # deterministic rows: a retried step writes the same items again
    with Assignment.batch_write() as batch:
        for row in rows:
            batch.save(row)
    _transition(
        item,
        "revealed",
        "draw.select",
        {"result_hash": published["result_hash"], "selected": len(published["selected"])},
        [
            Draw.status.set("drawn"),
            Draw.result_key.set(key),
            Draw.result_hash.set(published["result_hash"]),
            Draw.selected_count.set(len(published["selected"])),
            Draw.unstaffed_count.set(len(published["unstaffed"])),
            Draw.drawn_at.set(clock.iso()),
        ],
    )
    return {**_state(draws.load_draw(draw_id)), "selected": len(published["selected"])}


def publish(draw_id: str) -> dict[str, Any]:
    """Count the assignments into workloads, remember each target's team, tell the inspectors,
    and mark the draw published."""
    item = draws.load_draw(draw_id)
    if item.status != "drawn":
        return _state(item)
    rows = [row for row in draws.assignments(draw_id) if row.status == "assigned"]
    per_inspector: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for member in row.team:
            per_inspector[member].append(row.target_id)
        DispatchTarget(row.target_id).update(
            actions=[
                DispatchTarget.last_team.set(list(row.team)),
                DispatchTarget.last_draw_id.set(draw_id),
            ],
            condition=DispatchTarget.target_id.exists(),
        )
    for member, targets in sorted(per_inspector.items()):
        try:
            InspectorProfile(member).update(
                actions=[
                    InspectorProfile.open_assignments.add(len(targets)),
                    InspectorProfile.last_draw_id.set(draw_id),
                ],
                condition=InspectorProfile.last_draw_id != draw_id,
            )
        except UpdateError as exc:  # counted by an earlier attempt of this step
            if getattr(exc, "cause_response_code", "") != "ConditionalCheckFailedException":
                raise
    notes = []
    for member, targets in sorted(per_inspector.items()):
        note = notify.notification(
            member,
            "dispatch.assigned",
            f"Inspection assignment: {len(targets)} target(s)",
            "You were drawn for on-site inspection; see the draw for targets and your team.",
            {"draw_id": draw_id, "targets": targets[:50]},
        )
        # one notification per inspector and draw, whatever the retries
        note.notification_key = f"{item.requested_at}#{draw_id}"
        note.save()
        notes.append(note)
    moved = _transition(
        item,
        "drawn",
        "draw.publish",
        {"assignments": len(rows), "inspectors": len(per_inspector)},
        [Draw.status.set("published"), Draw.published_at.set(clock.iso())],
    )
    if moved:
        notify.publish(notes)
    return {**_state(draws.load_draw(draw_id)), "notified": len(notes)}


def fail(draw_id: str, error: str) -> dict[str, Any]:
    """A step gave up: the draw is marked failed (it never reaches the public as published)."""
    item = draws.load_draw(draw_id)
    if item.status in ("published", "failed"):
        return _state(item)
    item.update(actions=[Draw.status.set("failed"), Draw.error.set(error[:500])])
    return _state(draws.load_draw(draw_id))
