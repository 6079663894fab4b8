"""moto's Query of a secondary index, answered from the partition's items (benchmarks only):
`index_queries_by_partition`, for the survey suite's day of 18,000 declarations."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def index_queries_by_partition() -> Iterator[None]:
    """moto answers a Query of a secondary index by listing the whole table sorted by the
    table's keys (`Table.all_items`, Python-level comparisons of its key objects), then keeping
    the items of the index partition and sorting those by the index's keys: at 18,000
    declarations seconds a Query, so the 231 Queries of a day's export would measure moto's
    sort for the best part of an hour. DynamoDB reads the one partition. Inside the block, an
    index Query in this process starts from the table's items whose index hash key is the
    one asked for (compared as plain strings), unsorted: moto still checks them and sorts them
    by the index's keys, so the answer is the same. Scans and Queries of a table itself are
    left as they are."""
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items
    signature = inspect.signature(original_query)
    local = threading.local()

    def all_items(self: Any) -> list[Any]:
        wanted = getattr(local, "wanted", None)
        if not wanted:
            return original_all_items(self)
        items = (
            [item for items in self.items.values() for item in items.values()]
            if self.range_key_attr
            else list(self.items.values())
        )

        def kept(item: Any) -> bool:
            for name, value in wanted:
                found = item.attrs.get(name)
                if found is None or (found.type, found.value) != (value.type, value.value):
                    return False
            return True

        return [item for item in items if kept(item)]

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        if bound.get("index_name"):
            local.wanted = list(bound.get("hash_key_conditions") or [])
        try:
            return original_query(self, *args, **kwargs)
        finally:
            local.wanted = None

    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query, Table.all_items = original_query, original_all_items  # type: ignore[method-assign]
