"""A traveller's health declaration, from draft to submitted.

- `start`: a traveller (a mini-program account, or a kiosk session of the port) starts a draft
  for an arriving flight on record (404 `flight_unknown`), on the latest version of a form,
  in a language of the form; the `flight_number` answer is filled in.
- `patch`: answers in any order, only while a draft, only by its owner; each answer typed per
  its field (422 `answers_invalid` naming every field at fault, `unknown_field` included);
  `null` clears an answer. Conditional on the draft's revision (a concurrent change is read
  again and the patch applied on top of it).
- `problems` and `submit`: in `submissions`.

Access: the owner, and officers of the declaration's port (admins of its agency) who read it;
the traveller's own routes refuse officers and admins (403 `role_not_allowed`) before reading
anything; another traveller is 403 `not_your_declaration`, an officer of another port of the
same agency 403 `outside_jurisdiction`, anyone of another agency 404 (`enforcement.access`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from enforcement import access, audit, auth, clock, jurisdictions
from enforcement.auth import Principal, Role
from enforcement.config import settings
from enforcement.errors import Conflict, Forbidden, NotFound, Unprocessable
from enforcement.forms import FormDefinition, Problem, check
from enforcement.forms.answers import language_of, typed_answer
from enforcement.identity import parse_mrz, parse_resident_id
from enforcement.remote_survey import (
    consistency,
    declaration_codes,
    flights,
    form_store,
    retention,
    rules,
)
from enforcement.remote_survey.autofill import answers_from_mrz
from enforcement.remote_survey.models import (
    Declaration,
    flight_key,
)

DRAFT = "draft"
SUBMITTED = "submitted"
#: A patch that lost a race with another change of the same draft is applied again this often.
ATTEMPTS = 5


class Stale(Conflict):
    def __init__(self) -> None:
        super().__init__("declaration_changed", "the declaration changed meanwhile; try again")


def new_id() -> str:
    return f"dc-{secrets.token_hex(8)}"


def port_today() -> dt.date:
    """Today at the ports (`clock.local_date`): what `today()` means in a form."""
    return clock.local_date()


def event(principal: Principal, action: str, declaration: Declaration, **details: Any) -> Any:
    return audit.AuditEvent(
        principal.actor, action, f"declaration:{declaration.declaration_id}", details
    )


# ------------------------------------------------------------------ reading


def get_declaration(declaration_id: str) -> Declaration:
    """The declaration (strongly consistent read); 404 `declaration_not_found`, also for a
    draft past its expiry that DynamoDB's TTL has not deleted yet (`retention`)."""
    try:
        declaration = Declaration.get(declaration_id, consistent_read=True)
    except Declaration.DoesNotExist:
        raise NotFound("declaration_not_found", "no such declaration") from None
    if declaration.status == DRAFT and retention.expired(declaration):
        raise NotFound("declaration_not_found", "no such declaration")
    return declaration


def visible(principal: Principal, declaration: Declaration, action: access.Action) -> None:
    """The owner sees their own; officers of the port (admins of its agency) see it."""
    if principal.role in access.TRAVELLERS:
        access.own_declaration(principal, declaration.owner)
        return
    access.in_jurisdiction(
        principal,
        declaration.port,
        action,
        hidden=NotFound("declaration_not_found", "no such declaration"),
    )


def read(principal: Principal, declaration_id: str) -> Declaration:
    declaration = get_declaration(declaration_id)
    visible(principal, declaration, access.Action.READ)
    return declaration


def mine(principal: Principal, limit: int) -> list[Declaration]:
    """The traveller's own declarations, the newest first."""
    owner = access.traveller(principal)
    found = Declaration.by_owner.query(owner, scan_index_forward=False, limit=limit)
    return [d for d in found if not (d.status == DRAFT and retention.expired(d))]


def code_for(declaration: Declaration) -> tuple[str, str] | None:
    """A fresh declaration code of a submitted declaration, and when it expires."""
    if declaration.status != SUBMITTED:
        return None
    expires = int(clock.now().timestamp()) + settings().declaration_code_ttl_seconds
    key = declaration_codes.code_key(auth.signing_key())
    code = declaration_codes.issue(declaration.declaration_id, expires, key)
    return code, clock.iso(clock.from_epoch(expires))


def _owned_draft(principal: Principal, declaration_id: str) -> Declaration:
    access.traveller(principal)
    declaration = get_declaration(declaration_id)
    access.own_declaration(principal, declaration.owner)
    if declaration.status != DRAFT:
        raise Conflict(
            "declaration_submitted",
            "a submitted declaration does not change; correct it with a new version",
        )
    return declaration


# ------------------------------------------------------------------ start


def start(
    principal: Principal,
    *,
    port: str,
    arrival_date: str,
    flight_number: str,
    form_id: str,
    lang: str,
) -> Declaration:
    """A new draft for a flight on record, on the form's latest version, in `lang`."""
    owner = access.traveller(principal)
    if principal.role is Role.TRAVELLER and principal.jurisdiction != port:
        raise Forbidden("outside_jurisdiction", "a kiosk session declares for its own port only")
    agency = jurisdictions.owner(port)
    flight = flights.get_flight(port, arrival_date, flight_number) if agency else None
    if flight is None:
        raise NotFound(
            "flight_unknown",
            f"no flight {flight_number.upper()} arriving at {port} on {arrival_date}",
        )
    item, definition = form_store.form(form_id)
    code = language_of(definition, lang)
    answers: dict[str, Any] = {}
    if _has_field(definition, "flight_number"):
        answers["flight_number"] = flight.flight_number
    now = clock.iso()
    declaration = Declaration(
        new_id(),
        owner=owner,
        port=port,
        agency=agency,
        flight_key=flight_key(port, arrival_date, flight.flight_number),
        flight_number=flight.flight_number,
        arrival_date=arrival_date,
        form_id=item.form_id,
        form_version=int(item.version),
        lang=code,
        status=DRAFT,
        version=0,
        revision=0,
        answers=answers,
        started_at=now,
        updated_at=now,
        expires_at=retention.draft_expires_at(now),
    )
    audit.commit(
        event(
            principal,
            "declaration.start",
            declaration,
            flight=declaration.flight_key,
            form=f"{item.form_id}/{item.version}",
        ),
        lambda tx: tx.save(declaration, condition=Declaration.declaration_id.does_not_exist()),
        chain=form_store.audit_chain(agency),
    )
    return declaration


def _has_field(definition: FormDefinition, name: str) -> bool:
    try:
        definition.field(name)
    except KeyError:
        return False
    return True


# ------------------------------------------------------------------ answers


def typed_answers(
    definition: FormDefinition, changes: Mapping[str, Any], lang: str
) -> dict[str, Any]:
    """`changes` in their stored form (None: cleared), or 422 `answers_invalid` naming every
    field at fault, with messages in `lang`."""
    from enforcement.forms import languages

    problems: list[Problem] = []
    typed: dict[str, Any] = {}
    for name, answer in changes.items():
        try:
            item = definition.field(name)
        except KeyError:
            message = languages.message("unknown_field", lang)
            problems.append(Problem(name, "unknown_field", message))
            continue
        if not item.answered:
            problems.append(Problem(name, "not_answered", rules.NOT_ANSWERED_MESSAGE))
            continue
        value, fault = typed_answer(definition, item, answer)
        if fault is not None:
            message = (
                languages.message(fault, lang, max=2000)
                if fault == "not_text"
                else languages.message(fault, lang)
            )
            problems.append(Problem(name, fault, message))
            continue
        typed[name] = rules.stored_answer(value)
    if problems:
        raise Unprocessable(
            "answers_invalid",
            f"{len(problems)} answer(s) cannot be taken: {problems[0].message}",
            details=[problem_out(p) for p in problems],
        )
    return typed


def problem_out(item: Problem) -> dict[str, Any]:
    return {"field": item.field, "code": item.code, "message": item.message}


def patch(principal: Principal, declaration_id: str, changes: Mapping[str, Any]) -> Declaration:
    """Answers changed (None clears one), only on the owner's draft."""
    for _ in range(ATTEMPTS):
        declaration = _owned_draft(principal, declaration_id)
        _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
        typed = typed_answers(definition, changes, declaration.lang)
        try:
            return _write_answers(principal, declaration, typed, "declaration.answers")
        except Stale:
            continue
    raise Conflict("declaration_busy", "the declaration is being changed elsewhere; try again")


def _write_answers(
    principal: Principal,
    declaration: Declaration,
    typed: Mapping[str, Any],
    action: str,
    **details: Any,
) -> Declaration:
    answers = dict(declaration.answers or {})
    for name, value in typed.items():
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
    revision = int(declaration.revision or 0)
    now = clock.iso()
    expires = retention.draft_expires_at(now)

    def writes(tx: TransactWrite) -> None:
        tx.update(
            declaration,
            actions=[
                Declaration.answers.set(answers),
                Declaration.revision.set(revision + 1),
                Declaration.updated_at.set(now),
                Declaration.expires_at.set(expires),
            ],
            condition=(Declaration.status == DRAFT) & (Declaration.revision == revision),
        )

    audit.commit(
        event(principal, action, declaration, fields=sorted(typed), **details),
        writes,
        on_conflict=Stale(),
        chain=form_store.audit_chain(declaration.agency),
    )
    declaration.answers = answers
    declaration.revision = revision + 1
    declaration.updated_at = now
    declaration.expires_at = expires
    return declaration


@dataclass(frozen=True)
class DocumentRead:
    kind: str  # mrz | resident_id
    fields: tuple[str, ...]  # the answers it filled
    expired: bool
    expiry_date: str | None


def autofill(
    principal: Principal,
    declaration_id: str,
    *,
    mrz: list[str] | None = None,
    resident_id: str | None = None,
) -> tuple[Declaration, DocumentRead]:
    """Answers filled from a travel document's MRZ (TD3, TD1) or a resident ID number: 422
    `mrz_check_digit` (or another `DocumentRefused` code) naming the field at fault; an expired
    document is read and flagged."""
    access.traveller(principal)
    today = port_today()
    if mrz is not None:
        document = parse_mrz(mrz, today=today)
        declaration = _owned_draft(principal, declaration_id)
        _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
        countries = _choice_names(definition, "nationality")
        filled: dict[str, Any] = answers_from_mrz(document, countries)
        read_as = DocumentRead("mrz", (), document.expired, document.expiry_date.isoformat())
    elif resident_id is not None:
        number = parse_resident_id(resident_id, today=today)
        declaration = _owned_draft(principal, declaration_id)
        _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
        filled = {
            "sex": number.sex,
            "date_of_birth": number.date_of_birth.isoformat(),
            "document_number": number.number,
            "nationality": "CHN",
        }
        read_as = DocumentRead("resident_id", (), False, None)
    else:
        raise Unprocessable("document_missing", "send mrz lines or a resident_id number")
    known = {name: value for name, value in filled.items() if _has_field(definition, name)}
    for _ in range(ATTEMPTS):
        typed = typed_answers(definition, known, declaration.lang)
        try:
            written = _write_answers(
                principal, declaration, typed, "declaration.autofill", document=read_as.kind
            )
        except Stale:
            declaration = _owned_draft(principal, declaration_id)
            continue
        return written, DocumentRead(
            read_as.kind, tuple(sorted(typed)), read_as.expired, read_as.expiry_date
        )
    raise Conflict("declaration_busy", "the declaration is being changed elsewhere; try again")


def _choice_names(definition: FormDefinition, field: str) -> set[str]:
    try:
        list_name = definition.field(field).choices or ""
    except KeyError:
        return set()
    return {choice.name for choice in definition.choice_lists.get(list_name, ())}


# ------------------------------------------------------------------ the check


@dataclass(frozen=True)
class Checked:
    problems: list[Problem]
    answers: dict[str, Any]  # the relevant answers (stored form)
    computed: dict[str, Any]  # the calculations, as the backend computed them
    facts: consistency.FlightFacts | None


def evaluate(declaration: Declaration, definition: FormDefinition, lang: str) -> Checked:
    """Every problem of the declaration's answers, in `lang`: the form's, then the checks
    against the flight's data."""
    result = check(definition, declaration.answers or {}, lang, today=port_today())
    answers: dict[str, Any] = {}
    computed: dict[str, Any] = {}
    for name, value in result.answers.items():
        if definition.field(name).type == "calculate":
            computed[name] = value
        else:
            answers[name] = value
    facts, against = _against_data(declaration, result.answers, language_of(definition, lang))
    merged = rules.merge_problems(list(result.problems), against)
    return Checked(merged, answers, computed, facts)


def _against_data(
    declaration: Declaration, answers: Mapping[str, Any], lang: str
) -> tuple[consistency.FlightFacts | None, list[Problem]]:
    """The flight's facts (the flight and the manifest's entry for the declared document
    number) and the consistency problems of `answers` (calculations included)."""
    document = answers.get("document_number")
    facts = flights.facts_for(
        declaration.port,
        declaration.arrival_date,
        declaration.flight_number,
        document if isinstance(document, str) and document.strip() else None,
    )
    found = consistency.problems(
        answers, facts, lang, fever_threshold_c=settings().fever_threshold_c
    )
    return facts, found
