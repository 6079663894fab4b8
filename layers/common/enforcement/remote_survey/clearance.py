"""Clearance of an arriving traveller: the officer's disposition of a scanned declaration, the
times of each step, and the flight's counters and p90 alert that follow from it.

A traveller's steps, in server time: the flight's on-block (actual, else scheduled) → the
declaration scanned at the port (`scans`) → a remote survey started and ended (`survey_started`,
`survey_ended`: the hook a survey session calls) → released, referred or sampled (`clear`).

`clear` is one transaction with its audit entry: the declaration's disposition (once: a
retry of the same one is answered as it was, another one is 409), the flight's counters
(released and its clearance seconds, or held), and for a held traveller the removal of the
retention TTL from the declaration and its versions (`retention.keep`). A release that takes the
flight's p90 so far past the target (`Settings.clearance_p90_target_minutes`) alerts the port's
officers, once per flight (`alert_if_late`); a flight nobody releases is found by the 5-minute
schedule (`late_flights`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action as UpdateAction
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock, notify
from enforcement.auth import Principal, Role
from enforcement.batch_reads import ItemKey, batch_get
from enforcement.config import settings
from enforcement.db import transaction
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.remote_survey import retention, rules
from enforcement.remote_survey.models import Declaration, Flight, port_day

logger = Logger(child=True)

CAPABILITY = "remote_survey"
#: The inbox note of a late flight (kind of the notification).
LATE_FLIGHT = "clearance.p90_exceeded"


def _not_found() -> NotFound:
    return NotFound("declaration_not_found", "no such declaration")


class _Raced(Conflict):
    """The declaration was disposed of (or changed) between the read and the write."""

    def __init__(self) -> None:
        super().__init__("declaration_changed", "the declaration changed meanwhile; try again")


@dataclass(frozen=True)
class Clearance:
    """A declaration's clearance: its disposition and each step's time, with the seconds since
    the flight's on-block."""

    declaration: Declaration
    on_block: str | None

    def view(self) -> dict[str, Any]:
        d = self.declaration
        steps = {
            "scanned_at": d.scanned_at,
            "survey_started_at": d.survey_started_at,
            "survey_ended_at": d.survey_ended_at,
            "released_at": d.released_at,
            "referred_at": d.referred_at,
            "sampled_at": d.sampled,
        }
        return {
            "declaration_id": d.declaration_id,
            "port": d.port,
            "arrival_date": d.arrival_date,
            "flight_number": d.flight_number,
            "outcome": d.outcome,
            "disposition": d.disposition,
            "disposed_by": d.disposed_by,
            "reason": d.disposition_reason,
            "override": bool(d.override),
            "on_block": self.on_block,
            **steps,
            "seconds_from_on_block": {
                step.removesuffix("_at"): rules.clearance_seconds(self.on_block, at)
                for step, at in steps.items()
                if at is not None and self.on_block is not None
            },
        }


# ------------------------------------------------------------------ reading


def _declaration(declaration_id: str) -> Declaration:
    try:
        return Declaration.get(declaration_id, consistent_read=True)
    except Declaration.DoesNotExist:
        raise _not_found() from None


def _of_port(
    principal: Principal, declaration: Declaration, action: access.Action = access.Action.ACT
) -> None:
    """Officers of the declaration's port (and admins of its agency); 403 for travellers and
    officers of another port of the agency, 404 for another agency's."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    access.in_jurisdiction(principal, declaration.port, action, hidden=_not_found())


def _flight_key(declaration: Declaration) -> tuple[str, str]:
    return port_day(declaration.port, declaration.arrival_date), declaration.flight_number.upper()


def _on_block(flight: Flight | None) -> str | None:
    return rules.on_block(flight.scheduled_on_block, flight.actual_on_block) if flight else None


def clearance_of(principal: Principal, declaration_id: str) -> Clearance:
    """A declaration's clearance steps, for officers of its port."""
    declaration = _declaration(declaration_id)
    _of_port(principal, declaration, access.Action.READ)
    try:
        flight = Flight.get(*_flight_key(declaration))
    except Flight.DoesNotExist:
        flight = None
    return Clearance(declaration, _on_block(flight))


# ------------------------------------------------------------------ the disposition


def _settled(declaration: Declaration, disposition: str, on_block: str | None) -> Clearance:
    """The answer to a disposition asked of a declaration already disposed of: the same one is
    a retry, answered as it was recorded; another one is 409 `already_cleared`."""
    if declaration.disposition != disposition:
        raise Conflict(
            "already_cleared",
            f"the declaration was already {declaration.disposition}; a disposition is final",
            details={"disposition": declaration.disposition},
        )
    return Clearance(declaration, on_block)


def clear(
    principal: Principal,
    declaration_id: str,
    disposition: str,
    reason: str | None,
    *,
    attempts: int = 2,
) -> Clearance:
    """Record an officer's disposition of a scanned declaration (see the module's text).

    409 `not_submitted` for a draft, `not_scanned` before the port scanned its code,
    `already_cleared` for a second, different disposition; 422 `reason_required` when the
    disposition overrides decision support's outcome (`rules.is_override`) without a reason;
    404 `flight_unknown` when the flight is no longer on record. A declaration changed
    between the read and the write (a correction: a new version, maybe another outcome) is
    judged again from a fresh read (`attempts` in all, then 409 `declaration_changed`)."""
    if disposition not in rules.DISPOSITIONS:
        raise Unprocessable("unknown_disposition", f"disposition {disposition!r} is unknown")
    declaration = _declaration(declaration_id)
    _of_port(principal, declaration)
    partition = audit.chain_for(CAPABILITY, declaration.agency)
    target = f"declaration:{declaration.declaration_id}"
    day_key, flight_number = _flight_key(declaration)
    head_key = audit.head_key(partition.chain(target))
    reads = batch_get([ItemKey(Flight, day_key, flight_number), head_key])
    flight = reads.item(Flight, day_key, flight_number)
    on_block = _on_block(flight)
    if declaration.disposition is not None:
        return _settled(declaration, disposition, on_block)
    if declaration.status != "submitted":
        raise Conflict("not_submitted", "only a submitted declaration is cleared")
    if declaration.scanned_at is None:
        raise Conflict("not_scanned", "the declaration's code must be scanned at the port first")
    if flight is None or on_block is None:
        raise NotFound("flight_unknown", "the declaration's flight is not on record")
    reason = (reason or "").strip() or None
    override = rules.is_override(
        declaration.outcome, disposition, declaration.survey_ended_at is not None
    )
    if override and reason is None:
        raise Unprocessable(
            "reason_required",
            f"{disposition} departs from the recommended outcome {declaration.outcome}: "
            "give a reason",
            details={"outcome": declaration.outcome, "disposition": disposition},
        )
    now = clock.iso()
    seconds = rules.clearance_seconds(on_block, now) if disposition == "released" else None
    changes = _declaration_changes(declaration, principal, disposition, reason, override, now)
    actions = [getattr(Declaration, name).set(value) for name, value in changes.items()]
    condition = (  # as read: a correction meanwhile may have changed the outcome
        Declaration.disposition.does_not_exist()
        & (Declaration.status == "submitted")
        & Declaration.scanned_at.exists()
        & (Declaration.version == declaration.version)
    )

    def writes(tx: TransactWrite) -> None:
        if disposition in rules.HELD:
            retention.keep(tx, declaration, actions=actions, condition=condition)
        else:
            tx.update(declaration, actions=actions, condition=condition)
        tx.update(flight, actions=_flight_actions(seconds), condition=Flight.port_day.exists())

    event = audit.AuditEvent(
        principal.actor,
        f"declaration.{disposition}",
        target,
        {
            "flight": declaration.flight_key,
            "outcome": declaration.outcome,
            "override": override,
            "reason": reason,
            "clearance_seconds": seconds,
        },
    )
    try:
        audit.commit(
            event,
            writes,
            on_conflict=_Raced(),
            chain=partition,
            known_head=reads.item(audit.AuditEntry, head_key.hash_key, head_key.range_key),
        )
    except _Raced:
        again = _declaration(declaration_id)
        if again.disposition is not None:
            return _settled(again, disposition, on_block)
        if attempts <= 1:
            raise
        return clear(principal, declaration_id, disposition, reason, attempts=attempts - 1)
    for name, value in changes.items():  # the declaration as written, not read again
        setattr(declaration, name, value)
    if seconds is not None and flight.alerted_at is None:
        alert_if_late(day_key, flight_number)
    return Clearance(declaration, on_block)


#: The attribute that records each disposition's time.
STEP_OF: dict[str, str] = {
    "released": "released_at",
    "referred": "referred_at",
    "sampled": "sampled",
}


def _declaration_changes(
    declaration: Declaration,
    principal: Principal,
    disposition: str,
    reason: str | None,
    override: bool,
    now: str,
) -> dict[str, Any]:
    """The declaration's attributes a disposition sets (name → value)."""
    changes: dict[str, Any] = {
        "disposition": disposition,
        "disposed_by": principal.account_id,
        STEP_OF[disposition]: now,
        "updated_at": now,
    }
    if reason is not None:
        changes["disposition_reason"] = reason
    if override:
        changes["override"] = {
            "outcome": disposition,
            "recommended": declaration.outcome,
            "reason": reason,
            "by": principal.account_id,
            "at": now,
        }
    return changes


def _flight_actions(seconds: int | None) -> list[UpdateAction]:
    if seconds is None:
        return [Flight.held.add(1)]
    return [
        Flight.released.add(1),
        Flight.clearance_seconds.set((Flight.clearance_seconds | []).append([seconds])),
    ]


# ------------------------------------------------------------------ the p90 alert


def waiting_of(flight: Flight, now: str) -> tuple[int, int]:
    """The flight's travellers not yet cleared (`rules.uncleared`) and the seconds they have
    waited since its on-block (0 before it)."""
    waiting = rules.uncleared(
        int(flight.passengers or 0),
        int(flight.declared or 0),
        int(flight.released or 0),
        int(flight.held or 0),
    )
    on_block = rules.on_block(flight.scheduled_on_block, flight.actual_on_block)
    return waiting, rules.clearance_seconds(on_block, now)


def is_late(flight: Flight, target_minutes: int, now: str) -> bool:
    """The flight's clearance p90 so far is past the target at `now` (`rules.p90_breached`)."""
    seconds = list(flight.clearance_seconds or [])
    return rules.p90_breached(seconds, target_minutes, *waiting_of(flight, now))


def alert_if_late(day_key: str, flight_number: str, now: str | None = None) -> bool:
    """Tell the port's officers (inbox `jurisdiction:<port>`, and the SNS topic) when the
    flight is late at `now` (`is_late`: its clearance p90 so far, releases and the travellers
    still waiting, past the target), once per flight: the flight's `alerted_at` is set on
    condition it is not, in the transaction of the inbox note. Called after each release and
    by the 5-minute schedule (`late_flights.sweep`). Reads the flight afresh (strongly
    consistent), so releases committed meanwhile count. True when this call sent the alert."""
    try:
        flight = Flight.get(day_key, flight_number, consistent_read=True)
    except Flight.DoesNotExist:
        return False
    now = now or clock.iso()
    seconds = list(flight.clearance_seconds or [])
    target = settings().clearance_p90_target_minutes
    if flight.alerted_at is not None or not is_late(flight, target, now):
        return False
    figures = rules.flight_figures(
        int(flight.passengers or 0),
        int(flight.declared or 0),
        int(flight.released or 0),
        int(flight.held or 0),
        seconds,
    )
    waiting, waited = waiting_of(flight, now)
    p90 = rules.p90_so_far(seconds, waiting, waited) or 0
    p90_minutes = p90 / 60
    note = notify.notification(
        f"jurisdiction:{flight.port}",
        LATE_FLIGHT,
        f"{flight.flight_number} {flight.arrival_date}: clearance p90 {p90_minutes:.0f} min",
        f"{figures.released} released, p90 so far {p90_minutes:.1f} min past the {target} min "
        f"target; {waiting} not yet cleared ({waited // 60} min since on-block), "
        f"{figures.held} held.",
        {
            "port": flight.port,
            "arrival_date": flight.arrival_date,
            "flight_number": flight.flight_number,
            "p90_seconds": p90,
            "target_seconds": target * 60,
            "released": figures.released,
            "in_process": figures.in_process,
            "waiting": waiting,
        },
    )
    tx = transaction()
    try:
        with tx:
            tx.update(
                flight,
                actions=[Flight.alerted_at.set(note.created_at)],
                condition=Flight.alerted_at.does_not_exist(),
            )
            tx.save(note)
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
            return False  # another release sent it
        raise
    notify.publish([note])
    return True


# ------------------------------------------------------------------ the survey's hook


def survey_started(principal: Principal, declaration_id: str) -> Declaration:
    """The hook of a remote survey session: the survey of this declaration's traveller started
    (server time; the first start counts, a retry changes nothing). In the audit chain."""
    return _survey_step(principal, declaration_id, Declaration.survey_started_at, "started")


def survey_ended(principal: Principal, declaration_id: str) -> Declaration:
    """The hook of a remote survey session: the survey ended (after it started; the first end
    counts). From then on any disposition follows a `remote_survey` outcome."""
    return _survey_step(principal, declaration_id, Declaration.survey_ended_at, "ended")


def _survey_step(principal: Principal, declaration_id: str, step: Any, name: str) -> Declaration:
    declaration = _declaration(declaration_id)
    _of_port(principal, declaration)
    if declaration.status != "submitted" or declaration.disposition is not None:
        raise Conflict("not_in_process", "only a submitted declaration not yet cleared is surveyed")
    if name == "ended" and declaration.survey_started_at is None:
        raise Conflict("survey_not_started", "the survey has not started")
    if getattr(declaration, step.attr_name) is not None:
        return declaration
    now = clock.iso()
    try:
        audit.commit(
            audit.AuditEvent(
                principal.actor,
                f"declaration.survey_{name}",
                f"declaration:{declaration_id}",
                {},
            ),
            lambda tx: tx.update(
                declaration,
                actions=[step.set(now), Declaration.updated_at.set(now)],
                condition=step.does_not_exist() & Declaration.disposition.does_not_exist(),
            ),
            on_conflict=_Raced(),
            chain=audit.chain_for(CAPABILITY, declaration.agency),
        )
    except _Raced:
        again = _declaration(declaration_id)
        if getattr(again, step.attr_name) is None:
            raise
        return again
    return _declaration(declaration_id)
