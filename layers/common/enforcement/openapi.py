"""The OpenAPI document as a contract: what every operation says, decided in one place.

Powertools writes an operation from its route; this module completes it from what the route
declares or does, so a new route is documented like the others without a line of its own:

- a tag per capability, from the path's first segment when the route names none (`TAGS` holds
  each tag's description);
- a short, stable operation id: the handler's function name, prefixed by its tag where two
  operations of the document share a name (`checkin_me`, `auth_me`);
- a description: the route's `description`, else its handler's docstring;
- 201 as the success status of a route that answers `http.created(...)`;
- the `Idempotency-Key` header on every route that runs its work through `http.once`;
- a 303 with its `Location` header on a route marked `@http.redirects(...)`;
- the errors of `openapi_errors`, with the one shared `Error` schema, and those a route
  declares with `@http.answers(...)`.
"""

from __future__ import annotations

import inspect
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from enforcement import openapi_errors
from enforcement.schemas import RedirectOut

F = TypeVar("F", bound=Callable[..., Any])

#: Every capability's tag and what a client developer finds under it.
TAGS: dict[str, str] = {
    "auth": "Logins (officers, mini-program users), session refresh and officer accounts.",
    "checkin": (
        "Crew check-in: vessels and their manning tables, crew and certificates, face "
        "enrolment, self and on-site checks, remote check tasks, bindings, applications, "
        "service records and health reports."
    ),
    "dispatch": (
        "Random dispatch: risk models, targets, inspectors' profiles, draws, inspection "
        "results and redraws."
    ),
    "duty": (
        "Duty tasks of traffic police: patrol areas, a day's dispatch, officers' tasks, "
        "hazard reports and the command centre's queue."
    ),
    "remote-survey": (
        "Remote survey of arriving travellers: health declaration forms, declarations and "
        "their checks, officers' scans and reviews, clearance and the ports' day boards."
    ),
    "ticketing": (
        "Traffic e-tickets: the cities' registries, plate and licence lookups at the roadside, "
        "and drivers identified by face (enrolment, searches, the officer's confirmation)."
    ),
    "public": "Published draws for anyone, without a token: commitments, snapshots, results "
    "and verification.",
    "evidence": "Photos of inspection results and hazard reports: uploads and their state.",
    "notifications": "The inboxes of officers, crew and command centres.",
}

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any unique string of yours (its first 128 characters count). A request re-sent with "
        "the same key and body gets the first answer back instead of doing the work twice; "
        "the same key with another body is refused with 409."
    ),
    "schema": {"type": "string", "minLength": 1},
}
REDIRECT_REF = "#/components/schemas/Redirect"
_REDIRECT_MARK = "__redirects__"
_ANSWERS_MARK = "__answers__"


class RouteLike(Protocol):
    """What this module reads of a Powertools route."""

    @property
    def method(self) -> str: ...
    @property
    def openapi_path(self) -> str: ...
    @property
    def func(self) -> Callable[..., Any]: ...
    @property
    def tags(self) -> Iterable[str]: ...
    @property
    def description(self) -> str | None: ...
    @property
    def operation_id(self) -> str: ...
    @property
    def include_in_schema(self) -> bool: ...

    def _generate_operation_id(self) -> str: ...


def redirects(why: str) -> Callable[[F], F]:
    """Mark a route that may answer 303 to `Location` (with `{url}` as its body), and say when."""

    def mark(func: F) -> F:
        setattr(func, _REDIRECT_MARK, why)
        return func

    return mark


def answers(*statuses: int) -> Callable[[F], F]:
    """Mark a route that may answer errors its declarations do not imply (`openapi_errors`
    derives the others), e.g. 401 on a login route that takes no token."""

    def mark(func: F) -> F:
        setattr(func, _ANSWERS_MARK, tuple(statuses))
        return func

    return mark


def calls(
    func: Callable[..., Any], target: Callable[..., Any], _seen: set[int] | None = None
) -> bool:
    """Whether `func`'s code calls `target` by a global name (`once(...)`) or through its
    module (`http.once(...)`), itself or through a helper function of its own module (a
    router's `_once`), read from the compiled code: no source needed at run time."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    seen = set() if _seen is None else _seen
    if code is None or id(code) in seen:
        return False
    seen.add(id(code))
    codes = [code, *(c for c in code.co_consts if inspect.iscode(c))]  # lambdas inside too
    names = {name for c in codes for name in c.co_names}
    scope = getattr(func, "__globals__", {})
    if any(scope.get(name) is target for name in names):
        return True
    module = sys.modules.get(target.__module__)
    if target.__name__ in names and any(scope.get(name) is module for name in names):
        return True
    helpers = (scope.get(name) for name in names)
    return any(
        inspect.isfunction(helper)
        and helper.__module__ == func.__module__
        and calls(helper, target, seen)
        for helper in helpers
    )


def tag_of(route: RouteLike) -> str:
    """The route's own first tag (Powertools keeps a router's tags as a set), else the first
    segment of its path."""
    if route.tags:
        return str(sorted(route.tags)[0])
    return route.openapi_path.strip("/").split("/", 1)[0] or "default"


def _operation_ids(routes: list[RouteLike]) -> dict[int, str]:
    """Per route (by id): its explicit operation id, or its function's name, prefixed by its tag
    where two operations would share it."""
    names: dict[int, str] = {}
    for route in routes:
        explicit = route.operation_id != route._generate_operation_id()
        names[id(route)] = route.operation_id if explicit else route.func.__name__
    counts = Counter(names.values())
    return {
        key: name if counts[name] == 1 else f"{tag_of(route)}_{name}"
        for route in routes
        for key, name in [(id(route), names[id(route)])]
    }


def _description(route: RouteLike) -> str | None:
    if route.description:
        return route.description
    doc = inspect.getdoc(inspect.unwrap(route.func))
    return doc or None


def _created(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    if "200" in responses and "201" not in responses:
        success = responses.pop("200")
        success["description"] = "Created"
        responses["201"] = success


def _redirect(operation: dict[str, Any], why: str) -> None:
    operation["responses"]["303"] = {
        "description": f"See other: {why}",
        "headers": {
            "Location": {
                "description": "where to get the answer (a presigned link, valid for minutes)",
                "required": True,
                "schema": {"type": "string", "format": "uri"},
            }
        },
        "content": {"application/json": {"schema": {"$ref": REDIRECT_REF}}},
    }


def _idempotent(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
        parameters.append(dict(IDEMPOTENCY_KEY))


def describe(
    document: dict[str, Any],
    routes: Iterable[RouteLike],
    *,
    created: Callable[..., Any],
    once: Callable[..., Any],
) -> dict[str, Any]:
    """`document` (an OpenAPI dict made by Powertools from `routes`) completed as a contract.

    `created` and `once` are the helpers (of `enforcement.http`) whose use by a route makes it
    a creating route and an idempotent one."""
    listed = [route for route in routes if route.include_in_schema]
    operation_ids = _operation_ids(listed)
    paths = document.get("paths") or {}
    used_tags: set[str] = set()
    for route in listed:
        operation = (paths.get(route.openapi_path) or {}).get(route.method.lower())
        if not isinstance(operation, dict):
            continue
        tag = tag_of(route)
        operation["tags"] = sorted(route.tags) or [tag]
        used_tags.update(operation["tags"])
        operation["operationId"] = operation_ids[id(route)]
        description = _description(route)
        if description:
            operation["description"] = description
        if calls(route.func, created):
            _created(operation)
        if calls(route.func, once):
            _idempotent(operation)
        handler = inspect.unwrap(route.func)
        why = getattr(handler, _REDIRECT_MARK, None)
        if why:
            _redirect(operation, why)
        extra = getattr(handler, _ANSWERS_MARK, ())
        if extra:
            operation[openapi_errors.EXTRA] = list(extra)
    document = openapi_errors.document_errors(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if any(
        "303" in op.get("responses", {})
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
    ):
        schemas["Redirect"] = RedirectOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    ordered = [tag for tag in TAGS if tag in used_tags] + sorted(used_tags - set(TAGS))
    document["tags"] = [
        {"name": tag, "description": TAGS[tag]} if tag in TAGS else {"name": tag} for tag in ordered
    ]
    return document
