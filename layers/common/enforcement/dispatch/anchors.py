"""Verification anchored on what a draw published, not on the documents one is handed.

Re-running a snapshot and a result only shows that they agree with each other: anyone can take
a real draw's id, commitment, secret and beacon value, change the snapshot (drop a target,
lower a level) and rebuild a result that agrees with it. What cannot be rebuilt is what the
draw page published *before* the outcome was known: the snapshot hash and the commitment at the
commitment (with the commitment time, the reveal wait and the beacon round named), then the
secret and the beacon value at the reveal, the seed, and the result hash once drawn.
`verify(published, snapshot, anchors)` holds the documents to those values first (any mismatch:
"not the published draw"), checks the anchors against each other (the secret opens the
commitment, the seed follows, the beacon round follows from the commitment time and the wait),
and only then re-runs the draw. No AWS, no I/O: the endpoint, the verify command and tests use
it alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from enforcement.dispatch import beacon, draw, layout
from enforcement.dispatch.risk import ModelError

REVEALED = ("revealed", "drawn", "published")
NOT_PUBLISHED = "not the published draw"

Verdict = Literal["identical", "not_the_published_draw", "differs"]


@dataclass(frozen=True)
class Anchors:
    """What a draw's page published: from the commitment on (snapshot hash, commitment, time,
    reveal wait, beacon round), from the reveal on (secret, beacon value, seed, reveal time),
    and once drawn the result hash."""

    draw_id: str
    status: str
    snapshot_hash: str | None = None
    commitment: str | None = None
    committed_at: str | None = None
    reveal_wait_seconds: int | None = None
    beacon: str | None = None
    secret: str | None = None
    beacon_value: str | None = None
    revealed_at: str | None = None
    seed: str | None = None
    result_hash: str | None = None

    @classmethod
    def from_page(cls, page: Mapping[str, Any]) -> Anchors:
        """The anchors of a draw page (`GET /public/draws/{id}`, or one saved from it)."""
        if not isinstance(page, Mapping) or not isinstance(page.get("draw_id"), str):
            raise ModelError("not a draw page: no draw_id")

        def text(key: str) -> str | None:
            value = page.get(key)
            return value if isinstance(value, str) and value else None

        wait = page.get("reveal_wait_seconds")
        return cls(
            draw_id=page["draw_id"],
            status=str(page.get("status") or ""),
            snapshot_hash=text("snapshot_hash"),
            commitment=text("commitment"),
            committed_at=text("committed_at"),
            reveal_wait_seconds=wait if isinstance(wait, int) and wait >= 0 else None,
            beacon=text("beacon"),
            secret=text("secret"),
            beacon_value=text("beacon_value"),
            revealed_at=text("revealed_at"),
            seed=text("seed"),
            result_hash=text("result_hash"),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The outcome: `identical` only when the documents are the published draw's and re-run
    to the same result; `not_the_published_draw` when they differ from what the draw published;
    `differs` when they are its documents but do not re-run to its result, or the draw's own
    published values do not agree with each other."""

    verdict: Verdict
    differences: list[str] = field(default_factory=list)
    round_rule_checked: bool = False

    @property
    def identical(self) -> bool:
        return self.verdict == "identical"


def _snapshot_hash(snapshot: Mapping[str, Any]) -> str | None:
    try:
        return draw.snapshot_hash(snapshot)
    except (ModelError, TypeError, ValueError):
        return None


def _same(value: Any, anchored: str | None) -> bool:
    return (value or None) == anchored


def _short(value: Any) -> str:
    text = "(none)" if value in (None, "") else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def against_anchors(
    published: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    anchors: Anchors,
    digest: str | None = None,
) -> list[str]:
    """Where the documents differ from what the draw published (empty: they are its own)."""
    if anchors.status not in REVEALED:
        return [
            f"status: draw {anchors.draw_id} is {anchors.status or 'not public'}; its secret is "
            "not revealed, so no documents can be its published draw yet"
        ]
    lines: list[str] = []

    def check(what: str, given: Any, anchored: Any, when: str, document: str) -> None:
        if not _same(given, anchored):
            lines.append(
                f"{what}: the draw published {_short(anchored)} {when}, "
                f"the {document} gives {_short(given)}"
            )

    if digest is None:
        digest = _snapshot_hash(snapshot)
    if digest != anchors.snapshot_hash:
        lines.append(
            f"snapshot_hash: the draw published {_short(anchors.snapshot_hash)} at its "
            f"commitment, the snapshot given hashes to {_short(digest)}"
        )
    check("draw_id", snapshot.get("draw_id"), anchors.draw_id, "", "snapshot")
    check("draw_id", published.get("draw_id"), anchors.draw_id, "", "result")
    commit = "at its commitment"
    check("snapshot_hash", published.get("snapshot_hash"), anchors.snapshot_hash, commit, "result")
    check("commitment", published.get("commitment"), anchors.commitment, commit, "result")
    check(
        "frozen_at",
        snapshot.get("frozen_at"),
        anchors.committed_at,
        "as commitment time",
        "snapshot",
    )
    check("beacon", snapshot.get("beacon"), anchors.beacon, commit, "snapshot")
    if "reveal_wait_seconds" in snapshot:  # version 2 on: the wait is in the committed hash
        wait = snapshot.get("reveal_wait_seconds")
        if wait != anchors.reveal_wait_seconds:
            lines.append(
                f"reveal_wait_seconds: the draw published {_short(anchors.reveal_wait_seconds)}, "
                f"the snapshot gives {_short(wait)}"
            )
    check("secret", published.get("secret"), anchors.secret, "at its reveal", "result")
    check(
        "beacon_value",
        published.get("beacon_value"),
        anchors.beacon_value,
        "at its reveal",
        "result",
    )
    check("seed", published.get("seed"), anchors.seed, "at its reveal", "result")
    if anchors.result_hash is not None:
        try:
            given: str | None = draw.result_hash(published)
        except (ModelError, TypeError, ValueError):
            given = None
        if given != anchors.result_hash:
            lines.append(
                f"result_hash: the draw published {anchors.result_hash} when drawn, "
                f"the result given hashes to {_short(given)}"
            )
    return lines


def anchors_agree(anchors: Anchors, chain: beacon.Chain | None = None) -> tuple[list[str], bool]:
    """Where the draw's published values contradict each other, and whether the beacon round
    rule could be checked (it needs the chain's genesis and period)."""
    lines: list[str] = []
    secret = anchors.secret or ""
    if not layout.HEX64.fullmatch(secret):
        return ["secret: the published secret is not 32 bytes in lowercase hex"], False
    if draw.commitment(secret) != anchors.commitment:
        lines.append("commitment: the revealed secret does not open the published commitment")
    if layout.HEX64.fullmatch(anchors.snapshot_hash or ""):
        expected = draw.seed(secret, anchors.snapshot_hash or "", anchors.beacon_value or "")
        if expected != anchors.seed:
            lines.append(
                f"seed: the draw published {_short(anchors.seed)}, its secret, snapshot hash "
                f"and beacon value give {expected}"
            )
    if anchors.beacon and not anchors.beacon_value:
        lines.append(f"beacon_value: the draw names {anchors.beacon} and published no value")
    checked = False
    if anchors.beacon and chain is not None:
        try:
            chain_hash, named = beacon.parse_name(anchors.beacon)
        except beacon.BeaconError as exc:
            return [*lines, f"beacon: {exc}"], False
        if (
            chain_hash == chain.chain_hash
            and anchors.committed_at
            and anchors.reveal_wait_seconds is not None
        ):
            try:
                lines.extend(_round_rule(anchors, chain, named))
            except (ValueError, beacon.BeaconError) as exc:
                return [*lines, f"beacon: the round rule cannot be checked ({exc})"], False
            checked = True
    return lines, checked


def _round_rule(anchors: Anchors, chain: beacon.Chain, named: int) -> list[str]:
    """The round named is the first after the commitment time plus the wait, and the reveal
    did not come before it."""
    lines = []
    rule = chain.round_for(anchors.committed_at or "", anchors.reveal_wait_seconds or 0)
    if named != rule:
        lines.append(
            f"beacon: the draw names round {named}; committed at {anchors.committed_at} "
            f"with a reveal wait of {anchors.reveal_wait_seconds} s it had to name {rule}"
        )
    if anchors.revealed_at and (
        beacon.epoch_ms(anchors.revealed_at) < 1000 * chain.round_time(named)
    ):
        lines.append(
            f"revealed_at: revealed at {anchors.revealed_at}, before round {named} came out"
        )
    return lines


def verify(
    published: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    anchors: Anchors,
    chain: beacon.Chain | None = None,
) -> Report:
    """Hold the documents to the draw's anchors, the anchors to each other, and re-run the
    draw (`draw.verify`). `chain`: the beacon chain's timing, to check the round rule."""
    for name, document in (("result", published), ("snapshot", snapshot)):
        if not isinstance(document, Mapping):
            return Report("not_the_published_draw", [f"{name}: not a JSON object"])
    digest = _snapshot_hash(snapshot)  # hashed once, for the anchors and the re-run
    apart = against_anchors(published, snapshot, anchors, digest)
    if anchors.status not in REVEALED:
        return Report("not_the_published_draw", apart)
    own, checked = anchors_agree(anchors, chain)
    rerun = draw.verify(published, snapshot, digest)
    if apart:
        return Report("not_the_published_draw", [*apart, *own, *rerun], checked)
    if own or rerun:
        return Report("differs", [*own, *rerun], checked)
    return Report("identical", [], checked)


def unanchored(published: Mapping[str, Any], snapshot: Mapping[str, Any]) -> list[str]:
    """What a re-run without anchors can still say: the documents' disagreements with each
    other (an empty list proves nothing about being the published draw)."""
    return draw.verify(published, snapshot)
