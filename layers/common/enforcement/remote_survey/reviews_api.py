"""Routes of what follows a submit: corrections (new versions) and their diff, officers'
reviews, a flight's declarations and exports. The work is in `corrections`, `reviews` and
`declaration_lists`."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.http import SECURED, caller, created
from enforcement.remote_survey import corrections, declaration_lists, form_store, reviews
from enforcement.remote_survey.api import router
from enforcement.remote_survey.declaration_schemas import DeclarationOut, LangCode
from enforcement.remote_survey.declarations_api import DeclarationId, declaration_out
from enforcement.remote_survey.models import Declaration
from enforcement.remote_survey.review_schemas import (
    AnswerChangeOut,
    DeclarationCorrectionIn,
    DeclarationDiffOut,
    DeclarationExportIn,
    DeclarationExportOut,
    DeclarationReviewIn,
    DeclarationReviewOut,
    DeclarationVersionOut,
    FlightDeclarationOut,
)
from enforcement.schemas import Jurisdiction

VersionNumber = Annotated[int, Path(ge=1, le=100)]
DatePath = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]
FlightPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{2}[0-9]{1,4}[A-Za-z]?$")]


@router.post(
    "/remote-survey/declarations/<declaration_id>/corrections",
    summary="Correct a submitted declaration: a new version (its traveller)",
    description="The answers changed (null clears one) and a reason. Checked as a submit is "
    "(422 `declaration_has_problems` with every problem, `answers_invalid`); the decision "
    "support decides again; the review returns to received. A correction that changes "
    "nothing writes nothing. 409 `declaration_changed` (another correction came first), "
    "`not_submitted`, `declaration_cleared` (released or held at the port), `review_final` "
    "(referred or rejected), `too_many_corrections`; 403 `not_your_declaration`.",
    security=SECURED,
)
def correct_declaration(
    declaration_id: DeclarationId, body: DeclarationCorrectionIn
) -> Response[DeclarationOut]:
    declaration = corrections.correct(caller(router), declaration_id, body.answers, body.reason)
    return created(declaration_out(declaration))


@router.get(
    "/remote-survey/declarations/<declaration_id>/versions",
    summary="A declaration's versions: the submitted one, then each correction",
    description="Its traveller and officers of its port. 403 `not_your_declaration`, "
    "`outside_jurisdiction`; 404 `declaration_not_found`.",
    security=SECURED,
)
def declaration_versions(declaration_id: DeclarationId) -> list[DeclarationVersionOut]:
    return [
        DeclarationVersionOut(
            version=int(v.version),
            form_id=v.form_id,
            form_version=int(v.form_version),
            submitted_at=v.submitted_at,
            submitted_by=v.submitted_by,
            reason=v.reason,
            answers=dict(v.answers or {}),
            computed=v.computed,
        )
        for v in corrections.versions(caller(router), declaration_id)
    ]


@router.get(
    "/remote-survey/declarations/<declaration_id>/versions/<before>/diff/<after>",
    summary="What changed between two versions, labelled in a language",
    description="Answers added, removed and changed from version `before` to `after`, in the "
    "form's survey order, questions and select answers labelled in `lang` (default: the "
    "traveller's language for the traveller, the form's first for officers). 404 "
    "`version_not_found`, `declaration_not_found`; 422 `language_not_in_form`.",
    security=SECURED,
)
def declaration_diff(
    declaration_id: DeclarationId,
    before: VersionNumber,
    after: VersionNumber,
    lang: Annotated[LangCode | None, Query()] = None,
) -> DeclarationDiffOut:
    code, changes = corrections.version_diff(caller(router), declaration_id, before, after, lang)
    return DeclarationDiffOut(
        declaration_id=declaration_id,
        before=before,
        after=after,
        lang=code,
        changes=[AnswerChangeOut.model_validate(change.as_dict()) for change in changes],
    )


def review_out(declaration: Declaration) -> DeclarationReviewOut:
    return DeclarationReviewOut(
        declaration_id=declaration.declaration_id,
        version=int(declaration.version or 0),
        review=declaration.review or "received",  # type: ignore[arg-type]
        review_comment=declaration.review_comment,
        reviewed_by=declaration.reviewed_by,
        reviewed_at=declaration.reviewed_at,
        kept=declaration.expires_at is None,
    )


@router.post(
    "/remote-survey/declarations/<declaration_id>/review",
    summary="Review a submitted declaration (officers of its port)",
    description="received → has_issues | approved | referred | rejected; has_issues → "
    "has_issues | approved | referred | rejected; approved → has_issues | referred | "
    "rejected; referred and rejected are final. A comment is required for has_issues, "
    "referred and rejected (422 `comment_required`). A referral keeps the declaration beyond "
    "the retention period. The same review again is a retry. 409 `review_move_not_allowed`, "
    "`declaration_changed`, `not_submitted`; 403 `outside_jurisdiction`, `role_not_allowed`; "
    "404 `declaration_not_found`.",
    security=SECURED,
)
def review_declaration(
    declaration_id: DeclarationId, body: DeclarationReviewIn
) -> DeclarationReviewOut:
    done = reviews.review(caller(router), declaration_id, body.state, body.comment)
    return review_out(done)


@router.get(
    "/remote-survey/flights/<arrival_date>/<flight_number>/declarations",
    summary="A flight's submitted declarations (officers of the port), numbers masked",
    description="Officers of `port` and admins of its agency: the flight's submitted "
    "declarations with their review, outcome and clearance times; document numbers masked. "
    "403 `outside_jurisdiction`; 404 `port_not_found`.",
    security=SECURED,
)
def flight_declarations(
    arrival_date: DatePath,
    flight_number: FlightPath,
    port: Annotated[Jurisdiction, Query()],
) -> list[FlightDeclarationOut]:
    found = declaration_lists.flight_declarations(caller(router), port, arrival_date, flight_number)
    return [FlightDeclarationOut.model_validate(item) for item in found]


@router.post(
    "/remote-survey/exports",
    summary="Export a flight's or a day's declarations as CSV or XLSX",
    description="Officers of the port and admins of its agency. The file (headers and select "
    "answers in `lang`; document numbers masked unless `document_numbers` is full; no cell a "
    "spreadsheet would run as a formula) is stored for a day and linked for 15 minutes; "
    "each export is in the audit chain. An XLSX holds at most 2,000 declarations (a day: "
    "CSV). 403 `outside_jurisdiction`; 404 `port_not_found`; 422 `language_not_in_form`, "
    "`export_too_large`.",
    security=SECURED,
)
def export_declarations(body: DeclarationExportIn) -> Response[DeclarationExportOut]:
    done = declaration_lists.export_declarations(
        caller(router),
        body.port,
        body.arrival_date.isoformat(),
        body.flight_number,
        body.format,
        body.lang,
        full_numbers=body.document_numbers == "full",
        definition_of=lambda form_id, version: form_store.form(form_id, version)[1],
    )
    return created(
        DeclarationExportOut(
            url=done.url,
            expires_at=done.expires_at,
            media_type=done.media_type,
            rows=done.rows,
            bytes=done.bytes,
            flights=done.flights,
        )
    )
