"""DynamoDB in moto with the isolation AWS gives: transactions and writes never interleave.

moto 5's `transact_write_items` deep-copies every table the transaction names, applies the
operations one by one, and on any failure puts the copies back, whole. Under concurrent
requests (moto's threaded server) that restore discards every write committed by other
requests in the meantime, so writes answered 200 vanish; the deep copy of a growing table on
every transaction also costs time and memory in proportion to the table, and can fail with
"dictionary changed size during iteration" when another request writes during the copy. Its
single-item conditional writes check and write in two steps that another thread can come
between, too.

`install()` replaces, process-wide, moto's DynamoDB backend methods:
- every operation that reads or writes items runs under one re-entrant lock, so a transaction
  is atomic and isolated from every other request, and a condition is checked and its write
  made without another write between them, as DynamoDB guarantees per item;
- `transact_write_items` checks every condition first and writes nothing if one fails; if a
  write then fails validation, only the items this transaction touched are put back.
It is idempotent and stays installed for the life of the process (moto's backends are
process-wide too).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

#: One lock for all of moto's DynamoDB item operations in this process.
LOCK = threading.RLock()

#: Backend methods that read or write items: each runs under LOCK.
_LOCKED = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)

_installed = False
_install_lock = threading.Lock()


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return method(self, *args, **kwargs)

    run.__isolated__ = True  # type: ignore[attr-defined]
    return run


def install() -> None:
    """Patch moto's DynamoDB backend (once per process)."""
    global _installed
    from moto.dynamodb.models import DynamoDBBackend

    with _install_lock:
        if _installed:
            return
        for name in _LOCKED:
            method = getattr(DynamoDBBackend, name, None)
            if method is not None and not getattr(method, "__isolated__", False):
                setattr(DynamoDBBackend, name, _locked(method))
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _installed = True


def installed() -> bool:
    return _installed


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """TransactWriteItems as DynamoDB runs it: every condition holds, then every write, alone."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with LOCK:
        operations: list[tuple[str, dict[str, Any], Any, dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise MockValidationException(f"Unsupported transaction operation {op_type}")
            table = self.get_table(op["TableName"])
            key = _key_of(table, op_type, op)
            identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if identity in seen:
                raise MultipleTransactionsException()
            seen.add(identity)
            operations.append((op_type, op, table, key))

        # 1. every condition, against the state before the transaction
        reasons: list[tuple[Any, Any, Any]] = []
        for _op_type, op, _table, key in operations:
            current = self.get_item(op["TableName"], key)
            expression = op.get("ConditionExpression")
            if expression is not None and not get_filter_expression(
                expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            ).expr(current):
                old = None
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    old = current.to_json()["Attributes"]
                reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
            else:
                reasons.append((None, None, None))
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)

        # 2. every write; a write refused by validation puts back what this one changed
        touched: list[tuple[Any, Any, Any, Any]] = []
        for index, (op_type, op, table, key) in enumerate(operations):
            if op_type == "ConditionCheck":
                continue
            hash_value, range_value = self.get_keys_value(table, key)
            touched.append(
                (
                    table,
                    hash_value,
                    range_value,
                    copy.deepcopy(table.get_item(hash_value, range_value)),
                )
            )
            try:
                _apply(self, op_type, op, key)
            except MockValidationException:
                _put_back(touched)
                raise
            except Exception as exc:
                _put_back(touched)
                failed: list[tuple[Any, Any, Any]] = [(None, None, None)] * len(operations)
                failed[index] = (type(exc).__name__, str(exc), None)
                raise TransactionCanceledException(failed) from exc


def _apply(self: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    condition = op.get("ConditionExpression")
    if op_type == "Put":
        self.put_item(
            op["TableName"],
            op["Item"],
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Delete":
        self.delete_item(
            op["TableName"],
            key,
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    else:
        self.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def _put_back(touched: list[tuple[Any, Any, Any, Any]]) -> None:
    """Restore the items a failed transaction wrote, newest first, straight into the tables."""
    for table, hash_value, range_value, previous in reversed(touched):
        if range_value is not None:
            bucket = table.items[hash_value]
            if previous is None:
                bucket.pop(range_value, None)
                if not bucket:
                    table.items.pop(hash_value, None)
            else:
                bucket[range_value] = previous
        elif previous is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = previous
