"""Corrections after the submit: a new version of a declaration, by its traveller, and the
versions and their differences for whoever may read the declaration.

A correction sends the answers changed (null clears one) and why. The declaration's answers
with those changes are checked as a submit checks them (`declarations.evaluate`: the form's
rules and the checks against the flight's data; 422 `declaration_has_problems` with every
problem), the decision support decides again (`decision.decide`), and in one transaction with
the audit entry: version n+1 is written (`DeclarationVersion`, never changed after), and the
declaration takes its answers, calculations, outcome and version, on condition that its
version is still n (two corrections read at once: one wins, the other 409
`declaration_changed`). A correction asks for a new review (`rules.review_after_correction`).
A correction that changes nothing (a retry of one that was written) writes nothing.

Refused (409, `rules.correction_refusal`): a draft (`not_submitted`), a traveller released or
held at the port (`declaration_cleared`: the officer decided on what was declared), a review
referred or rejected (`review_final`), and past `retention.MAX_VERSIONS` versions
(`too_many_corrections`). The new version keeps the declaration's retention (none once kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock
from enforcement.auth import Principal
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.forms.answers import language_of
from enforcement.remote_survey import answer_diff, decision, declarations, form_store, rules
from enforcement.remote_survey.models import Declaration, DeclarationVersion
from enforcement.remote_survey.retention import MAX_VERSIONS

CORRECTION_MESSAGES = {
    "not_submitted": "a draft is changed with PATCH, not corrected",
    "declaration_cleared": "the traveller has been released or held: the declaration is final",
    "review_final": "the declaration has been referred or rejected: it is final",
    "too_many_corrections": f"a declaration has at most {MAX_VERSIONS} versions",
}


def _changed() -> Conflict:
    return Conflict("declaration_changed", "the declaration changed meanwhile; read it again")


def cleared(declaration: Declaration) -> bool:
    """Released or held at the port (referred or sampled)."""
    return bool(declaration.released_at or declaration.referred_at or declaration.sampled)


def _set(attribute: Any, value: Any) -> Action:
    result: Action = attribute.remove() if value in (None, []) else attribute.set(value)
    return result


def correct(
    principal: Principal, declaration_id: str, changes: Mapping[str, Any], reason: str
) -> Declaration:
    """The owner's correction of a submitted declaration (see the module's docstring);
    officers and admins are refused by their role (403 `role_not_allowed`) before any read."""
    access.traveller(principal)
    declaration = declarations.get_declaration(declaration_id)
    access.own_declaration(principal, declaration.owner)
    version = int(declaration.version or 0)
    refusal = rules.correction_refusal(
        declaration.status, declaration.review, cleared(declaration), version, MAX_VERSIONS
    )
    if refusal is not None:
        raise Conflict(refusal, CORRECTION_MESSAGES[refusal])
    _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
    typed = declarations.typed_answers(definition, changes, declaration.lang)
    answers = dict(declaration.answers or {})
    for name, value in typed.items():
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
    proposed = Declaration.from_raw_data(declaration.serialize())
    proposed.answers = answers
    checked = declarations.evaluate(proposed, definition, declaration.lang)
    if checked.problems:
        raise Unprocessable(
            "declaration_has_problems",
            f"{len(checked.problems)} problem(s) to correct: {checked.problems[0].message}",
            details=[declarations.problem_out(p) for p in checked.problems],
        )
    if checked.answers == (declaration.answers or {}) and checked.computed == (
        declaration.computed or {}
    ):
        return declaration  # nothing changes: a retry of a correction already written
    after = {**checked.computed, **checked.answers}
    before = answers_of(declaration)
    changed = answer_diff.diff(definition, before, after, definition.default_language)
    decided = decision.decide(checked.answers, checked.computed, checked.facts)
    now = clock.iso()
    n = version + 1
    review = rules.review_after_correction(declaration.review)
    document_number = str(checked.answers.get("document_number") or "").upper() or None
    parts = [checked.answers.get(part) for part in ("surname", "given_names")]
    traveller_name = " ".join(str(part) for part in parts if part) or None
    item = DeclarationVersion(
        declaration_id,
        n,
        form_id=declaration.form_id,
        form_version=int(declaration.form_version),
        answers=checked.answers,
        computed=checked.computed,
        submitted_at=now,
        submitted_by=principal.account_id,
        reason=reason,
        expires_at=declaration.expires_at,
    )
    actions: list[Action] = [
        Declaration.answers.set(checked.answers),
        Declaration.computed.set(checked.computed),
        Declaration.version.set(n),
        Declaration.updated_at.set(now),
        _set(Declaration.document_number, document_number),
        _set(Declaration.traveller_name, traveller_name),
        Declaration.outcome.set(decided.outcome),
        _set(Declaration.outcome_reasons, list(decided.reasons)),
        Declaration.rule_version.set(decided.rule_version),
        Declaration.review.set(review),
        Declaration.revision.set(int(declaration.revision or 0) + 1),
    ]
    if review != declaration.review:
        actions += [
            Declaration.review_comment.remove(),
            Declaration.reviewed_by.remove(),
            Declaration.reviewed_at.remove(),
        ]
    condition = (
        (Declaration.status == "submitted")
        & (Declaration.version == version)
        & Declaration.released_at.does_not_exist()
        & Declaration.referred_at.does_not_exist()
        & Declaration.sampled.does_not_exist()
    )

    def writes(tx: TransactWrite) -> None:
        tx.update(declaration, actions=actions, condition=condition)
        tx.save(item, condition=DeclarationVersion.declaration_id.does_not_exist())

    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "declaration.correct",
            f"declaration:{declaration_id}",
            {
                "version": n,
                "reason": reason,
                "fields": [change.field for change in changed],
                "outcome": decided.outcome,
                "rule_version": decided.rule_version,
            },
        ),
        writes,
        on_conflict=_changed(),
        chain=form_store.audit_chain(declaration.agency),
    )
    return declarations.get_declaration(declaration_id)


def answers_of(item: Declaration | DeclarationVersion) -> dict[str, Any]:
    """The answers and the calculations of a declaration or a version, as one mapping."""
    return {**(item.computed or {}), **(item.answers or {})}


# ------------------------------------------------------------------ versions and diffs


def _readable(principal: Principal, declaration_id: str) -> Declaration:
    declaration = declarations.get_declaration(declaration_id)
    declarations.visible(principal, declaration, access.Action.READ)
    return declaration


def versions(principal: Principal, declaration_id: str) -> list[DeclarationVersion]:
    """Every version of a declaration, the first (the submit) first: the owner and officers of
    the port (`declarations.visible`)."""
    _readable(principal, declaration_id)
    return list(DeclarationVersion.query(declaration_id, consistent_read=True))


def _version(declaration_id: str, n: int) -> DeclarationVersion:
    try:
        return DeclarationVersion.get(declaration_id, n, consistent_read=True)
    except DeclarationVersion.DoesNotExist:
        raise NotFound("version_not_found", f"the declaration has no version {n}") from None


def version_diff(
    principal: Principal, declaration_id: str, before: int, after: int, lang: str | None
) -> tuple[str, list[answer_diff.Change]]:
    """The answers that differ from version `before` to version `after` (either order), in
    `lang` (default: the traveller's language for the owner, the form's first language for
    officers); 404 `version_not_found`, 422 `language_not_in_form`. Returns the language
    code and the changes."""
    declaration = _readable(principal, declaration_id)
    old, new = _version(declaration_id, before), _version(declaration_id, after)
    _, definition = form_store.form(new.form_id, int(new.form_version))
    default = (
        declaration.lang
        if principal.account_id == declaration.owner
        else definition.default_language
    )
    code = language_of(definition, lang or default)
    return code, answer_diff.diff(definition, answers_of(old), answers_of(new), code)
