"""The steps of a draw, run by the Draw state machine: freeze and commit, reveal, draw, publish.

With a beacon configured (`DRAW_BEACON_URL`), the freeze names a future beacon round in the
snapshot and the reveal waits for it: BeaconNotReady until the round is out, which the state
machine retries on its own, the draw untouched meanwhile.

Each step looks at the draw's status first and does nothing twice: Step Functions retries a
failed step, and a retried step must not freeze a second population, reveal a second secret or
draw twice. Every transition is an audit entry of the system actor, so the commitment, the reveal
and the publication are in the hash-chained log too.

A step reads the draw once. Given the draw's agency (the freeze answers it, and the state machine
hands it to the later steps), it reads the draw and the head of the audit chain its transition
goes to in one BatchGetItem, and hands the head to `audit.commit`; without it, the draw alone.
What a step answers comes from the draw it read and the transition it made, not a second read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from enforcement import audit, clock, documents, notify
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.dispatch import beacon, catalogue, draw, draws, risk
from enforcement.dispatch import inspectors as inspectors_ids
from enforcement.dispatch.models import (
    HEAD_VERSION,
    Assignment,
    DispatchTarget,
    Draw,
    RiskModelVersion,
)
from enforcement.errors import Conflict, NotFound
from enforcement.models import Notification
from enforcement.officers import InspectorProfile

SYSTEM = "system:draw"


def _chain(draw_id: str, agency: str) -> str:
    """The audit chain of the draw's transitions (every step's lands in the same one)."""
    event = audit.AuditEvent(SYSTEM, "draw.commit", f"draw:{draw_id}", {})
    return audit.chain_of(event, None, agency)


def _load(draw_id: str, agency: str | None) -> tuple[Draw, Any]:
    """The draw and the head of its audit chain in one read, given the draw's agency; the draw
    alone otherwise (the head then `audit.UNREAD`, as when the agency is not the draw's)."""
    if not agency:
        return draws.load_draw(draw_id), audit.UNREAD
    chain = _chain(draw_id, agency)
    reads = batch_get([ItemKey(Draw, draw_id), audit.head_key(chain)])
    item = reads.item(Draw, draw_id)
    if item is None:
        raise NotFound("draw_not_found", f"no draw {draw_id}")
    if item.agency != agency:
        return item, audit.UNREAD
    return item, reads.item(audit.AuditEntry, chain, audit.HEAD_SEQ)


def _transition(
    item: Draw,
    expected: str,
    action: str,
    details: dict[str, Any],
    updates: list[Any],
    extra: Any = None,
    head: Any = audit.UNREAD,
) -> bool:
    """Move the draw from `expected` with its audit entry; False when a retry got there first.
    `head`: the audit chain's head as read with the draw (`_load`)."""

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
            known_head=head,
        )
    except Conflict:
        return False
    return True


def _state(item: Draw, status: str | None = None) -> dict[str, Any]:
    """What a step answers: the draw, its agency (the later steps' input) and its status."""
    return {"draw_id": item.draw_id, "agency": item.agency, "status": status or item.status}


def _after(item: Draw, moved: bool, status: str) -> dict[str, Any]:
    """The draw's state after a transition to `status`: read again only when a concurrent
    attempt moved it first."""
    return _state(item, status) if moved else _state(draws.load_draw(item.draw_id))


def freeze(draw_id: str, agency: str | None = None) -> dict[str, Any]:
    """Freeze the population into a snapshot, store it, publish its hash and the commitment.
    (`agency` is not needed: the freeze reads the draw first, for its model, and answers the
    agency the later steps are handed.)"""
    item = draws.load_draw(draw_id)
    if item.status != "requested":
        return _state(item)
    # the chain's head and the model's head (which names its latest version) in one read
    model_id, chain = item.model_id or "", _chain(draw_id, item.agency or "")
    reads = batch_get([audit.head_key(chain), ItemKey(RiskModelVersion, model_id, HEAD_VERSION)])
    head = reads.item(audit.AuditEntry, chain, audit.HEAD_SEQ)
    model_head = reads.item(RiskModelVersion, model_id, HEAD_VERSION)
    if model_head is None:
        raise NotFound("model_not_found", f"no risk model {model_id}")
    version = catalogue.load_model(model_id, int(model_head.latest or 0))
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
        head=head,
    )
    if not moved:
        return _state(draws.load_draw(draw_id))
    return {
        **_state(item, "committed"),
        "snapshot_hash": digest,
        "commitment": committed,
        "beacon": named,
        "targets": len(targets),
        "inspectors": len(inspectors),
    }


def reveal(draw_id: str, agency: str | None = None) -> dict[str, Any]:
    """Publish the secret and the named beacon round's value; the seed follows from them and
    the snapshot hash. While the round is not published, BeaconNotReady (the state machine asks
    again) and the draw is left as it is."""
    item, head = _load(draw_id, agency)
    if item.status != "committed":
        return _state(item)
    value = _beacon_value(item)
    seed = draw.seed(item.secret or "", item.snapshot_hash or "", value)
    moved = _transition(
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
        head=head,
    )
    return _after(item, moved, "revealed")


def _beacon_value(item: Draw) -> str:
    """The value of the beacon round the draw named ("" when it named none)."""
    if not item.beacon:
        return ""
    source = beacon.configured()
    if source is None:
        raise beacon.BeaconError(f"{item.draw_id} names {item.beacon}; no beacon is configured")
    return source.fetch(item.beacon, clock.now()).randomness


def select(draw_id: str, agency: str | None = None) -> dict[str, Any]:
    """Draw the targets and teams from the stored snapshot; store the result and assignments."""
    item, head = _load(draw_id, agency)
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
    moved = _transition(
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
        head=head,
    )
    return {**_after(item, moved, "drawn"), "selected": len(published["selected"])}


def publish(draw_id: str, agency: str | None = None) -> dict[str, Any]:
    """Count the assignments into workloads, remember each target's team, tell the inspectors,
    and mark the draw published.

    Each target's team and each inspector's count is its own conditional UpdateItem (a batch
    cannot update, and a transaction would bill each item twice); the inbox notes, plain puts
    under keys fixed per inspector and draw, go in BatchWriteItems."""
    item, head = _load(draw_id, agency)
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
        notes.append(note)
    with Notification.batch_write() as batch:
        for note in notes:
            batch.save(note)
    moved = _transition(
        item,
        "drawn",
        "draw.publish",
        {"assignments": len(rows), "inspectors": len(per_inspector)},
        [Draw.status.set("published"), Draw.published_at.set(clock.iso())],
        head=head,
    )
    if moved:
        notify.publish(notes)
    return {**_after(item, moved, "published"), "notified": len(notes)}


def fail(draw_id: str, error: str) -> dict[str, Any]:
    """A step gave up: the draw is marked failed (it never reaches the public as published)."""
    item = draws.load_draw(draw_id)
    if item.status in ("published", "failed"):
        return _state(item)
    item.update(actions=[Draw.status.set("failed"), Draw.error.set(error[:500])])
    return _state(item)  # the update answers the item as stored
