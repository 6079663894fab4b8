"""Fixtures of the integration tests: one local stack for the whole session, and an API client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from infra.local.stack import LocalStack
from tests.integration import contract
from tests.integration.contract import pytest_runtest_call, pytest_runtest_setup  # noqa: F401

#: Short remote-task timings so that state machines finish within a test.
STACK_PARAMETERS = {"RemoteTaskWindowSeconds": "6", "RemoteTaskPollSeconds": "1"}


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The backend of template.yaml on 127.0.0.1, started once per session."""
    with LocalStack(parameters=STACK_PARAMETERS) as local:
        yield local


class ApiSession(requests.Session):
    """A requests session bound to the stack's API: paths starting with `/` are relative to it."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(url, str) and url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        contract.check(self.base_url, response)
        return response

    def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """`method path`, with `Authorization: Bearer <token>` when a token is given."""
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response: requests.Response = self.request(method, path, headers=headers, **kwargs)
        return response


@pytest.fixture
def api(stack: LocalStack) -> Iterator[ApiSession]:
    """An HTTP session on the stack's API."""
    with ApiSession(stack.api_url) as session:
        yield session
