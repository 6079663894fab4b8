"""The error answers of every operation in the OpenAPI document, from one shared `Error` schema.

Powertools documents a 422 whose body (`{detail: [...]}`) is not the one sent and no other
error. Here every operation gets the errors it can answer, decided from what it declares, so a
new route is documented like the others without a line of its own:

- 400 (malformed: body not JSON, too deep, a repeated header), 500 and 502 (a service behind,
  such as the login platform or a workflow, failed), everywhere;
- 401 and 403 where the operation declares `security`; 404 there and wherever a path names a
  record; 409 on every method that writes;
- 413 and 415 where there is a request body; 422 where there is a body, a parameter or a caller;
- any other a route declares (`enforcement.openapi.answers`, noted under `EXTRA` until here).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from enforcement.schemas import ErrorOut

ERROR_REF = "#/components/schemas/Error"

DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: the body is not JSON or nests too deep, or a header is repeated",
    401: "No valid bearer token: missing, malformed, expired or forged",
    403: "The caller may not do this: role, agency, jurisdiction or ownership",
    404: "No such record",
    409: "The request conflicts with the current state of a record",
    413: "The body is larger than the limit",
    415: "The body is not sent as application/json",
    422: "Well-formed but invalid: fields, ranges, dates or a rule (`details` lists the fields)",
    500: "An unexpected failure on the server side",
    502: "A service behind the API (the login platform, a workflow) failed or did not answer",
}
#: The key under which an operation carries the extra error statuses its route declares.
EXTRA = "x-enforcement-errors"
_REPLACED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_WRITES = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer, from what it declares."""
    secured = bool(operation.get("security"))
    parameters = operation.get("parameters") or []
    has_body = "requestBody" in operation
    statuses = [400]
    if secured:
        statuses += [401, 403]
    if secured or any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    if method.lower() in _WRITES:
        statuses.append(409)
    if has_body:
        statuses += [413, 415]
    if has_body or parameters or secured:
        statuses.append(422)
    statuses += [int(s) for s in operation.get(EXTRA, ()) if int(s) not in statuses]
    return sorted([*statuses, 500, 502])


def error_schema() -> dict[str, Any]:
    """The JSON Schema of every error body, as a component."""
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schema["title"] = "Error"
    return schema


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (an OpenAPI dict) with the shared `Error` schema on every operation's errors."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _REPLACED_SCHEMAS:
        schemas.pop(name, None)
    schemas["Error"] = error_schema()
    for path_item in (document.get("paths") or {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            statuses = error_statuses(method, operation)
            operation.pop(EXTRA, None)
            for status in statuses:
                responses.pop(status, None)
                responses[str(status)] = {
                    "description": DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                }
    return document
