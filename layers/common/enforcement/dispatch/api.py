"""Routes of the dispatch API. Thin: validate (pydantic), authenticate, call the aggregate's
module (`catalogue`, `inspectors`, `draws`, `results`, `public`).

`/dispatch/...` needs a bearer token (admins and officers of an agency); `/public/...` needs
none: published draws, their snapshots and results, and verification, for anyone.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from enforcement.dispatch import catalogue, draws, inspectors, public, results
from enforcement.dispatch.public_schemas import (
    DocumentLinkOut,
    PublicDrawOut,
    PublicDrawPageOut,
    ResultDocument,
    SnapshotDocument,
)
from enforcement.dispatch.schemas import (
    AssignmentOut,
    ConflictIn,
    DrawDetailOut,
    DrawIn,
    DrawOut,
    DutyIn,
    InspectorIn,
    InspectorOut,
    PlanIn,
    PlanOut,
    RecordedOut,
    RedrawIn,
    ResultIn,
    RiskModelIn,
    RiskModelOut,
    TargetIn,
    TargetOut,
    VerifyIn,
    VerifyOut,
)
from enforcement.http import SECURED, caller, created, once, redirects

router = Router()

CodeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
AccountId = Annotated[str, Path(pattern=r"^off-[a-z][a-z0-9_.-]{2,31}$")]
DrawId = Annotated[str, Path(pattern=r"^draw-[0-9a-f]{16}$")]
Version = Annotated[int, Path(ge=1, le=1_000_000)]


# ------------------------------------------------------------------ risk models


@router.post(
    "/dispatch/risk-models/<model_id>/versions",
    summary="Save a new version of a risk model (version 1 creates it)",
    description="An admin of the agency saves the model's next version; draws keep the version "
    "they used. 201 with the version; 403 for others or a model id another agency uses; 409 when "
    "another version was saved meanwhile; 422 `invalid_model` for a model that does not hold.",
    status_code=201,
    security=SECURED,
)
def put_model(model_id: CodeId, body: RiskModelIn) -> Response[RiskModelOut]:
    principal = caller(router)
    result = once(
        router,
        f"risk_model.version:{model_id}",
        principal,
        body,
        lambda: catalogue.put_model(principal, model_id, body),
    )
    return created(RiskModelOut.model_validate(result))


@router.get(
    "/dispatch/risk-models/<model_id>",
    summary="The latest version of a model",
    description="Members of the agency read its models. 404 `model_not_found` for a model of "
    "another agency or none.",
    security=SECURED,
)
def get_model(model_id: CodeId) -> RiskModelOut:
    return RiskModelOut.model_validate(catalogue.get_model(caller(router), model_id))


@router.get(
    "/dispatch/risk-models/<model_id>/versions/<version>",
    summary="One version of a model",
    description="Members of the agency read any version of its models. 404 `model_not_found` "
    "for a version, or a model, that is not there.",
    security=SECURED,
)
def get_model_version(model_id: CodeId, version: Version) -> RiskModelOut:
    return RiskModelOut.model_validate(catalogue.get_model(caller(router), model_id, version))


# ------------------------------------------------------------------ targets and inspectors


@router.put(
    "/dispatch/targets/<target_id>",
    summary="Create or update a target and its indicator values (score and level follow)",
    description="An admin of the agency writes a target, scored under the latest version of "
    "one of its models. 403 for others or a target id another agency uses; 404 for an unknown "
    "model; 422 `wrong_model_kind` or `invalid_indicators`.",
    security=SECURED,
)
def put_target(target_id: CodeId, body: TargetIn) -> TargetOut:
    return TargetOut.model_validate(catalogue.put_target(caller(router), target_id, body))


@router.get(
    "/dispatch/targets/<target_id>",
    summary="A target and its history",
    description="Members of the agency read its targets with their latest inspections. 404 "
    "`target_not_found` for a target of another agency or none.",
    security=SECURED,
)
def get_target(target_id: CodeId) -> TargetOut:
    return TargetOut.model_validate(catalogue.get_target(caller(router), target_id))


@router.put(
    "/dispatch/inspectors/<account_id>",
    summary="An officer's dispatch profile: qualifications, duty, conflicts",
    description="An admin of the agency writes the profile of one of its active officers "
    "(declared conflicts are kept). 403 for others; 404 `account_not_found`; 422 "
    "`not_an_officer`.",
    security=SECURED,
)
def put_inspector(account_id: AccountId, body: InspectorIn) -> InspectorOut:
    return InspectorOut.model_validate(inspectors.put_inspector(caller(router), account_id, body))


@router.get(
    "/dispatch/inspectors/<account_id>",
    summary="A dispatch profile",
    description="Admins of the agency, and the officer themself, read a profile. 403 or 404 "
    "`inspector_not_found` otherwise.",
    security=SECURED,
)
def get_inspector(account_id: AccountId) -> InspectorOut:
    return InspectorOut.model_validate(inspectors.get_inspector(caller(router), account_id))


@router.put(
    "/dispatch/me/duty",
    summary="Go on or off duty",
    description="An officer with a dispatch profile sets their own duty (a draw freezes who is "
    "on duty then). 403 for other roles; 404 `inspector_not_found` without a profile.",
    security=SECURED,
)
def set_duty(body: DutyIn) -> InspectorOut:
    return InspectorOut.model_validate(inspectors.set_duty(caller(router), body.on_duty))


@router.post(
    "/dispatch/me/conflicts",
    summary="Declare a conflict of interest with a company",
    description="An officer declares a conflict: never drawn for the company again. 201 with "
    "the profile; 403 for other roles; 404 `inspector_not_found` without a profile.",
    status_code=201,
    security=SECURED,
)
def declare_conflict(body: ConflictIn) -> Response[InspectorOut]:
    profile = inspectors.declare_conflict(caller(router), body)
    return created(InspectorOut.model_validate(profile))


# ------------------------------------------------------------------ draws


@router.put(
    "/dispatch/plan",
    summary="What the daily schedule draws for your agency",
    description="An admin sets the agency's daily draw with one of its models. 403 for others; "
    "404 `model_not_found`.",
    security=SECURED,
)
def put_plan(body: PlanIn) -> PlanOut:
    return PlanOut.model_validate(draws.put_plan(caller(router), body))


@router.post(
    "/dispatch/draws",
    summary="Start a draw now",
    description="An admin starts an on-demand draw of the agency: 201 with the draw "
    "(`requested`), its state machine running. 403 for others; 404 `model_not_found`; 502 "
    "when the workflow cannot be started.",
    status_code=201,
    security=SECURED,
)
def request_draw(body: DrawIn) -> Response[DrawOut]:
    principal = caller(router)
    result = once(
        router, "draw.request", principal, body, lambda: draws.request_draw(principal, body)
    )
    return created(DrawOut.model_validate(result))


@router.get(
    "/dispatch/draws/<draw_id>",
    summary="A draw and its assignments",
    description="Members of the agency read its draws, with teams by account id, results and "
    "photos. 404 `draw_not_found` for a draw of another agency or none.",
    security=SECURED,
)
def get_draw(draw_id: DrawId) -> DrawDetailOut:
    return DrawDetailOut.model_validate(draws.get_draw(caller(router), draw_id))


@router.post(
    "/dispatch/draws/<draw_id>/targets/<target_id>/result",
    summary="Record the inspection of a drawn target (photos by presigned upload)",
    description="A member of the target's team records the result once: 201 with the "
    "assignment and one presigned upload per photo. 403 `not_on_team`; 404 for an unknown draw "
    "or target; 409 `already_recorded`.",
    status_code=201,
    security=SECURED,
)
def record_result(draw_id: DrawId, target_id: CodeId, body: ResultIn) -> Response[RecordedOut]:
    principal = caller(router)
    result = once(
        router,
        f"inspection.result:{draw_id}:{target_id}",
        principal,
        body,
        lambda: results.record_result(principal, draw_id, target_id, body),
    )
    return created(RecordedOut.model_validate(result))


@router.post(
    "/dispatch/draws/<draw_id>/targets/<target_id>/redraw",
    summary="Draw a new team for a target, with a reason (public)",
    description="An admin of the agency has a new team drawn from the frozen snapshot, without "
    "the earlier teams: 201 with the assignment. 403 for others; 404 for an unknown draw or "
    "target; 409 `draw_not_published`, `already_recorded`, `no_eligible_team`.",
    status_code=201,
    security=SECURED,
)
def redraw(draw_id: DrawId, target_id: CodeId, body: RedrawIn) -> Response[AssignmentOut]:
    assignment = results.redraw(caller(router), draw_id, target_id, body)
    return created(AssignmentOut.model_validate(assignment))


# ------------------------------------------------------------------ public, no token


@router.get(
    "/public/draws",
    summary="Published draws of an agency, newest first",
    description="Anyone, without a token: the agency's draws from their commitment on, with "
    "what verification anchors on.",
)
def public_draws(
    agency: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[PublicDrawOut]:
    return [PublicDrawOut.model_validate(page) for page in public.public_draws(agency, limit)]


@router.get(
    "/public/draws/<draw_id>",
    summary="A draw: commitment, snapshot hash, revealed seed, teams and results",
    description="Anyone, without a token: a draw's page, inspectors by public id; its "
    "assignments once drawn. 404 `draw_not_public` before the commitment, `draw_not_found`.",
)
def public_draw(draw_id: DrawId) -> PublicDrawPageOut:
    return PublicDrawPageOut.model_validate(public.public_draw(draw_id))


def _document_or_redirect(answer: dict[str, Any] | str) -> Response[Any]:
    """The document itself, or a 303 to its presigned link when it is too large to answer."""
    if isinstance(answer, str):
        link = DocumentLinkOut(url=answer)
        return Response(303, content_types.APPLICATION_JSON, link, {"Location": answer})
    return Response(200, content_types.APPLICATION_JSON, answer)


@router.get(
    "/public/draws/<draw_id>/snapshot",
    summary="The frozen population of a draw (303 to a download link when it is large)",
    description="Anyone, without a token: the snapshot document as stored (its SHA-256 over "
    "canonical JSON is the published snapshot hash), or 303 to a download link when it is too "
    "large to answer. 404 `draw_not_public` before the commitment.",
)
@redirects("to a download link when the document is too large to answer")
def public_snapshot(draw_id: DrawId) -> Response[SnapshotDocument | DocumentLinkOut]:
    return _document_or_redirect(public.public_snapshot(draw_id))


@router.get(
    "/public/draws/<draw_id>/result",
    summary="The published result document of a draw (303 to a download link when it is large)",
    description="Anyone, without a token: the result document as stored, or 303 to a download "
    "link when it is too large to answer. 404 `result_not_ready` before the draw is drawn.",
)
@redirects("to a download link when the document is too large to answer")
def public_result(draw_id: DrawId) -> Response[ResultDocument | DocumentLinkOut]:
    return _document_or_redirect(public.public_result(draw_id))


@router.get(
    "/public/draws/<draw_id>/verify",
    summary="Re-run a draw on its snapshot: identical, or every difference",
    description="Anyone, without a token: the stored documents held to what the draw page "
    "published, then re-run. 404 `result_not_ready` before the draw is drawn.",
)
def public_verify(draw_id: DrawId) -> VerifyOut:
    return VerifyOut.model_validate(public.public_verify(draw_id))


@router.post(
    "/public/verify",
    summary="Re-run a published draw document on a snapshot document you send",
    description="Anyone, without a token: documents held to the page of the draw they name, "
    "then re-run; `not_the_published_draw` when they are not its documents. 400 "
    "`float_in_document` for a number that is not an integer.",
)
def verify_documents(body: VerifyIn) -> VerifyOut:
    return VerifyOut.model_validate(public.verify_documents(body.published, body.snapshot))
