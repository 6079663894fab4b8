"""The pure rules of random dispatch that the services apply: no I/O, each stated in its
docstring.

The rules of the score and of the draw itself are not repeated here; they live where the
published specification (`docs/draw-specification.md`) names their reference implementation,
and are read there:

- a target's score and level, and a level's rate: `risk.RiskModel.score` and `level_of`
  (each level's targets are drawn at its `rate`, an exact decimal in [0, 1]);
- which targets are drawn: `draw.threshold` and `draw.ticket` (selected when the ticket is below
  `floor(rate * 2^64)`);
- who is eligible for a target (on duty, same jurisdiction, qualified for its kind, not
  conflicted with its company, not on its last team) and who goes first (least load, ties by
  hash order): `draw.run` (step 4) and `draw.redraw_team`;
- the snapshot, the commitment, the seed and the result hash: `draw.py`, `snapshot.py`.

They stay there rather than here because third parties re-derive draws from that text and those
modules (and the test vectors hold them to it); a copy here would be a second home for one rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

#: Draw statuses, in the order a draw goes through them (`failed` when a step gave up).
DrawStatus = Literal["requested", "committed", "revealed", "drawn", "published", "failed"]
#: What an assignment is: a team is on it, no team could be found, or the result is recorded.
AssignmentStatus = Literal["assigned", "unstaffed", "inspected"]
#: How names appear on public pages.
NameMode = Literal["masked", "full", "none"]

#: Statuses in which a draw's page is public: from its commitment on.
PUBLIC_STATUSES = ("committed", "revealed", "drawn", "published")
#: Statuses in which the secret, the beacon value and the seed are shown.
REVEALED_STATUSES = ("revealed", "drawn", "published")
#: Statuses in which the result document exists.
DRAWN_STATUSES = ("drawn", "published")
#: How many past inspections a target's record keeps.
HISTORY_KEPT = 20


def public(status: str | None) -> bool:
    """A draw is public from its commitment on: before it, nothing of it is shown to anyone
    outside the agency (its population is not frozen yet)."""
    return status in PUBLIC_STATUSES


def revealed(status: str | None) -> bool:
    """The secret, the beacon value and the seed are shown only from the reveal on; before it
    they would let anyone compute the draw the agency has committed to."""
    return status in REVEALED_STATUSES


def drawn(status: str | None) -> bool:
    """A draw has a result document once it is drawn (and after it is published)."""
    return status in DRAWN_STATUSES


def may_record(assignment_status: str) -> bool:
    """An inspection result is recorded once, on an assignment that has a team and no result."""
    return assignment_status == "assigned"


def may_redraw(draw_status: str | None) -> bool:
    """Only a published draw's teams are redrawn: before that nobody has been told of them."""
    return draw_status == "published"


def redraw_excluded(previous_team: Iterable[str], redraws: Iterable[Mapping[str, Any]]) -> set[str]:
    """A redrawn team never includes anyone who was on a team of that target before: the team
    being replaced and every earlier one."""
    return set(previous_team) | {m for r in redraws for m in r.get("previous_team", [])}


def merged_conflicts(existing: Iterable[str] | None, declared: Iterable[str]) -> list[str]:
    """Conflicts of interest only accumulate: a declaration or an admin's update of the profile
    adds companies, none removes one (an inspector is never drawn for a company in conflict, and
    a conflict dropped silently would let them be again). Sorted, without repeats."""
    return sorted(set(existing or []) | set(declared))


def target_history(
    entry: Mapping[str, Any], history: Iterable[Mapping[str, Any]] | None
) -> list[Mapping[str, Any]]:
    """A target's record keeps its latest inspections, newest first, at most `HISTORY_KEPT`."""
    return [entry, *(history or [])][:HISTORY_KEPT]


def scheduled_draw_id(agency: str, scheduled_for: str) -> str:
    """The id of an agency's scheduled draw follows from the agency and the scheduled time
    (`draw-` and the first 16 hex digits of SHA-256 of `agency ␟ time`), so a schedule event
    delivered twice names the same draw and starts nothing new."""
    digest = hashlib.sha256(f"{agency}\x1f{scheduled_for}".encode()).hexdigest()[:16]
    return f"draw-{digest}"
