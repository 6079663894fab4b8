"""The HTTP side of every API function: one resolver factory, one error model, caller identity.

Routes live in Powertools `Router`s per capability (e.g. `enforcement.checkin.api`); each API
function includes its router into a resolver made here, so the error model, the body limit and
the OpenAPI document are the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, OpenAPI
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel

from enforcement import idempotency, inputs, openapi
from enforcement.auth import Principal
from enforcement.config import settings
from enforcement.errors import DomainError, PayloadTooLarge
from enforcement.request_gate import PRINCIPAL, RequestGate, principal_of

logger = Logger(child=True)

BEARER = {"bearer": HTTPBearer(bearerFormat="JWT")}
SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
#: JSON answers in UTF-8 with the text as itself (长江之星, not \u957f...), compact as Powertools'.
to_json = partial(json.dumps, separators=(",", ":"), cls=Encoder, ensure_ascii=False)


def error_response(status: int, code: str, message: str, details: Any = None) -> Response[Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


class EnforcementResolver(APIGatewayRestResolver):
    """A REST resolver that refuses oversized bodies before anything parses them, judges each
    request in the order of `request_gate` (caller before body) and documents every error."""

    def __init__(self) -> None:
        super().__init__(
            enable_validation=True, serializer=to_json, json_body_deserializer=inputs.parse_json
        )
        # Powertools puts its request validation first in every route's chain; the gate takes
        # its place and runs it after authentication and the body's limits.
        gate = RequestGate(self._request_validation_middleware)
        self._request_validation_middleware = gate  # type: ignore[assignment]
        #: Routes whose bodies may be larger than `max_body_bytes`: (method, path) → the
        #: Settings field of their own limit (e.g. a form's publication).
        self.body_limits: dict[tuple[str, str], str] = {}

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        document = super().get_openapi_schema(**kwargs)
        raw = document.model_dump(mode="json", by_alias=True, exclude_none=True)
        routes = self._dynamic_routes + self._static_routes
        described = openapi.describe(raw, routes, created=created, once=once)
        return OpenAPI.model_validate(described)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        limit = settings().max_body_bytes
        if isinstance(event, Mapping) and self.body_limits:
            route = (str(event.get("httpMethod", "")).upper(), str(event.get("path", "")))
            if route in self.body_limits:
                limit = int(getattr(settings(), self.body_limits[route]))
        body = event.get("body") if isinstance(event, Mapping) else None
        if body and len(body) > limit:
            # answered before the resolver runs: no route, no middleware, no exception handler
            too_large = PayloadTooLarge(
                "body_too_large", f"request bodies are limited to {limit} bytes"
            )
            return {
                "statusCode": too_large.status,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": json.dumps(too_large.body()),
                "isBase64Encoded": False,
            }
        return super().resolve(event, context)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors without the rejected input (it may be huge or personal)."""
    return [
        {"loc": list(err.get("loc", [])), "type": err.get("type"), "msg": err.get("msg")}
        for err in errors
    ]


def make_resolver(title: str, description: str = "") -> EnforcementResolver:
    """A REST API resolver with validation, the error model and the body limit."""
    app = EnforcementResolver()
    app.configure_openapi(
        title=title,
        version="1.0.0",
        description=description or None,
        security_schemes=BEARER,  # type: ignore[arg-type]
    )

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response[Any]:
        if exc.status >= 500:
            logger.error("upstream failure", extra={"code": exc.code})
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        errors = list(exc.errors())
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_response(400, "invalid_json", "the request body is not valid JSON")
        return error_response(
            422,
            "validation_failed",
            "the request does not match the schema",
            _validation_details(errors),
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(_: RequestUnsupportedContentType) -> Response[Any]:
        return error_response(415, "unsupported_media_type", "send the body as application/json")

    @app.not_found
    def _not_found(_: Exception) -> Response[Any]:
        return error_response(404, "route_not_found", "no such route")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong on our side")

    return app


def caller(router: BaseRouter) -> Principal:
    """The verified principal of the current request (401 when absent or invalid)."""
    verified = router.context.get(PRINCIPAL)  # by the request gate, for this request
    if isinstance(verified, Principal):
        return verified
    return principal_of(router.current_event.raw_event)


def idempotency_key(router: BaseRouter) -> str | None:
    """The client's Idempotency-Key header, if it sent one (mini-programs re-send requests)."""
    headers = {k.lower(): v for k, v in (router.current_event.headers or {}).items()}
    key = headers.get("idempotency-key")
    return key[:128] if key else None


def created(body: Any) -> Response[Any]:
    """A 201 answer with `body` (a pydantic model or a JSON-able value); a route that answers
    with it is documented with 201 as its success status."""
    return Response(201, content_types.APPLICATION_JSON, body)


#: `@redirects("when ...")` on a route that may answer 303 to a `Location` (see openapi.py).
redirects = openapi.redirects
#: `@answers(401)` on a route that gives an error its declarations do not imply (openapi.py).
answers = openapi.answers


def once(
    router: BaseRouter,
    operation: str,
    principal: Principal,
    body: BaseModel | None,
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run a creating route's work once per the client's Idempotency-Key (see idempotency.py);
    a route that calls it is documented with the `Idempotency-Key` header."""
    payload = body.model_dump(mode="json") if body is not None else {}
    return idempotency.once(operation, principal.account_id, idempotency_key(router), payload, run)
