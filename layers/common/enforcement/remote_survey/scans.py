"""An officer scans a traveller's declaration code at the port, and kiosks' traveller sessions.

The scan shows the declaration in the OFFICER's language (questions labelled, select answers
labelled from the form's choices in that language) with a summary: symptoms, temperature, the
decision support's outcome and reasons. The first scan records `scanned_at`/`scanned_by`
(server time; conditional, with its audit entry); later scans change nothing.

A kiosk at the port is logged in as an officer account of the port; for each traveller it
opens a short session (`Settings.kiosk_session_ttl_seconds`) of role `traveller`, account
`kiosk-<hex>`, the port as its jurisdiction: the traveller's declarations are that account's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from enforcement import access, audit, auth, clock, jurisdictions
from enforcement.auth import Principal, Role
from enforcement.config import settings
from enforcement.errors import Conflict, NotFound
from enforcement.forms import FormDefinition
from enforcement.forms.answers import language_of
from enforcement.remote_survey import declaration_codes, declarations, form_store
from enforcement.remote_survey.labels import HealthSummary, LabelledAnswer, health_summary, labelled
from enforcement.remote_survey.models import Declaration


@dataclass(frozen=True)
class Scan:
    declaration: Declaration
    lang: str
    direction: str
    answers: list[LabelledAnswer]
    summary: HealthSummary
    first_scan: bool


class _Scanned(Conflict):
    def __init__(self) -> None:
        super().__init__("declaration_scanned", "the declaration was scanned meanwhile")


def scan(principal: Principal, code: str, lang: str) -> Scan:
    """The declaration a code names, for an officer of its port, in `lang`: 403 `code_invalid`,
    410 `code_expired`, 403 `outside_jurisdiction` (another port of the agency), 404 (another
    agency), 422 `language_not_in_form`."""
    access.require_role(principal, Role.OFFICER, Role.ADMIN)
    key = declaration_codes.code_key(auth.signing_key())
    declaration_id = declaration_codes.read(code, int(clock.now().timestamp()), key)
    declaration = declarations.get_declaration(declaration_id)
    declarations.visible(principal, declaration, access.Action.ACT)
    if declaration.status != declarations.SUBMITTED:  # pragma: no cover - codes follow submit
        raise NotFound("declaration_not_found", "no such declaration")
    _, definition = form_store.form(declaration.form_id, int(declaration.form_version))
    code_of_lang = language_of(definition, lang)
    first = declaration.scanned_at is None
    if first:
        first = _record_scan(principal, declaration)
    return view(declaration, definition, code_of_lang, first)


def view(declaration: Declaration, definition: FormDefinition, lang: str, first: bool) -> Scan:
    from enforcement.forms import languages

    return Scan(
        declaration=declaration,
        lang=lang,
        direction=languages.direction(lang),
        answers=labelled(definition, declaration.answers or {}, declaration.computed, lang),
        summary=health_summary(definition, declaration.answers or {}, declaration.computed, lang),
        first_scan=first,
    )


def _record_scan(principal: Principal, declaration: Declaration) -> bool:
    now = clock.iso()
    event = audit.AuditEvent(
        principal.actor, "declaration.scan", f"declaration:{declaration.declaration_id}", {}
    )
    try:
        audit.commit(
            event,
            lambda tx: tx.update(
                declaration,
                actions=[
                    Declaration.scanned_at.set(now),
                    Declaration.scanned_by.set(principal.account_id),
                ],
                condition=Declaration.scanned_at.does_not_exist(),
            ),
            on_conflict=_Scanned(),
            chain=form_store.audit_chain(declaration.agency),
        )
    except _Scanned:
        again = declarations.get_declaration(declaration.declaration_id)
        declaration.scanned_at, declaration.scanned_by = again.scanned_at, again.scanned_by
        return False
    declaration.scanned_at, declaration.scanned_by = now, principal.account_id
    return True


# ------------------------------------------------------------------ kiosk sessions


@dataclass(frozen=True)
class KioskSession:
    token: str
    expires_at: str
    account_id: str
    port: str


def open_kiosk_session(principal: Principal) -> KioskSession:
    """A traveller session at the officer's own port (officers only)."""
    access.require_role(principal, Role.OFFICER)
    port = access.own_jurisdiction(principal)
    account_id = f"kiosk-{secrets.token_hex(8)}"
    traveller = Principal(
        account_id, Role.TRAVELLER, agency=jurisdictions.owner(port), jurisdiction=port
    )
    token, expires_at = auth.issue_token(traveller, settings().kiosk_session_ttl_seconds)
    audit.commit(
        audit.AuditEvent(
            principal.actor,
            "kiosk_session.open",
            f"kiosk:{account_id}",
            {"port": port, "expires_at": expires_at},
        ),
        chain=form_store.audit_chain(traveller.agency),
    )
    return KioskSession(token, expires_at, account_id, port)
