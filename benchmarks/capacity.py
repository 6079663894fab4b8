"""DynamoDB capacity units as DynamoDB bills them, computed from item sizes.

moto 5.x answers `ReturnConsumedCapacity` with a fixed figure whatever the item size (1.0, or
0.5 for GetItem) and gives none for transactions and batches, so the cost model computes the
units itself from the items read and written:

- an item's size is the sum of its attribute names and values (`item_size`);
- a read unit covers 4 KB, strongly consistent; an eventually consistent read costs half;
  GetItem, TransactGetItems and BatchGetItem round each item up, Query and Scan round the sum
  of the items they read; a read that finds nothing still costs one unit (half eventually);
- a write unit covers 1 KB of the larger of the item before and after the write;
- an item in a transaction (TransactWriteItems, TransactGetItems) costs twice its units.

Pure arithmetic: no AWS calls here (`benchmarks.metering` collects the items).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

__all__ = [
    "READ_UNIT_BYTES",
    "TRANSACTION_FACTOR",
    "WRITE_UNIT_BYTES",
    "item_size",
    "query_read_units",
    "read_units",
    "value_size",
    "write_units",
]

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
#: Transactional reads and writes cost twice the units of the same plain request.
TRANSACTION_FACTOR = 2
#: Overhead of a list or map value, and of each of its elements.
_CONTAINER_BYTES = 3
_ELEMENT_BYTES = 1


def _text_size(value: str | bytes) -> int:
    return len(value.encode() if isinstance(value, str) else value)


def _number_size(value: str | int | float | Decimal) -> int:
    """About one byte per two significant digits, plus one (leading and trailing zeros and
    the sign, decimal point and exponent do not count)."""
    digits = format(Decimal(str(value)).normalize(), "f").lstrip("-").replace(".", "")
    digits = digits.strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's JSON form ({"S": ...}, {"N": ...}, ...)."""
    ((kind, data),) = value.items()
    if kind == "S" or kind == "B":
        return _text_size(data)
    if kind == "N":
        return _number_size(data)
    if kind == "BOOL" or kind == "NULL":
        return 1
    if kind == "SS" or kind == "BS":
        return sum(_text_size(v) for v in data)
    if kind == "NS":
        return sum(_number_size(v) for v in data)
    if kind == "L":
        return _CONTAINER_BYTES + sum(value_size(v) + _ELEMENT_BYTES for v in data)
    if kind == "M":
        return _CONTAINER_BYTES + sum(
            _text_size(name) + value_size(v) + _ELEMENT_BYTES for name, v in data.items()
        )
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """Bytes of an item as DynamoDB counts them: each attribute's name plus its value."""
    if not item:
        return 0
    return sum(_text_size(name) + value_size(value) for name, value in item.items())


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    """Read units of reading one item of `size` bytes (one unit minimum, found or not)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    factor = TRANSACTION_FACTOR if transactional else 1
    return units * factor * (1.0 if consistent or transactional else 0.5)


def query_read_units(sizes: Iterable[int], *, consistent: bool) -> float:
    """Read units of a Query or Scan page: the items' summed size, rounded up once."""
    return read_units(sum(sizes), consistent=consistent)


def write_units(before: int, after: int, *, transactional: bool = False) -> int:
    """Write units of a write that changes an item of `before` bytes into one of `after`
    bytes (0 for an item that did not exist or is deleted): the larger, per started KB."""
    units = max(1, math.ceil(max(before, after) / WRITE_UNIT_BYTES))
    return units * (TRANSACTION_FACTOR if transactional else 1)
