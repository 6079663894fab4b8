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
from enforcement.dispatch.schemas import (
    ConflictIn,
    DrawIn,
    DutyIn,
    InspectorIn,
    PlanIn,
    RedrawIn,
    ResultIn,
    RiskModelIn,
    TargetIn,
    VerifyIn,
    VerifyOut,
)
from enforcement.http import SECURED, caller, created, once

router = Router()

CodeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
AccountId = Annotated[str, Path(pattern=r"^off-[a-z][a-z0-9_.-]{2,31}$")]
DrawId = Annotated[str, Path(pattern=r"^draw-[0-9a-f]{16}$")]
Version = Annotated[int, Path(ge=1, le=1_000_000)]
Document = dict[str, Any]


# ------------------------------------------------------------------ risk models


@router.post(
    "/dispatch/risk-models/<model_id>/versions",
    summary="Save a new version of a risk model (version 1 creates it)",
    security=SECURED,
)
def put_model(model_id: CodeId, body: RiskModelIn) -> Response[Document]:
    principal = caller(router)
    result = once(
        router,
        f"risk_model.version:{model_id}",
        principal,
        body,
        lambda: catalogue.put_model(principal, model_id, body),
    )
    return created(result)


@router.get(
    "/dispatch/risk-models/<model_id>", summary="The latest version of a model", security=SECURED
)
def get_model(model_id: CodeId) -> Document:
    return catalogue.get_model(caller(router), model_id)


@router.get(
    "/dispatch/risk-models/<model_id>/versions/<version>",
    summary="One version of a model",
    security=SECURED,
)
def get_model_version(model_id: CodeId, version: Version) -> Document:
    return catalogue.get_model(caller(router), model_id, version)


# ------------------------------------------------------------------ targets and inspectors


@router.put(
    "/dispatch/targets/<target_id>",
    summary="Create or update a target and its indicator values (score and level follow)",
    security=SECURED,
)
def put_target(target_id: CodeId, body: TargetIn) -> Document:
    return catalogue.put_target(caller(router), target_id, body)


@router.get("/dispatch/targets/<target_id>", summary="A target and its history", security=SECURED)
def get_target(target_id: CodeId) -> Document:
    return catalogue.get_target(caller(router), target_id)


@router.put(
    "/dispatch/inspectors/<account_id>",
    summary="An officer's dispatch profile: qualifications, duty, conflicts",
    security=SECURED,
)
def put_inspector(account_id: AccountId, body: InspectorIn) -> Document:
    return inspectors.put_inspector(caller(router), account_id, body)


@router.get("/dispatch/inspectors/<account_id>", summary="A dispatch profile", security=SECURED)
def get_inspector(account_id: AccountId) -> Document:
    return inspectors.get_inspector(caller(router), account_id)


@router.put("/dispatch/me/duty", summary="Go on or off duty", security=SECURED)
def set_duty(body: DutyIn) -> Document:
    return inspectors.set_duty(caller(router), body.on_duty)


@router.post(
    "/dispatch/me/conflicts",
    summary="Declare a conflict of interest with a company",
    security=SECURED,
)
def declare_conflict(body: ConflictIn) -> Response[Document]:
    return created(inspectors.declare_conflict(caller(router), body))


# ------------------------------------------------------------------ draws


@router.put(
    "/dispatch/plan", summary="What the daily schedule draws for your agency", security=SECURED
)
def put_plan(body: PlanIn) -> Document:
    return draws.put_plan(caller(router), body)


@router.post("/dispatch/draws", summary="Start a draw now", security=SECURED)
def request_draw(body: DrawIn) -> Response[Document]:
    principal = caller(router)
    result = once(
        router, "draw.request", principal, body, lambda: draws.request_draw(principal, body)
    )
    return created(result)


@router.get("/dispatch/draws/<draw_id>", summary="A draw and its assignments", security=SECURED)
def get_draw(draw_id: DrawId) -> Document:
    return draws.get_draw(caller(router), draw_id)


@router.post(
    "/dispatch/draws/<draw_id>/targets/<target_id>/result",
    summary="Record the inspection of a drawn target (photos by presigned upload)",
    security=SECURED,
)
def record_result(draw_id: DrawId, target_id: CodeId, body: ResultIn) -> Response[Document]:
    principal = caller(router)
    result = once(
        router,
        f"inspection.result:{draw_id}:{target_id}",
        principal,
        body,
        lambda: results.record_result(principal, draw_id, target_id, body),
    )
    return created(result)


@router.post(
    "/dispatch/draws/<draw_id>/targets/<target_id>/redraw",
    summary="Draw a new team for a target, with a reason (public)",
    security=SECURED,
)
def redraw(draw_id: DrawId, target_id: CodeId, body: RedrawIn) -> Response[Document]:
    return created(results.redraw(caller(router), draw_id, target_id, body))


# ------------------------------------------------------------------ public, no token


@router.get("/public/draws", summary="Published draws of an agency, newest first")
def public_draws(
    agency: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[Document]:
    return public.public_draws(agency, limit)


@router.get(
    "/public/draws/<draw_id>",
    summary="A draw: commitment, snapshot hash, revealed seed, teams and results",
)
def public_draw(draw_id: DrawId) -> Document:
    return public.public_draw(draw_id)


def _document_or_redirect(answer: Document | str) -> Response[Any]:
    """The document itself, or a 303 to its presigned link when it is too large to answer."""
    if isinstance(answer, str):
        return Response(303, content_types.APPLICATION_JSON, {"url": answer}, {"Location": answer})
    return Response(200, content_types.APPLICATION_JSON, answer)


@router.get(
    "/public/draws/<draw_id>/snapshot",
    summary="The frozen population of a draw (303 to a download link when it is large)",
)
def public_snapshot(draw_id: DrawId) -> Response[Any]:
    return _document_or_redirect(public.public_snapshot(draw_id))


@router.get(
    "/public/draws/<draw_id>/result",
    summary="The published result document of a draw (303 to a download link when it is large)",
)
def public_result(draw_id: DrawId) -> Response[Any]:
    return _document_or_redirect(public.public_result(draw_id))


@router.get(
    "/public/draws/<draw_id>/verify",
    summary="Re-run a draw on its snapshot: identical, or every difference",
)
def public_verify(draw_id: DrawId) -> VerifyOut:
    return VerifyOut.model_validate(public.public_verify(draw_id))


@router.post(
    "/public/verify",
    summary="Re-run a published draw document on a snapshot document you send",
)
def verify_documents(body: VerifyIn) -> VerifyOut:
    return VerifyOut.model_validate(public.verify_documents(body.published, body.snapshot))
