"""The OpenAPI document as a contract client developers generate code from.

Every operation: a tag with a description, a description, a short unique operation id, a typed
success answer (201 where it creates), the shared `Error` on every error status; the document
valid. All offending operations are reported at once. The mechanism (enforcement/openapi.py) is
proved on a router of its own, so these checks can fail.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from enforcement.http import SECURED, answers, created, make_resolver, once, redirects
from openapi_spec_validator import validate
from pydantic import BaseModel

from tests.openapi_contract import build_document, offences, operations

#: Answers that are free JSON by design: none. (Even the published documents of a draw, served
#: byte for byte as stored and checked by their hash, are typed after their specification.)
FREE_JSON: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}: {'; '.join(problems)}" for name, problems in sorted(found.items()))


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_operation_keeps_the_contract(document: dict[str, Any]) -> None:
    found = offences(document, free_json=FREE_JSON)
    assert not found, f"{len(found)} operations break the contract:\n{_report(found)}"


def test_creating_routes_document_201_and_idempotent_ones_the_header(
    document: dict[str, Any],
) -> None:
    wrong = []
    for name, operation in operations(document):
        statuses = set(operation["responses"])
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "201" in statuses and "200" in statuses:
            wrong.append(f"{name}: documents both 200 and 201")
        if "Idempotency-Key" in headers and "201" not in statuses:
            wrong.append(f"{name}: honours Idempotency-Key but does not document 201")
        if "303" in statuses and "Location" not in operation["responses"]["303"]["headers"]:
            wrong.append(f"{name}: 303 without its Location header")
    assert not wrong, "\n".join(wrong)
    created_ops = [n for n, op in operations(document) if "201" in op["responses"]]
    assert "POST /checkin/vessels" in created_ops
    assert "POST /auth/officers" in created_ops
    idempotent = {
        name
        for name, op in operations(document)
        if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    }
    # check-in's creating routes run `http.once` through a helper of their router's module
    assert {"POST /checkin/vessels", "POST /checkin/checks", "POST /dispatch/draws"} <= idempotent


# ------------------------------------------------------------------ the mechanism, on its own


class ThingOut(BaseModel):
    thing_id: str


class ThingIn(BaseModel):
    name: str


def _once_for(router: Router, body: ThingIn) -> dict[str, Any]:
    """A router's helper that runs the work through `http.once`, as check-in's `_once` does."""
    return once(router, "thing", None, body, dict)  # type: ignore[arg-type]


def _toy_document() -> dict[str, Any]:
    things = Router()
    other = Router()

    @things.post("/things", summary="Create a thing", security=SECURED)
    def create_thing(body: ThingIn) -> Response[ThingOut]:
        """Make a thing, once per Idempotency-Key."""
        return created(once(things, "thing", None, body, dict))  # type: ignore[arg-type]

    @things.get("/things/<thing_id>", summary="A thing", security=SECURED)
    def get_thing(thing_id: Annotated[str, Path()]) -> ThingOut:
        """One thing."""
        return ThingOut(thing_id=thing_id)

    @things.get("/things/<thing_id>/document", summary="A thing's document")
    @redirects("when it is large")
    def document(thing_id: Annotated[str, Path()]) -> Response[Any]:
        return Response(200, "application/json", {})

    @things.post("/things/batches", summary="Create things", security=SECURED)
    def create_batch(body: ThingIn) -> Response[ThingOut]:
        """Make things through a helper, once per Idempotency-Key."""
        return created(_once_for(things, body))

    @other.post("/stuff/login", summary="Log in", status_code=201)
    @answers(401)
    def get_thing_again(body: ThingIn) -> dict[str, Any]:
        return {}

    @other.get("/stuff/<thing_id>", summary="Another thing", tags=["public"])
    def get_thing(thing_id: Annotated[str, Path()]) -> ThingOut:  # noqa: F811
        """The same name as another handler."""
        return ThingOut(thing_id=thing_id)

    app = make_resolver("Toy")
    app.include_router(things)
    app.include_router(other)
    toy: dict[str, Any] = json.loads(app.get_openapi_json_schema())
    return toy


def test_the_mechanism_documents_what_routes_declare_and_do() -> None:
    toy = _toy_document()
    validate(toy)
    ops = dict(operations(toy))
    create = ops["POST /things"]
    assert create["tags"] == ["things"]
    assert create["operationId"] == "create_thing"
    assert create["description"] == "Make a thing, once per Idempotency-Key."
    assert "201" in create["responses"]
    assert "200" not in create["responses"]
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
    batch = ops["POST /things/batches"]
    assert [p["name"] for p in batch["parameters"]] == ["Idempotency-Key"]
    assert ops["GET /things/{thing_id}"]["operationId"] == "things_get_thing"
    assert ops["GET /stuff/{thing_id}"]["operationId"] == "public_get_thing"
    assert ops["GET /stuff/{thing_id}"]["tags"] == ["public"]
    redirect = ops["GET /things/{thing_id}/document"]["responses"]["303"]
    assert redirect["headers"]["Location"]["required"] is True
    assert redirect["content"]["application/json"]["schema"]["$ref"].endswith("/Redirect")
    login = ops["POST /stuff/login"]
    assert "201" in login["responses"]
    assert "401" in login["responses"]
    assert "x-enforcement-errors" not in login
    assert [tag["name"] for tag in toy["tags"]] == ["public", "stuff", "things"]


def test_the_checks_report_every_offence_of_an_operation() -> None:
    toy = _toy_document()
    found = offences(toy)
    untagged = "tag 'things' has no description in the document"
    assert found["GET /things/{thing_id}"] == [untagged]
    assert "GET /stuff/{thing_id}" not in found  # tagged `public`: described
    assert set(found["POST /stuff/login"]) == {
        "tag 'stuff' has no description in the document",
        "no description",
        "201 answer is an untyped object",
    }
    assert "200 answer is an untyped object" in found["GET /things/{thing_id}/document"]
    assert "no description" in found["GET /things/{thing_id}/document"]
    assert offences(toy, free_json=frozenset({"GET /things/{thing_id}/document"}))[
        "GET /things/{thing_id}/document"
    ] == [untagged, "no description"]


def test_every_schema_has_a_plain_name(document: dict[str, Any]) -> None:
    """Two models of one name in two capabilities get pydantic's module-path names
    (`enforcement__duty__schemas__TaskOut`), which openapi-python-client cannot resolve: the
    answer is dropped from the generated client. Each answer model needs its own name."""
    clashing = [name for name in document["components"]["schemas"] if "__" in name]
    assert not clashing
