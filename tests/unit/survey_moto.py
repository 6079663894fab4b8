"""The remote survey's tables under moto, in process, for its services' unit tests: the
environment of a Lambda without a stack, and the DynamoDB operations the code calls, counted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from enforcement import clients, config, db
from moto import mock_aws
from pynamodb.models import Model

REGION = "cn-north-1"


@contextmanager
def tables(
    monkeypatch: pytest.MonkeyPatch, *models: type[Model], **env: str
) -> Iterator[list[str]]:
    """`models`' tables made, `env` set; yields the names of the DynamoDB operations called
    from then on, in order (clear it to count a step)."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name.endswith("_TABLE"):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    db._connection.cache_clear()
    clients.reset()
    try:
        with mock_aws():
            for model in models:
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            calls: list[str] = []

            def count(event_name: str, **_: Any) -> None:
                calls.append(event_name.rsplit(".", 1)[-1])

            db.connection().client.meta.events.register("before-call.dynamodb", count)
            yield calls
    finally:
        config.settings.cache_clear()
        db._connection.cache_clear()
        clients.reset()
