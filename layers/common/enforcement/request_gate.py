"""The order in which a request is judged, before any route code or schema sees it.

Powertools runs its request validation first in every route's middleware chain, so an anonymous
caller would learn a secured route's schema from its 422. `RequestGate` takes the place of that
validation step and runs, in order:

1. a repeated `Authorization` header: 400 `repeated_header` (never guess which one counts);
2. on routes that declare `security`: the bearer token, 401 before anything about the body;
3. on routes that take a body: its media type (415) and the JSON limits of `inputs.parse_json`
   (400 / 422), before anything parses or recurses;
4. then Powertools' own validation of path, query, headers and body (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware

from enforcement import inputs
from enforcement.auth import Principal, principal_from_headers
from enforcement.errors import BadRequest

#: Where the gate leaves the caller it verified, in the resolver's context (cleared after each
#: request), so that the route's `http.caller` does not verify the token a second time.
PRINCIPAL = "enforcement.principal"


def principal_of(event: Mapping[str, Any]) -> Principal:
    """The verified caller of an API Gateway event (400 on a repeated header, 401 otherwise)."""
    token = inputs.single_header(event, "Authorization") or ""
    return principal_from_headers({"authorization": token})


class RequestGate(BaseMiddlewareHandler[Any]):
    """Authentication and body limits first, then the wrapped Powertools validation."""

    def __init__(self, validation: BaseMiddlewareHandler[Any]) -> None:
        super().__init__()
        self.validation = validation

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response[Any]:
        route = app.context.get("_route")
        event = app.current_event
        inputs.single_header(event.raw_event, "Authorization")
        if route is not None and route.security:
            app.append_context(**{PRINCIPAL: principal_of(event.raw_event)})
        if route is not None and route.dependant.body_params and event.body:
            inputs.require_json(event.headers.get("content-type"))
            try:
                text = event.decoded_body
            except (UnicodeDecodeError, ValueError) as exc:
                raise BadRequest("invalid_json", "the request body is not UTF-8 JSON") from exc
            if text:
                event.json_body  # noqa: B018 - parsed once here, within limits; cached for later
        return self.validation.handler(app, next_middleware)
