"""DynamoDB through pynamodb: table names and endpoint from the environment."""

from __future__ import annotations

import os
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement.clients import per_process
from enforcement.config import settings
from enforcement.errors import NotFound

_M = TypeVar("_M", bound=Model)


def _region() -> str:
    return settings().region


def _host() -> str | None:
    return settings().dynamodb_endpoint


class _LazyMeta(type):
    """Reads the table name, region and endpoint when used, not when the model is defined.

    Handlers are imported once per container, but a process that sets its environment later (the
    local stack, tests) must still reach the right tables; pynamodb rebuilds its connection when
    the table name it sees changes.
    """

    table_env: str
    default_name: str

    @property
    def table_name(cls) -> str:
        return os.environ.get(cls.table_env, cls.default_name)

    @property
    def region(cls) -> str:
        return _region()

    @property
    def host(cls) -> str | None:
        return _host()


def table_meta(table_env: str, default_name: str) -> Any:
    """The pynamodb `Meta` of a model whose table name comes from `table_env`."""
    return _LazyMeta("Meta", (), {"table_env": table_env, "default_name": default_name})


@per_process
def _connection(region: str, host: str | None) -> Connection:
    """One connection (one botocore client) per endpoint for the life of the process: making a
    client costs ~60 ms of CPU, too much for every transaction."""
    return Connection(region=region, host=host)


def connection() -> Connection:
    """The process's connection to the configured endpoint (for calls pynamodb models do not
    make, such as a BatchGetItem over several tables: `enforcement.batch_reads`)."""
    return _connection(_region(), _host())


def transaction() -> TransactWrite:
    """A write transaction on the configured endpoint (all-or-nothing, conditions honoured)."""
    return TransactWrite(connection=_connection(_region(), _host()))


def get_or_404(
    model: type[_M], hash_key: Any, range_key: Any = None, *, code: str, message: str
) -> _M:
    """The item with these keys (strongly consistent), or a 404 with `code` and `message`."""
    try:
        return model.get(hash_key, range_key, consistent_read=True)
    except model.DoesNotExist as exc:
        raise NotFound(code, message) from exc
