"""Every answer of the API that an integration test receives, checked against the OpenAPI document.

The HTTP clients of the integration tests call `check(base_url, response)` on each response;
openapi-core matches the request to its operation (path and method) and validates the answer:
its status is documented, its body matches the schema (formats included) and its documented
headers are there. Answers from outside the API (S3, the login platform) and requests outside
the document (an unknown route, the document itself) are not judged.

A violation is collected and fails the test that caused it (the pytest hooks below, imported by
tests/integration/conftest.py), with every violation of that test in one message.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathError

#: Paths served outside the document on purpose.
UNDOCUMENTED = ("/openapi.json", "/swagger")

_documents: dict[str, OpenAPI] = {}
_violations: list[str] = []
_lock = threading.Lock()
_paused = threading.Event()


@contextmanager
def paused() -> Iterator[None]:
    """No checks meanwhile: for a test that swaps a function's handler for a stub, whose
    answers are not the API's."""
    _paused.set()
    try:
        yield
    finally:
        _paused.clear()


def _document(base_url: str) -> OpenAPI:
    with _lock:
        if base_url not in _documents:
            served = requests.get(f"{base_url}/openapi.json", timeout=30)
            served.raise_for_status()
            _documents[base_url] = OpenAPI.from_dict(served.json())
        return _documents[base_url]


def _answers(base_url: str, response: requests.Response) -> Iterator[requests.Response]:
    """The response and the redirects that led to it, those of the API only."""
    for answer in [*response.history, response]:
        url = answer.request.url or ""
        path = url[len(base_url) :].split("?", 1)[0]
        if url.startswith(base_url + "/") and not path.startswith(UNDOCUMENTED):
            yield answer


def check(base_url: str, response: requests.Response) -> None:
    """Validate `response` (an answer of the API at `base_url`) against the served document;
    collect what does not match."""
    if _paused.is_set():
        return
    base_url = base_url.rstrip("/")
    for answer in _answers(base_url, response):
        request = answer.request
        try:
            _document(base_url).validate_response(
                RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(answer)
            )
        except PathError:
            continue  # a route the document does not have: not a contract matter
        except Exception as exc:
            detail = "; ".join(str(e) for e in [exc, *getattr(exc, "schema_errors", [])][:4])
            body = answer.text[:300]
            with _lock:
                _violations.append(
                    f"{request.method} {request.path_url} -> {answer.status_code}: "
                    f"{type(exc).__name__}: {detail}\n    body: {body}"
                )


def _raise_collected() -> None:
    with _lock:
        found, _violations[:] = list(_violations), []
    if found:
        raise AssertionError(
            f"{len(found)} answers do not match the OpenAPI document:\n" + "\n".join(found)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[Any]:
    with _lock:
        _violations.clear()
    result = yield
    _raise_collected()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[Any]:
    with _lock:
        _violations.clear()
    result = yield
    _raise_collected()
    return result
