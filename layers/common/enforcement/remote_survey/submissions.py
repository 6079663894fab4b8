"""A declaration checked and submitted.

- `problems`: every problem at once, per field, in the traveller's language: the form's own
  (`forms.check`: required, constraint, types) and the checks against the flight's data
  (`consistency.problems`).
- `submit`: refused (422 `declaration_has_problems`, the same problems) until there is none;
  then, in one transaction with the audit entry: the declaration submitted (version 1, its
  relevant answers and the backend's calculations, the decision support's outcome, review
  `received`, the retention time), its `DeclarationVersion` 1, and `declared + 1` on the
  flight. A retried submit answers as the first did. The answer carries the declaration code
  (`declaration_codes`).
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock
from enforcement.auth import Principal
from enforcement.errors import Unprocessable
from enforcement.forms import Problem
from enforcement.remote_survey import decision, form_store, retention
from enforcement.remote_survey.declarations import (
    DRAFT,
    SUBMITTED,
    Checked,
    Stale,
    evaluate,
    event,
    get_declaration,
    problem_out,
)
from enforcement.remote_survey.models import Declaration, DeclarationVersion, Flight, port_day


def problems(principal: Principal, declaration_id: str, lang: str | None) -> list[Problem]:
    access.traveller(principal)
    declaration = get_declaration(declaration_id)
    access.own_declaration(principal, declaration.owner)
    _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
    return evaluate(declaration, definition, lang or declaration.lang).problems


def submit(principal: Principal, declaration_id: str) -> Declaration:
    """Submit the owner's draft once it has no problem (see the module's docstring)."""
    access.traveller(principal)
    declaration = get_declaration(declaration_id)
    access.own_declaration(principal, declaration.owner)
    if declaration.status == SUBMITTED:
        return declaration  # a retry: the same answer
    _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
    checked = evaluate(declaration, definition, declaration.lang)
    if checked.problems:
        raise Unprocessable(
            "declaration_has_problems",
            f"{len(checked.problems)} problem(s) to correct before submitting: "
            f"{checked.problems[0].message}",
            details=[problem_out(p) for p in checked.problems],
        )
    decided = _decide(checked)
    now = clock.now()
    submitted_at = clock.iso(now)
    expires_at = retention.expires_at(now)
    revision = int(declaration.revision or 0)
    document_number = str(checked.answers.get("document_number") or "").upper() or None
    parts = [checked.answers.get(part) for part in ("surname", "given_names")]
    name = " ".join(str(part) for part in parts if part) or None
    version = DeclarationVersion(
        declaration.declaration_id,
        1,
        form_id=declaration.form_id,
        form_version=int(declaration.form_version),
        answers=checked.answers,
        computed=checked.computed,
        submitted_at=submitted_at,
        submitted_by=principal.account_id,
        expires_at=expires_at,
    )
    flight = Flight(port_day(declaration.port, declaration.arrival_date), declaration.flight_number)

    def writes(tx: TransactWrite) -> None:
        tx.update(
            declaration,
            actions=[
                Declaration.status.set(SUBMITTED),
                Declaration.version.set(1),
                Declaration.answers.set(checked.answers),
                Declaration.computed.set(checked.computed),
                Declaration.submitted_at.set(submitted_at),
                Declaration.updated_at.set(submitted_at),
                _set(Declaration.document_number, document_number),
                _set(Declaration.traveller_name, name),
                _set(Declaration.outcome, decided[0]),
                _set(Declaration.outcome_reasons, decided[1]),
                _set(Declaration.rule_version, decided[2]),
                Declaration.review.set("received"),
                _set(Declaration.expires_at, expires_at),
                Declaration.revision.set(revision + 1),
            ],
            condition=(Declaration.status == DRAFT) & (Declaration.revision == revision),
        )
        tx.save(version, condition=DeclarationVersion.declaration_id.does_not_exist())
        tx.update(
            flight,
            actions=[Flight.declared.add(1)],
            condition=Flight.port_day.exists(),
        )

    try:
        audit.commit(
            event(
                principal,
                "declaration.submit",
                declaration,
                version=1,
                outcome=decided[0],
                rule_version=decided[2],
            ),
            writes,
            on_conflict=Stale(),
            chain=form_store.audit_chain(declaration.agency),
        )
    except Stale:
        again = get_declaration(declaration_id)
        if again.status == SUBMITTED:
            return again  # submitted meanwhile (a concurrent retry)
        raise
    declaration.status, declaration.version = SUBMITTED, 1
    declaration.answers, declaration.computed = checked.answers, checked.computed
    declaration.submitted_at = declaration.updated_at = submitted_at
    declaration.document_number, declaration.traveller_name = document_number, name
    declaration.outcome, declaration.outcome_reasons, declaration.rule_version = decided
    declaration.review, declaration.expires_at = "received", expires_at
    declaration.revision = revision + 1
    return declaration


def _set(attribute: Any, value: Any) -> Any:
    """SET the attribute to `value`, or REMOVE it for None."""
    return attribute.remove() if value is None else attribute.set(value)


def _decide(checked: Checked) -> tuple[str, list[str], str]:
    """The decision support's outcome, reasons and rule version (`decision.decide`)."""
    decided = decision.decide(checked.answers, checked.computed, checked.facts)
    return decided.outcome, list(decided.reasons), decided.rule_version
