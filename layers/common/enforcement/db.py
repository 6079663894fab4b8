"""DynamoDB through pynamodb: table names and endpoint from the environment."""

from __future__ import annotations

import os
from typing import Any

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "cn-north-1"


def _host() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


def table_meta(table_env: str, default_name: str) -> type:
    """The pynamodb `Meta` of a model whose table name comes from `table_env`."""

    class Meta:
        table_name = os.environ.get(table_env, default_name)
        region = _region()
        host = _host()

    return Meta


def transaction() -> TransactWrite:
    """A write transaction on the configured endpoint (all-or-nothing, conditions honoured)."""
    return TransactWrite(connection=Connection(region=_region(), host=_host()))


def cancellation_codes(error: Exception) -> list[str | None]:
    """The per-operation cancellation reason codes of a cancelled transaction, in order."""
    reasons: Any = getattr(error, "cancellation_reasons", None) or []
    return [getattr(reason, "code", None) if reason is not None else None for reason in reasons]
