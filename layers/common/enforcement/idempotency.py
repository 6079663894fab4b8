"""Idempotent requests (Powertools): a re-sent request gets the first answer, not a second write.

Clients send an `Idempotency-Key` header; the key is scoped to the caller and the operation, and
reusing it with a different body is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from enforcement.config import settings
from enforcement.errors import Conflict, Unprocessable

CONFIG = IdempotencyConfig(
    event_key_jmespath="[operation, account, key]",
    payload_validation_jmespath="payload",
    expires_after_seconds=24 * 3600,
    raise_on_no_idempotency_key=True,
)


@cache
def store(purpose: str) -> DynamoDBPersistenceLayer:
    """One persistence layer per purpose (a shared one would carry one config's key over)."""
    return DynamoDBPersistenceLayer(table_name=settings().idempotency_table)


def once(
    operation: str,
    account_id: str,
    key: str | None,
    payload: dict[str, Any],
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run `run` once per (operation, caller, key); without a key, just run it."""
    if not key:
        return run()

    @idempotent_function(
        data_keyword_argument="request", persistence_store=store("api"), config=CONFIG
    )
    def _run(request: dict[str, Any]) -> dict[str, Any]:
        return run()

    try:
        result: dict[str, Any] = _run(
            request={"operation": operation, "account": account_id, "key": key, "payload": payload}
        )
        return result
    except IdempotencyValidationError as exc:
        raise Unprocessable(
            "idempotency_key_reused", "this Idempotency-Key was used with another request"
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("request_in_progress", "the same request is still being processed") from exc
