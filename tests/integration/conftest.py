"""Fixtures of the integration tests: one local stack for the whole session, and an API client
(tests/integration/client.py, the one HTTP client of these tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.stack import LocalStack
from tests.integration.client import Client
from tests.integration.contract import pytest_runtest_call, pytest_runtest_setup  # noqa: F401

#: Short remote-task timings so that state machines finish within a test.
STACK_PARAMETERS = {"RemoteTaskWindowSeconds": "6", "RemoteTaskPollSeconds": "1"}


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """The backend of template.yaml on 127.0.0.1, started once per session."""
    with LocalStack(parameters=STACK_PARAMETERS) as local:
        yield local


@pytest.fixture
def api(stack: LocalStack) -> Iterator[Client]:
    """An anonymous client of the stack's API (`Client(stack.api_url, token)` for a user)."""
    with Client(stack.api_url) as client:
        yield client
