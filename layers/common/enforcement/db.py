"""DynamoDB through pynamodb: table names and endpoint from the environment, and one botocore
client per process for every model, transaction and batch read.

pynamodb gives each model class its own connection, hence its own botocore client (~60 ms of CPU
each, once per class per process, and on AWS a TLS handshake each). Every model whose `Meta`
comes from `table_meta` uses the process's one connection instead (`_model_connection`, hooked
into pynamodb's `Model._get_connection` when this module is imported, which every such model's
module does); the table name, region and endpoint are still read when used, and a changed
endpoint or `clients.reset()` gives the models the new connection.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

from botocore.client import BaseClient
from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement import clients
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


class _ProcessConnection(Connection):
    """pynamodb's connection, its botocore client made from the process's one session
    (`enforcement.clients`) instead of a session of its own."""

    @property
    def session(self) -> Any:
        return clients.session()

    @property
    def client(self) -> BaseClient:  # type: ignore[override]
        with clients.making:
            return super().client  # type: ignore[return-value]


@per_process
def _connection(region: str, host: str | None) -> Connection:
    """One connection (one botocore client) per endpoint for the life of the process: making a
    client costs ~60 ms of CPU, too much for every transaction."""
    return _ProcessConnection(region=region, host=host)


def connection() -> Connection:
    """The process's connection to the configured endpoint (for calls pynamodb models do not
    make, such as a BatchGetItem over several tables: `enforcement.batch_reads`)."""
    return _connection(_region(), _host())


class _SharedClientConnection(Connection):
    """A model's connection: its own table schema (pynamodb keeps them per connection), the
    botocore client of the process's connection."""

    def __init__(self, shared: Connection) -> None:
        super().__init__(region=shared.region, host=shared.host)
        self.shared = shared

    @property
    def client(self) -> BaseClient:  # type: ignore[override]
        return self.shared.client


_pynamodb_connection = Model._get_connection.__func__  # type: ignore[attr-defined]


def _model_connection(cls: type[Model]) -> TableConnection:
    """`Model._get_connection` for models of `table_meta`: pynamodb's table connection (its
    schema), on the process's connection for the endpoint configured now."""
    if not isinstance(cls.Meta, _LazyMeta):
        return _pynamodb_connection(cls)  # type: ignore[no-any-return]
    shared = connection()
    current = cls.__dict__.get("_connection")
    if (
        current is not None
        and current.table_name == cls.Meta.table_name
        and getattr(current.connection, "shared", None) is shared
    ):
        return current  # type: ignore[no-any-return]
    cls._connection = None
    made: TableConnection = _pynamodb_connection(cls)  # its own client is never made
    own = _SharedClientConnection(shared)
    own.add_meta_table(made.get_meta_table())
    made.connection = own
    return made


Model._get_connection = classmethod(_model_connection)  # type: ignore[method-assign,assignment]


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
