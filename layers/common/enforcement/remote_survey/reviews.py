"""An officer's review of a submitted declaration (`rules.review_refusal` decides the moves):
received → has_issues | approved | referred | rejected, each with a comment where the rule asks
for one, by an officer of the declaration's port (or an admin of its agency). The declaration
holds the latest review; every review is an entry of the audit chain, in the transaction of
the change. A referral keeps the declaration (and its versions) beyond the retention period
(`retention.keep`, in the same transaction)."""

from __future__ import annotations

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from enforcement import access, audit, clock
from enforcement.auth import Principal
from enforcement.errors import Conflict, NotFound, Unprocessable
from enforcement.remote_survey import declarations, form_store, retention, rules
from enforcement.remote_survey.models import Declaration

#: The review that keeps a declaration beyond the retention period.
KEEPS = "referred"


def _not_found() -> NotFound:
    return NotFound("declaration_not_found", "no such declaration")


def load(declaration_id: str) -> Declaration:
    """The declaration (strongly consistent read); 404 `declaration_not_found`."""
    return declarations.get_declaration(declaration_id)


def event(
    principal: Principal, action: str, declaration: Declaration, **details: object
) -> audit.AuditEvent:
    return audit.AuditEvent(
        principal.actor, action, f"declaration:{declaration.declaration_id}", dict(details)
    )


def review(
    principal: Principal, declaration_id: str, state: str, comment: str | None
) -> Declaration:
    """Set the review of a submitted declaration. 404 `declaration_not_found` (or a record of
    another agency); 403 `outside_jurisdiction` (an officer of another port of the agency),
    `role_not_allowed` (travellers); 409 `not_submitted` (a draft), `review_move_not_allowed`
    (e.g. from a final state), `declaration_changed` (another review or a correction came
    first: read it again); 422 `comment_required`. Setting the current review again with the
    same comment is a retry: the declaration as it is, nothing written."""
    declaration = load(declaration_id)
    access.in_jurisdiction(principal, declaration.port, access.Action.ACT, hidden=_not_found())
    if declaration.status != "submitted":
        raise Conflict("not_submitted", "only a submitted declaration is reviewed")
    text = (comment or "").strip() or None
    current = declaration.review
    refusal = rules.review_refusal(current, state, text, declaration.review_comment)
    if refusal == "comment_required":
        raise Unprocessable("comment_required", f"a review of {state} needs a comment")
    if refusal == "review_state_unknown":
        raise Unprocessable("review_state_unknown", f"{state!r} is not a review an officer sets")
    if refusal is not None:
        raise Conflict(
            "review_move_not_allowed", f"a declaration {current or 'received'} is not set {state}"
        )
    if state == current and text == ((declaration.review_comment or "").strip() or None):
        return declaration  # a retry
    now = clock.iso()
    actions: list[Action] = [
        Declaration.review.set(state),
        Declaration.review_comment.set(text) if text else Declaration.review_comment.remove(),
        Declaration.reviewed_by.set(principal.account_id),
        Declaration.reviewed_at.set(now),
        Declaration.updated_at.set(now),
    ]
    unchanged = (
        Declaration.review == current
        if current is not None
        else Declaration.review.does_not_exist()
    ) & (Declaration.version == int(declaration.version or 0))

    def writes(tx: TransactWrite) -> None:
        if state == KEEPS:
            retention.keep(tx, declaration, actions=actions, condition=unchanged)
        else:
            tx.update(declaration, actions=actions, condition=unchanged)

    audit.commit(
        event(
            principal,
            "declaration.review",
            declaration,
            review=state,
            previous=current,
            comment=text,
            version=int(declaration.version or 0),
        ),
        writes,
        on_conflict=Conflict(
            "declaration_changed", "the declaration changed meanwhile; read it again"
        ),
        chain=form_store.audit_chain(declaration.agency),
    )
    return load(declaration_id)
