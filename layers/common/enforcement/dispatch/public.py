"""What anyone sees of the draws, without a token: draw pages, their documents, verification.

Public pages name inspectors by their public ids (`dispatch.inspectors`), never by account id,
and show names as `DISPATCH_PUBLIC_NAMES` says (masked by default). Each draw page publishes,
from the commitment on, what verification anchors on: the snapshot hash, the commitment, its
time, the reveal wait and the beacon round named (with the chain's timing, so the round rule can
be checked); from the reveal on the secret, the beacon value and the seed; once drawn the result
hash. Verification (`GET /public/draws/{id}/verify`, `POST /public/verify`) always holds the
documents to those values (`dispatch.anchors`): documents that are not the published draw's are
said to be so, however well they agree with each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from enforcement import clock, masking, uploads
from enforcement.config import settings
from enforcement.dispatch import anchors, beacon, inspectors, risk, rules
from enforcement.dispatch.draws import (
    LINK_TTL_SECONDS,
    assignment_view,
    assignments,
    draw_view,
    load_draw,
    published_of,
    snapshot_link,
    snapshot_of,
)
from enforcement.dispatch.models import Assignment, DispatchTarget, Draw
from enforcement.errors import BadRequest, NotFound
from enforcement.models import Account

#: How long the public verification waits for the beacon.
BEACON_CHECK_SECONDS = 3.0
DRAW_ID = re.compile(r"draw-[0-9a-f]{16}")
BATCH = 100


# ------------------------------------------------------------------ draw pages


def mask(name: str | None) -> str | None:
    """A name as this deployment shows it in public (`DISPATCH_PUBLIC_NAMES`, masked by default)."""
    return masking.mask_name(name, settings().dispatch_public_names)


def _names(account_ids: Iterable[str]) -> dict[str, str | None]:
    ids = sorted(set(account_ids))
    found: dict[str, str | None] = dict.fromkeys(ids)
    for n in range(0, len(ids), BATCH):
        for account in Account.batch_get(ids[n : n + BATCH]):
            found[account.account_id] = mask(account.name)
    return found


def beacon_chain() -> dict[str, Any] | None:
    """The timing of the beacon chain this deployment names rounds of (None without one)."""
    source = beacon.configured()
    if source is None:
        return None
    return {
        "chain_hash": source.chain.chain_hash,
        "genesis_time": source.chain.genesis,
        "period": source.chain.period,
        "relay": source.url,
    }


def page(item: Draw) -> dict[str, Any]:
    """A draw as the public sees it, with what verification anchors on."""
    view = draw_view(item, public=True)
    view["reveal_wait_seconds"] = (
        int(item.reveal_wait_seconds) if item.reveal_wait_seconds is not None else None
    )
    view["beacon_chain"] = beacon_chain() if item.beacon else None
    return view


def public_draws(agency: str, limit: int = 50) -> list[dict[str, Any]]:
    items = Draw.by_agency.query(agency, scan_index_forward=False, limit=limit * 2)
    return [page(i) for i in items if rules.public(i.status)][:limit]


def _members(row: Assignment) -> list[str]:
    """Every account an assignment names: its team, earlier teams, who recorded the result."""
    found = list(row.team)
    for entry in row.redraws or []:
        found += [*entry.get("previous_team", []), *entry.get("team", [])]
    if row.result and row.result.get("recorded_by"):
        found.append(str(row.result["recorded_by"]))
    return found


def assignment_public_view(
    row: Assignment, public_ids: dict[str, str], names: dict[str, str | None]
) -> dict[str, Any]:
    """An assignment without account ids: inspectors by public id (None for one without),
    names as configured, photos only counted, redraws without who asked for them."""

    def public(ids: Iterable[str]) -> list[str | None]:
        return [public_ids.get(i) for i in ids]

    view = assignment_view(row)
    view["team"] = public(row.team)
    view["team_names"] = [names.get(member) for member in row.team]
    view["photos_accepted"] = sum(1 for p in view.pop("photos") if p["status"] == "accepted")
    view.pop("photo_keys")
    if row.result:
        result = dict(row.result)
        if result.get("recorded_by"):
            result["recorded_by"] = public_ids.get(str(result["recorded_by"]))
        view["result"] = result
    view["redraws"] = [
        {
            "n": entry.get("n"),
            "at": entry.get("at"),
            "reason": entry.get("reason"),
            "previous_team": public(entry.get("previous_team", [])),
            "team": public(entry.get("team", [])),
        }
        for entry in row.redraws or []
    ]
    return view


def public_draw(draw_id: str) -> dict[str, Any]:
    item = load_draw(draw_id)
    if not rules.public(item.status):
        raise NotFound("draw_not_public", "this draw has not committed to its population yet")
    view = page(item)
    view["snapshot_url"] = snapshot_link(item)
    if rules.drawn(item.status):
        rows = assignments(draw_id)
        accounts = {a for row in rows for a in _members(row)}
        public_ids = inspectors.public_ids(accounts)
        names = _names(m for row in rows for m in row.team)
        view["assignments"] = [assignment_public_view(row, public_ids, names) for row in rows]
        targets: dict[str, DispatchTarget] = {}
        for n in range(0, len(rows), BATCH):
            for found in DispatchTarget.batch_get([r.target_id for r in rows[n : n + BATCH]]):
                targets[found.target_id] = found
        for row in view["assignments"]:
            target = targets.get(row["target_id"])
            row["target_name"] = target.name if target else None
            row["company_name"] = mask(target.company_name) if target else None
    return view


# ------------------------------------------------------------------ documents


def inline_limit() -> int:
    """Largest document answered in the response body; larger ones are answered with a link
    (a Lambda response is at most 6 MB, and a 100k-target snapshot is about 11 MiB)."""
    return settings().public_document_inline_bytes


def _document_or_link(key: str, load: Callable[[], dict[str, Any]]) -> dict[str, Any] | str:
    size = int(
        uploads.s3_client().head_object(Bucket=settings().upload_bucket, Key=key)["ContentLength"]
    )
    if size > inline_limit():
        return uploads.link(key, LINK_TTL_SECONDS)
    return load()


def public_snapshot(draw_id: str) -> dict[str, Any] | str:
    """The frozen population, or a presigned link to it when it is too large to answer inline."""
    item = load_draw(draw_id)
    if not rules.public(item.status):
        raise NotFound("draw_not_public", "this draw has not committed to its population yet")
    return _document_or_link(item.snapshot_key or "", lambda: snapshot_of(item))


def public_result(draw_id: str) -> dict[str, Any] | str:
    """The published result document, or a presigned link to it when it is too large."""
    item = load_draw(draw_id)
    if not rules.drawn(item.status) or not item.result_key:
        raise NotFound("result_not_ready", "this draw has not been drawn yet")
    return _document_or_link(item.result_key, lambda: published_of(item))


# ------------------------------------------------------------------ verification


def anchors_of(item: Draw) -> anchors.Anchors:
    """What the draw's page has published so far (nothing of the reveal before it)."""
    return anchors.Anchors.from_page(page(item))


def _published_draw(draw_id: Any) -> Draw | None:
    if not isinstance(draw_id, str) or not DRAW_ID.fullmatch(draw_id):
        return None
    try:
        item = load_draw(draw_id)
    except NotFound:
        return None
    return item if rules.public(item.status) else None


def verify_documents(published: dict[str, Any], snapshot: dict[str, Any]) -> dict[str, Any]:
    """Documents someone holds, held to the draw they name: the anchors of its page first,
    then a re-run; the beacon round checked against the beacon when this deployment reads one."""
    try:
        published = risk.strict_loads(json.dumps(published))
        snapshot = risk.strict_loads(json.dumps(snapshot))
    except risk.ModelError as exc:
        raise BadRequest("float_in_document", str(exc)) from exc
    item = _published_draw(published.get("draw_id"))
    if item is None:
        return {
            "identical": False,
            "verdict": "not_the_published_draw",
            "differences": [
                f"draw_id: no published draw is named {str(published.get('draw_id'))[:80]!r}"
            ],
            "snapshot_hash": _text(published.get("snapshot_hash")),
            "result_hash": _text(published.get("result_hash")),
            "anchors": None,
            "beacon": None,
        }
    return _report(published, snapshot, item)


def public_verify(draw_id: str) -> dict[str, Any]:
    """The stored documents of a draw, held to its page's anchors and re-run."""
    item = load_draw(draw_id)
    return _report(published_of(item), snapshot_of(item), item)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _report(published: dict[str, Any], snapshot: dict[str, Any], item: Draw) -> dict[str, Any]:
    anchored = anchors_of(item)
    source = beacon.configured()
    report = anchors.verify(published, snapshot, anchored, source.chain if source else None)
    checked = _beacon_report(snapshot, published, anchored, report.differences)
    if checked is not None:
        checked["round_rule_checked"] = report.round_rule_checked
    verdict = report.verdict
    if verdict == "identical" and report.differences:  # the beacon itself disagreed
        verdict = "differs"
    return {
        "identical": verdict == "identical",
        "verdict": verdict,
        "differences": report.differences,
        "snapshot_hash": _text(published.get("snapshot_hash")),
        "result_hash": _text(published.get("result_hash")),
        "anchors": anchored.as_dict(),
        "beacon": checked,
    }


def _beacon_report(
    snapshot: dict[str, Any],
    published: dict[str, Any],
    anchored: anchors.Anchors,
    differences: list[str],
) -> dict[str, Any] | None:
    """The named beacon round, checked against the beacon when one is configured: published
    after the freeze, with the value the documents (and the draw page) give. Adds what differs
    to `differences`."""
    name = snapshot.get("beacon") or anchored.beacon
    if not name:
        return None
    name, value = str(name), str(published.get("beacon_value") or "")
    report: dict[str, Any] = {"name": name, "value": value, "checked": False, "note": None}
    source = beacon.configured()
    if source is None:
        report["note"] = "no beacon is configured here; check it with the verify command"
        return report
    try:
        published_at = source.published_at(name)
        frozen_at = str(snapshot.get("frozen_at") or anchored.committed_at or "")
        late = beacon.not_after_freeze(name, published_at, frozen_at)
        differences.extend([late] if late else [])
        fetched = source.fetch(name, clock.now(), timeout=BEACON_CHECK_SECONDS)
    except (beacon.BeaconError, ValueError) as exc:
        report["note"] = f"not checked: {exc}"
        return report
    report["checked"] = True
    if fetched.randomness != value:
        differences.append(
            f"beacon_value: published {value or '(none)'}, the beacon gives {fetched.randomness}"
        )
    # the draw's own value, when the documents gave another
    if name == anchored.beacon and anchored.beacon_value not in (None, value, fetched.randomness):
        differences.append(
            f"beacon_value: the draw published {anchored.beacon_value} at its reveal, "
            f"the beacon gives {fetched.randomness}"
        )
    return report
