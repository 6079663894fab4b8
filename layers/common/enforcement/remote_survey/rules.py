"""Pure rules of the remote survey: no I/O, each stated in its docstring. One section per
aggregate (`# ---- <part>`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from enforcement import clock
from enforcement.forms import Problem

# ---- declarations

#: The refusal of an answer to a calculation or a note (the backend computes the one, the other
#: is only shown).
NOT_ANSWERED_MESSAGE = "this field is computed or only shown: it takes no answer"


def stored_answer(value: Any) -> Any:
    """An answer as a declaration stores it (JSON): dates as `YYYY-MM-DD`, decimals as their
    exact text, integers, text and lists of choice names as they are; None stays None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def merge_problems(form: list[Problem], consistency: list[Problem]) -> list[Problem]:
    """Every problem at once, one per field: the form's (required, constraint, type; in survey
    order) first, then the checks against data for the fields the form found nothing wrong
    with (a seat that is not a seat is not also "not the manifest's seat")."""
    seen = {item.field for item in form}
    merged = list(form)
    for item in consistency:
        if item.field not in seen:
            seen.add(item.field)
            merged.append(item)
    return merged


# ---- clearance

#: What an officer may decide for a scanned declaration. Released: the traveller leaves the
#: port; referred (on-site survey) and sampled (a sample taken): the traveller is held and the
#: declaration is kept beyond the retention period.
DISPOSITIONS: tuple[str, ...] = ("released", "referred", "sampled")
HELD: frozenset[str] = frozenset({"referred", "sampled"})

#: The disposition each outcome of decision support recommends. `remote_survey` recommends
#: none by itself: the remote survey decides, so once it has ended any disposition follows it.
RECOMMENDED: dict[str, str] = {
    "release": "released",
    "onsite_referral": "referred",
    "sampling": "sampled",
}


def on_block(scheduled: str, actual: str | None) -> str:
    """When the flight's clearance clock starts: its actual on-block time, else the scheduled
    one (the port system may send the actual time late or never)."""
    return actual or scheduled


def clearance_seconds(on_block_at: str, released_at: str) -> int:
    """Release - on-block, in whole seconds. A release before the recorded on-block (the
    schedule's time, or a late actual time) counts 0: a clearance takes no negative time."""
    seconds = (clock.parse(released_at) - clock.parse(on_block_at)).total_seconds()
    return max(0, round(seconds))


def percentile(values: Iterable[float], percent: int) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent`% of the values at
    or below it (rank ⌈percent·n/100⌉ of the sorted values; integer arithmetic, so 90 % of 70
    values is rank 63, not 64 through a float's 63.000…01). Always a value that was measured:
    of one value, every percentile is that value; of two, p50 is the smaller and p90 the
    larger. None when there is no value."""
    if not 0 < percent <= 100:
        raise ValueError(f"percent {percent} is not in (0, 100]")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (percent * len(ordered) + 99) // 100
    return ordered[rank - 1]


def is_override(outcome: str | None, disposition: str, survey_ended: bool) -> bool:
    """Whether an officer's disposition departs from decision support's outcome, and so needs
    a reason. The outcome's recommended disposition (`RECOMMENDED`) follows it; a
    `remote_survey` outcome is followed by any disposition once the survey has ended, and by
    none before (releasing or holding without the survey skips it). A declaration without an
    outcome recommends nothing: no disposition overrides it."""
    if disposition not in DISPOSITIONS:
        raise ValueError(f"unknown disposition {disposition!r}")
    if outcome is None:
        return False
    if outcome == "remote_survey":
        return not survey_ended
    return RECOMMENDED.get(outcome) != disposition


@dataclass(frozen=True)
class FlightFigures:
    """A flight's clearance figures: travellers on the manifest, declarations submitted,
    released, held (referred or sampled), still in process, and the clearance time of the
    released (seconds from on-block) at p50, p90 and its max."""

    arrivals: int
    declared: int
    released: int
    held: int
    in_process: int
    p50_seconds: float | None
    p90_seconds: float | None
    max_seconds: float | None


def flight_figures(
    arrivals: int, declared: int, released: int, held: int, seconds: Sequence[float]
) -> FlightFigures:
    """A flight's figures from its counters and the clearance seconds of its releases: still in
    process = declared - released - held (never below 0); p50 and p90 by `percentile`; max the
    longest clearance. No release: no clearance time (None)."""
    return FlightFigures(
        arrivals=arrivals,
        declared=declared,
        released=released,
        held=held,
        in_process=max(0, declared - released - held),
        p50_seconds=percentile(seconds, 50),
        p90_seconds=percentile(seconds, 90),
        max_seconds=max(seconds) if seconds else None,
    )


def uncleared(arrivals: int, declared: int, released: int, held: int) -> int:
    """A flight's travellers still waiting to be cleared: the manifest's passengers (or the
    declarations, when more travellers declared than the manifest lists, or there is no
    manifest yet) less those released or held; never below 0."""
    return max(0, max(arrivals, declared) - released - held)


def p90_so_far(seconds: Sequence[float], waiting: int, waited_seconds: float) -> float | None:
    """A flight's clearance p90 so far: the nearest-rank p90 (`percentile`) of the clearance
    times of the released travellers and, for each of the `waiting` travellers not yet cleared,
    the time they have waited since on-block (`waited_seconds`: the least their clearance can
    still take). Held travellers count in neither. None when nobody is released or waiting.

    It never falls as time passes (a waiting traveller's time only grows) nor as a waiting
    traveller is released (their time is then their wait so far). Without anyone waiting it
    is the p90 of the releases, the board's `p90_seconds`."""
    return percentile([*seconds, *([waited_seconds] * waiting)], 90)


def p90_breached(
    seconds: Sequence[float], target_minutes: int, waiting: int = 0, waited_seconds: float = 0
) -> bool:
    """A flight is late: its clearance p90 so far (`p90_so_far`) is strictly more than
    `target_minutes`. The one comparison behind the late-flight alert (sent at the release
    that makes it true, or by the 5-minute schedule for a flight nobody releases), the board's
    `late`, and the alert's once-per-flight condition.

    No minimum number of releases: the p90 so far never falls, so the first value past the
    target already shows the flight will not meet it (everyone still waiting is later still),
    and the port is told then, not after an arbitrary count."""
    p90 = p90_so_far(seconds, waiting, waited_seconds)
    return p90 is not None and p90 > target_minutes * 60


# ---- reviews

#: An officer's review of a submitted declaration. `received` is where every submitted
#: declaration starts; `referred` and `rejected` are final.
REVIEW_STATES: tuple[str, ...] = ("received", "has_issues", "approved", "referred", "rejected")
#: The states an officer may set from each state (setting the same state again with the same
#: comment is a retry, not a move: `review_refusal` accepts it).
REVIEW_MOVES: dict[str, frozenset[str]] = {
    "received": frozenset({"has_issues", "approved", "referred", "rejected"}),
    "has_issues": frozenset({"has_issues", "approved", "referred", "rejected"}),
    "approved": frozenset({"has_issues", "referred", "rejected"}),
    "referred": frozenset(),
    "rejected": frozenset(),
}
#: States an officer must explain: the traveller (has_issues) or the next officer reads why.
COMMENT_REQUIRED: frozenset[str] = frozenset({"has_issues", "referred", "rejected"})
#: A review comment's longest text.
REVIEW_COMMENT_MAX = 1000


def review_refusal(
    current: str | None, wanted: str, comment: str | None, current_comment: str | None = None
) -> str | None:
    """Why an officer may not move a declaration's review from `current` to `wanted` with
    `comment`, as an error code, or None when they may. `received` is never set by hand; a
    state of `COMMENT_REQUIRED` needs a comment that is not blank (`comment_required`);
    `referred` and `rejected` are final, and each state may go only to those of
    `REVIEW_MOVES` (`review_move_not_allowed`); setting the current state again with its
    current comment is a retry and allowed (nothing changes)."""
    if wanted not in REVIEW_STATES or wanted == "received":
        return "review_state_unknown"
    text = (comment or "").strip()
    if wanted in COMMENT_REQUIRED and not text:
        return "comment_required"
    state = current or "received"
    if state == wanted and text == (current_comment or "").strip():
        return None
    if wanted not in REVIEW_MOVES.get(state, frozenset()):
        return "review_move_not_allowed"
    return None


def correction_refusal(
    status: str, review: str | None, cleared: bool, version: int, max_versions: int
) -> str | None:
    """Why a traveller may not correct a declaration after its submit, as an error code, or
    None. Only a submitted one (`not_submitted`: a draft is changed by PATCH); not once the
    traveller has been released or held at the port (`declaration_cleared`: the officer
    decided on what was declared); not once the review is final, referred or rejected
    (`review_final`); not past `max_versions` versions (`too_many_corrections`)."""
    if status != "submitted":
        return "not_submitted"
    if cleared:
        return "declaration_cleared"
    if review in ("referred", "rejected"):
        return "review_final"
    if version >= max_versions:
        return "too_many_corrections"
    return None


def review_after_correction(review: str | None) -> str:
    """A correction asks for a new look: an officer's `has_issues` or `approved` was about the
    version before, so the review returns to `received`."""
    if review is None or review in ("has_issues", "approved"):
        return "received"
    return review
