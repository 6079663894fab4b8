"""Routes of published forms: publish a version (admins), a form in a language, its versions.
The work is in `enforcement.remote_survey.form_store`."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.forms import render
from enforcement.http import SECURED, caller, created
from enforcement.remote_survey import form_store, workbooks
from enforcement.remote_survey.api import router
from enforcement.remote_survey.declaration_schemas import (
    FormOut,
    FormPublishIn,
    FormVersionOut,
    LangCode,
)
from enforcement.remote_survey.models import SurveyForm

FormIdPath = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")]
#: The publish route and the Settings field of its body limit (larger than other routes').
PUBLISH = ("POST", "/remote-survey/forms")
PUBLISH_LIMIT = "form_max_bytes"


def _version_out(item: SurveyForm, created_now: bool | None = None) -> FormVersionOut:
    return FormVersionOut(
        form_id=item.form_id,
        version=int(item.version),
        declared_version=item.declared_version,
        title=item.title,
        languages=list(item.languages),
        content_hash=item.content_hash,
        published_at=item.published_at,
        published_by=item.published_by,
        created=created_now,
    )


@router.post(
    "/remote-survey/forms",
    summary="Publish a version of a form (XLSForm as JSON sheets or .xlsx in base64)",
    description="Admins of an agency. The form is checked by pyxform, then by the project's "
    "rules (docs/forms.md): every problem at once in 422 `form_rejected` (`details`: code, "
    "message, and the field, column, language or function concerned). A new content is the "
    "next version; the same content published again answers the version it is, with `created` "
    "false (201 both: nothing new is written the second time). An "
    ".xlsx is judged on its unzipped size before it is opened (422 `form_rejected`, code "
    "`too_large`). The body may be up to `FORM_MAX_BYTES` (1 MiB by default). 403 "
    "`form_of_another_agency`.",
    security=SECURED,
)
def publish_form(body: FormPublishIn) -> Response[FormVersionOut]:
    principal = caller(router)
    source: Any = body.sheets
    if source is None:
        source = workbooks.decode(body.xlsx_base64 or "")
    published = form_store.publish(principal, source)
    return created(_version_out(published.form, published.created))


@router.get(
    "/remote-survey/forms/<form_id>",
    summary="A published form in one language, to draw it",
    description="The latest version, or `version`. Questions (groups nested), choices, "
    "labels, hints and messages in `lang`, and the expressions as written; `direction` is "
    "`rtl` for Arabic. Readable by every mini-program account, by a kiosk session of a port of "
    "the publishing agency, and by that agency's officers and admins; anyone else 404 "
    "`form_not_found`, as for a form that does not exist. 422 `language_not_in_form` (with "
    "the form's languages).",
    security=SECURED,
)
def get_form(
    form_id: FormIdPath,
    lang: Annotated[LangCode, Query()],
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> FormOut:
    principal = caller(router)
    item = form_store.version_item(form_id, version)
    form_store.readable(principal, item)
    definition = form_store.definition(item)
    page = render(definition, lang)
    return FormOut.model_validate({**page, "published_version": int(item.version)})


@router.get(
    "/remote-survey/forms/<form_id>/versions",
    summary="Every published version of a form, the first one first",
    description="Readable as the form is (`GET …/forms/{form_id}`); 404 `form_not_found` when "
    "none is published or the caller may not read it.",
    security=SECURED,
)
def list_form_versions(form_id: FormIdPath) -> list[FormVersionOut]:
    principal = caller(router)
    found = form_store.versions_of(form_id)
    if not found:
        form_store.version_item(form_id)  # 404
    form_store.readable(principal, found[0])
    return [_version_out(item) for item in found]
