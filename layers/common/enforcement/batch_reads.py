"""Items of several tables read in one BatchGetItem, through the process's one connection.

pynamodb's `Model.batch_get` reads one model (one table) per call and through the model's own
connection. A step that knows the keys of everything it needs (a decision: the crew record, the
face record, the vessel, the photo digests) reads them here in one request, strongly consistent
like `db.get_or_404` unless a key says a stale copy will do, and then takes each item from the
answer by model and key, typed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.models import Model

from enforcement.db import connection

_M = TypeVar("_M", bound=Model)

#: DynamoDB's limit of keys in one BatchGetItem.
MAX_KEYS = 100
#: Attempts at keys DynamoDB left unprocessed (throttled) before giving up.
ATTEMPTS = 5


@dataclass(frozen=True)
class ItemKey:
    """The key of one item to read: its model, hash key and (if the model has one) range key.

    `consistent=False` lets the item be read eventually consistent (half the read units), for a
    caller to whom a copy up to about a second old is harmless; a table is read strongly
    consistent when any key of it asks so (BatchGetItem's consistency is per table)."""

    model: type[Model]
    hash_key: Any
    range_key: Any = None
    consistent: bool = True


def _raw_key(model: type[Model], hash_key: Any, range_key: Any) -> dict[str, Any]:
    hash_attr = model._hash_key_attribute()
    raw = {hash_attr.attr_name: {hash_attr.attr_type: hash_attr.serialize(hash_key)}}
    if range_key is not None:
        range_attr = model._range_key_attribute()
        raw[range_attr.attr_name] = {range_attr.attr_type: range_attr.serialize(range_key)}
    return raw


def _identity(table: str, raw_key: dict[str, Any]) -> str:
    return json.dumps([table, raw_key], sort_keys=True, default=repr)


class Reads:
    """What one `batch_get` found, by model and key (None: no such item)."""

    def __init__(self, found: dict[str, Model]) -> None:
        self._found = found

    def item(self, model: type[_M], hash_key: Any, range_key: Any = None) -> _M | None:
        found = self._found.get(
            _identity(model.Meta.table_name, _raw_key(model, hash_key, range_key))
        )
        if found is None:
            return None
        if not isinstance(found, model):
            raise TypeError(f"{type(found).__name__} read where {model.__name__} is asked")
        return found

    def __len__(self) -> int:
        return len(self._found)


def batch_get(keys: Iterable[ItemKey]) -> Reads:
    """Read every item of `keys` (at most `MAX_KEYS` distinct ones, any tables) in one
    BatchGetItem, strongly consistent unless every key of a table says otherwise
    (`ItemKey.consistent`); keys DynamoDB leaves unprocessed are asked again."""
    models: dict[str, ItemKey] = {}
    request: dict[str, dict[str, Any]] = {}
    for key in keys:
        table = key.model.Meta.table_name
        raw = _raw_key(key.model, key.hash_key, key.range_key)
        identity = _identity(table, raw)
        asked = request.setdefault(table, {"Keys": [], "ConsistentRead": False})
        asked["ConsistentRead"] = asked["ConsistentRead"] or key.consistent
        if identity in models:
            continue
        models[identity] = key
        asked["Keys"].append(raw)
    if len(models) > MAX_KEYS:
        raise ValueError(f"{len(models)} keys in one BatchGetItem (at most {MAX_KEYS})")
    found: dict[str, Model] = {}
    client = connection().client
    for attempt in range(ATTEMPTS):
        if not request:
            break
        if attempt:
            time.sleep(0.05 * 2**attempt)
        answer = client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            for raw_item in items:
                identity = _matching(table, raw_item, models)
                found[identity] = models[identity].model.from_raw_data(raw_item)
        request = answer.get("UnprocessedKeys") or {}
    else:
        if request:
            raise RuntimeError("DynamoDB left keys of a BatchGetItem unprocessed")
    return Reads(found)


def _matching(table: str, raw_item: dict[str, Any], models: dict[str, ItemKey]) -> str:
    """The identity of the requested key an answered item has (its key attributes)."""
    for identity, key in models.items():
        if key.model.Meta.table_name != table:
            continue
        names = [key.model._hash_key_attribute().attr_name]
        if key.range_key is not None:
            names.append(key.model._range_key_attribute().attr_name)
        if identity == _identity(table, {name: raw_item[name] for name in names}):
            return identity
    raise LookupError(f"an item of {table} that was not asked for")
