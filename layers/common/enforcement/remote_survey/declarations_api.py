"""Routes of travellers' declarations, officers' scans and kiosk sessions. The work is in
`declarations` (the lifecycle) and `scans` (the officer's view, kiosks)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, answers, caller, created, once
from enforcement.remote_survey import declarations, scans, submissions
from enforcement.remote_survey.api import router
from enforcement.remote_survey.declaration_schemas import (
    AnswersIn,
    AutofillIn,
    AutofillOut,
    DeclarationCheckIn,
    DeclarationCheckOut,
    DeclarationListItemOut,
    DeclarationOut,
    DeclarationStartIn,
    DocumentReadOut,
    KioskSessionOut,
    LabelledAnswerOut,
    ProblemOut,
    ScanIn,
    ScanOut,
    ScanSummaryOut,
)
from enforcement.remote_survey.models import Declaration

DeclarationId = Annotated[str, Path(pattern=r"^dc-[0-9a-f]{16}$")]


def declaration_out(declaration: Declaration, *, with_code: bool = False) -> DeclarationOut:
    issued = declarations.code_for(declaration) if with_code else None
    return DeclarationOut(
        declaration_id=declaration.declaration_id,
        port=declaration.port,
        flight_number=declaration.flight_number,
        arrival_date=declaration.arrival_date,
        form_id=declaration.form_id,
        form_version=int(declaration.form_version),
        lang=declaration.lang,
        status=declaration.status,  # type: ignore[arg-type]
        version=int(declaration.version or 0),
        answers=dict(declaration.answers or {}),
        computed=declaration.computed,
        started_at=declaration.started_at,
        updated_at=declaration.updated_at,
        submitted_at=declaration.submitted_at,
        outcome=declaration.outcome,
        outcome_reasons=list(declaration.outcome_reasons or []) or None,
        rule_version=declaration.rule_version,
        review=declaration.review,
        scanned_at=declaration.scanned_at,
        code=issued[0] if issued else None,
        code_expires_at=issued[1] if issued else None,
    )


def _own(declaration: Declaration) -> bool:
    return caller(router).account_id == declaration.owner


@router.post(
    "/remote-survey/declarations",
    summary="Start a health declaration for an arriving flight (travellers)",
    description="A mini-program account or a kiosk session (its own port only) starts a draft "
    "on the form's latest version, in `lang`; the flight must be on record (404 "
    "`flight_unknown`); the `flight_number` answer is filled in. 404 `form_not_found`; 422 "
    "`language_not_in_form`.",
    security=SECURED,
)
def start_declaration(body: DeclarationStartIn) -> Response[DeclarationOut]:
    principal = caller(router)

    def run() -> dict[str, Any]:
        declaration = declarations.start(
            principal,
            port=body.port,
            arrival_date=body.arrival_date.isoformat(),
            flight_number=body.flight_number,
            form_id=body.form_id,
            lang=body.lang,
        )
        return declaration_out(declaration).model_dump(mode="json")

    answer = once(router, "survey.start", principal, body, run)
    return created(DeclarationOut.model_validate(answer))


@router.get(
    "/remote-survey/declarations",
    summary="The traveller's own declarations, the newest first",
    description="Travellers only (403 `role_not_allowed` for officers: they read a flight's).",
    security=SECURED,
)
def my_declarations(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[DeclarationListItemOut]:
    found = declarations.mine(caller(router), limit)
    return [
        DeclarationListItemOut(
            declaration_id=d.declaration_id,
            port=d.port,
            flight_number=d.flight_number,
            arrival_date=d.arrival_date,
            status=d.status,  # type: ignore[arg-type]
            version=int(d.version or 0),
            started_at=d.started_at,
            submitted_at=d.submitted_at,
            review=d.review,
        )
        for d in found
    ]


@router.get(
    "/remote-survey/declarations/<declaration_id>",
    summary="A declaration: its owner, or officers of its port",
    description="The owner also gets a fresh declaration code once it is submitted. 403 "
    "`not_your_declaration` (another traveller), `outside_jurisdiction` (an officer of "
    "another port of the agency); 404 `declaration_not_found` (also for another agency).",
    security=SECURED,
)
def get_declaration(declaration_id: DeclarationId) -> DeclarationOut:
    declaration = declarations.read(caller(router), declaration_id)
    return declaration_out(declaration, with_code=_own(declaration))


@router.patch(
    "/remote-survey/declarations/<declaration_id>",
    summary="Change answers of a draft (any order; null clears one)",
    description="Only the owner, only while a draft (409 `declaration_submitted`). Each answer "
    "is typed per its field: 422 `answers_invalid` with every field at fault (`details`: "
    "field, code, message in the declaration's language; `unknown_field` for a name the "
    "form does not have).",
    security=SECURED,
)
def patch_declaration(declaration_id: DeclarationId, body: AnswersIn) -> DeclarationOut:
    return declaration_out(declarations.patch(caller(router), declaration_id, body.answers))


@router.post(
    "/remote-survey/declarations/<declaration_id>/autofill",
    summary="Fill answers from a travel document's MRZ or a resident ID number",
    description="The MRZ lines as the phone's OCR or the kiosk's reader read them (ICAO 9303 "
    "TD3 or TD1): every check digit is verified, 422 `mrz_check_digit` naming the field(s) at "
    "fault (`details.fields`); a resident ID number (GB 11643) gives the date of birth and "
    "sex. An expired document is flagged (`document.expired`), not refused.",
    security=SECURED,
)
def autofill_declaration(declaration_id: DeclarationId, body: AutofillIn) -> AutofillOut:
    declaration, document = declarations.autofill(
        caller(router), declaration_id, mrz=body.mrz, resident_id=body.resident_id
    )
    return AutofillOut(
        declaration=declaration_out(declaration),
        document=DocumentReadOut(
            kind=document.kind,  # type: ignore[arg-type]
            fields=list(document.fields),
            expired=document.expired,
            expiry_date=document.expiry_date,
        ),
    )


@router.post(
    "/remote-survey/declarations/<declaration_id>/check",
    summary="Every problem of the answers at once, per field, in the traveller's language",
    description="The form's own checks (required, constraints, types: the backend evaluates "
    "the expressions) and the checks against the flight's data. Changes nothing.",
    security=SECURED,
)
def check_declaration(
    declaration_id: DeclarationId, body: DeclarationCheckIn
) -> DeclarationCheckOut:
    found = submissions.problems(caller(router), declaration_id, body.lang)
    return DeclarationCheckOut(
        ok=not found,
        problems=[ProblemOut(field=p.field, code=p.code, message=p.message) for p in found],
    )


@router.post(
    "/remote-survey/declarations/<declaration_id>/submit",
    summary="Submit the declaration: immutable, with a declaration code for the QR",
    description="Refused with 422 `declaration_has_problems` (`details`: the same problems as "
    "the check) until there is none. Submitted: version 1, the decision support's outcome, "
    "review `received`, and a declaration code valid 24 h. A retried submit answers the same.",
    security=SECURED,
)
def submit_declaration(declaration_id: DeclarationId) -> DeclarationOut:
    declaration = submissions.submit(caller(router), declaration_id)
    return declaration_out(declaration, with_code=True)


@router.post(
    "/remote-survey/scans",
    summary="An officer scans a declaration code: the declaration in the officer's language",
    description="Officers of the declaration's port. Questions and select answers labelled in "
    "`lang`, and a summary (symptoms, temperature, outcome with reasons). The first scan "
    "records when and by whom. 403 `code_invalid` (forged, altered or not a code), 410 "
    "`code_expired`; 403 `outside_jurisdiction` for an officer of another port.",
    security=SECURED,
)
@answers(410)
def scan_declaration(body: ScanIn) -> ScanOut:
    seen = scans.scan(caller(router), body.code, body.lang)
    d = seen.declaration
    return ScanOut(
        declaration_id=d.declaration_id,
        port=d.port,
        flight_number=d.flight_number,
        arrival_date=d.arrival_date,
        version=int(d.version or 0),
        review=d.review,
        traveller_name=d.traveller_name,
        document_number=d.document_number,
        submitted_at=d.submitted_at,
        lang=seen.lang,
        direction=seen.direction,  # type: ignore[arg-type]
        answers=[
            LabelledAnswerOut(
                name=a.name,
                type=a.type,
                group=list(a.group),
                label=a.label,
                value=a.value,
                value_label=a.value_label,
            )
            for a in seen.answers
        ],
        summary=ScanSummaryOut(
            symptoms=seen.summary.symptoms,
            symptom_labels=seen.summary.symptom_labels,
            temperature=seen.summary.temperature,
            has_fever=seen.summary.has_fever,
            outcome=d.outcome,
            outcome_reasons=list(d.outcome_reasons or []) or None,
            rule_version=d.rule_version,
        ),
        scanned_at=d.scanned_at,
        scanned_by=d.scanned_by,
        first_scan=seen.first_scan,
    )


@router.post(
    "/remote-survey/kiosk-sessions",
    summary="Open a traveller's session at the port's kiosk (officers of the port)",
    description="The kiosk is logged in as an officer account of the port; each traveller "
    "gets a short session (role `traveller`, account `kiosk-<hex>`, this port only) to "
    "declare with.",
    security=SECURED,
)
def open_kiosk_session() -> Response[KioskSessionOut]:
    session = scans.open_kiosk_session(caller(router))
    return created(
        KioskSessionOut(
            token=session.token,
            expires_at=session.expires_at,
            account_id=session.account_id,
            port=session.port,
        )
    )
