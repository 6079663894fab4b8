"""Metering of AWS use: every botocore call (boto3 clients and pynamodb connections alike),
by service and operation, with the DynamoDB capacity units it consumes.

`AwsMeter` patches `botocore.client.BaseClient._make_api_call` while it is active, so it sees
the clients the handlers made at init as well as any made later, in every thread, and times
each call (`Usage.timed`: the wall time inside it, the meter's own reads included, so that a
handler's duration minus it is the handler's own compute). DynamoDB
units are computed from item sizes (`benchmarks.capacity`): the items a read returned, and for
a write the item before and after it, read by the meter's own client (not counted). The meter
only records; `benchmarks.costing` turns a record into dollars.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks import capacity

__all__ = ["AwsMeter", "Usage"]

Item = Mapping[str, Mapping[str, Any]]


@dataclass
class Usage:
    """What a stretch of work used: AWS calls by "service:Operation", and DynamoDB units."""

    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    #: units by table, for the breakdown ({"table": [read, write]})
    by_table: dict[str, list[float]] = field(default_factory=dict)
    #: each DynamoDB item touched: (operation, table, "read"|"write", bytes, units)
    items: list[tuple[str, str, str, int, float]] = field(default_factory=list)
    #: the same, for each part of the work named by `AwsMeter.part` (a step, a request)
    parts: dict[str, Usage] = field(default_factory=dict)
    #: each call, timed: ("service:Operation", wall-clock start (time.time()), seconds inside)
    timed: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def aws_seconds(self) -> float:
        """Wall time spent inside AWS calls (botocore's work, the round trip, the meter's)."""
        return sum(seconds for _, _, seconds in self.timed)

    def calls_between(self, start: float, end: float) -> list[tuple[str, float, float]]:
        """The calls that started between `start` and `end` (time.time()): one invocation's,
        when invocations do not overlap."""
        return [call for call in self.timed if start <= call[1] <= end]

    def add_units(self, table: str, read: float = 0.0, write: float = 0.0) -> None:
        self.read_units += read
        self.write_units += write
        units = self.by_table.setdefault(table, [0.0, 0.0])
        units[0] += read
        units[1] += write

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


class _Both:
    """Records into the whole usage and into one named part of it."""

    def __init__(self, whole: Usage, part: Usage) -> None:
        self.whole, self.part = whole, part
        self.items = self  # `items.append` records the item in both

    def append(self, item: tuple[str, str, str, int, float]) -> None:
        self.whole.items.append(item)
        self.part.items.append(item)

    def add_units(self, table: str, read: float = 0.0, write: float = 0.0) -> None:
        self.whole.add_units(table, read, write)
        self.part.add_units(table, read, write)


class _Tables:
    """Key schema and secondary indexes of each table (DescribeTable, cached)."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._tables: dict[str, dict[str, Any]] = {}

    def describe(self, name: str) -> dict[str, Any]:
        if name not in self._tables:
            self._tables[name] = self._call("DescribeTable", {"TableName": name})["Table"]
        return self._tables[name]

    def key_of(self, name: str, item: Item) -> dict[str, Any]:
        return {
            k["AttributeName"]: item[k["AttributeName"]] for k in self.describe(name)["KeySchema"]
        }

    def index_writes(self, name: str, before: Item | None, after: Item | None) -> int:
        """Write units the table's secondary indexes, global and local alike, consume for this
        change (DynamoDB bills a local index's writes as it does a global one's)."""
        table = self.describe(name)
        table_keys = [k["AttributeName"] for k in table["KeySchema"]]
        units = 0
        for index in [
            *table.get("GlobalSecondaryIndexes", []),
            *table.get("LocalSecondaryIndexes", []),
        ]:
            keys = [k["AttributeName"] for k in index["KeySchema"]]
            old = _projected(before, keys, table_keys, index["Projection"])
            new = _projected(after, keys, table_keys, index["Projection"])
            if old == new:
                continue
            if old is not None and new is not None and _pick(old, keys) != _pick(new, keys):
                units += capacity.write_units(capacity.item_size(old), 0)  # moved: delete ...
                units += capacity.write_units(0, capacity.item_size(new))  # ... and put
            else:
                units += capacity.write_units(capacity.item_size(old), capacity.item_size(new))
        return units


def _pick(item: Item, names: list[str]) -> dict[str, Any]:
    return {n: item[n] for n in names if n in item}


def _projected(
    item: Item | None, keys: list[str], table_keys: list[str], projection: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The item as the index stores it, or None when it is not in the (sparse) index."""
    if item is None or any(k not in item for k in keys):
        return None
    kind = projection.get("ProjectionType", "ALL")
    if kind == "ALL":
        return dict(item)
    names = (
        keys + table_keys + (projection.get("NonKeyAttributes", []) if kind == "INCLUDE" else [])
    )
    return _pick(item, names)


class AwsMeter:
    """Counts AWS calls and DynamoDB units while `measure()` is active (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._usage: Usage | None = None
        self._probe: Any = None
        self._tables: _Tables | None = None
        self._thread = threading.local()

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Inside the block, the calls this thread makes are also counted in
        `Usage.parts[name]` (a Lambda invocation, a step of a state machine)."""
        previous = getattr(self._thread, "part", None)
        self._thread.part = name
        try:
            yield
        finally:
            self._thread.part = previous

    @contextmanager
    def measure(self) -> Iterator[Usage]:
        """Meter every botocore call made inside the block (any thread) into the Usage yielded."""
        from botocore.client import BaseClient

        usage = Usage()
        original = BaseClient._make_api_call
        meter = self

        def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if client is meter._probe:
                return original(client, operation, params)
            service = client.meta.service_model.service_name
            part = getattr(meter._thread, "part", None)
            name = f"{service}:{operation}"
            with meter._lock:
                usage.calls[name] += 1
                sink: Any = usage
                if part is not None:
                    share = usage.parts.setdefault(part, Usage())
                    share.calls[name] += 1
                    sink = _Both(usage, share)
            started, start = time.time(), time.perf_counter()
            try:
                if service != "dynamodb":
                    return original(client, operation, params)
                return meter._dynamodb(client, original, operation, params, sink)
            finally:
                with meter._lock:
                    usage.timed.append((name, started, time.perf_counter() - start))

        BaseClient._make_api_call = _make_api_call  # type: ignore[method-assign]
        try:
            yield usage
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    # ------------------------------------------------------------------ DynamoDB
    def _probe_call(self, original: Any, client: Any) -> Any:
        if self._probe is None:
            import botocore.session

            self._probe = botocore.session.get_session().create_client(
                "dynamodb",
                region_name=client.meta.region_name,
                endpoint_url=client.meta.endpoint_url,
            )
            self._tables = _Tables(lambda op, p: original(self._probe, op, p))
        return lambda op, p: original(self._probe, op, p)

    def _get(self, call: Any, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = call(
            "GetItem", {"TableName": table, "Key": dict(key), "ConsistentRead": True}
        ).get("Item")
        return item

    def _dynamodb(
        self, client: Any, original: Any, op: str, params: dict[str, Any], usage: Usage
    ) -> Any:
        with self._lock:
            call = self._probe_call(original, client)
        tables = self._tables
        assert tables is not None
        # writes: the items as they are before the call
        writes: list[tuple[str, dict[str, Any], Item | None, bool]] = []  # table, key, after
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            table = params["TableName"]
            key = params["Key"] if "Key" in params else tables.key_of(table, params["Item"])
            writes.append((table, key, params.get("Item"), op == "UpdateItem"))
        elif op == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        item = request["PutRequest"]["Item"]
                        writes.append((table, tables.key_of(table, item), item, False))
                    else:
                        writes.append((table, request["DeleteRequest"]["Key"], None, False))
        elif op == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((kind, body),) = action.items()
                table = body["TableName"]
                if kind == "Put":
                    writes.append((table, tables.key_of(table, body["Item"]), body["Item"], False))
                else:
                    writes.append((table, body["Key"], None, kind in ("Update", "ConditionCheck")))
        before = [self._get(call, table, key) for table, key, _after, _ in writes]
        failed = False
        try:
            response = original(client, op, params)
        except Exception:
            failed = True
            raise
        finally:
            transactional = op == "TransactWriteItems"
            actions = params.get("TransactItems", [])
            for n, (table, key, after, reread) in enumerate(writes):
                old = before[n]
                if failed:
                    new = old  # a refused write is billed on the item as it stands
                elif reread:
                    new = self._get(call, table, key)
                else:
                    new = after
                if transactional and "ConditionCheck" in actions[n]:
                    new = old
                units = capacity.write_units(
                    capacity.item_size(old), capacity.item_size(new), transactional=transactional
                )
                index_units = 0 if failed else tables.index_writes(table, old, new)
                with self._lock:
                    usage.add_units(table, write=units + index_units)
                    usage.items.append(
                        (op, table, "write", capacity.item_size(new or old), units + index_units)
                    )
        if op in ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"):
            self._reads(call, op, params, response, usage)
        return response

    def _reads(
        self, call: Any, op: str, params: dict[str, Any], response: dict[str, Any], usage: Usage
    ) -> None:
        tables = self._tables
        assert tables is not None
        found: list[tuple[str, float]] = []
        projected = "ProjectionExpression" in params or "AttributesToGet" in params
        if op == "GetItem":
            table = params["TableName"]
            item = response.get("Item")
            if item is not None and projected:
                item = self._get(call, table, params["Key"])
            size = capacity.item_size(item)
            consistent = bool(params.get("ConsistentRead"))
            found.append((table, capacity.read_units(size, consistent=consistent)))
        elif op in ("Query", "Scan"):
            table = params["TableName"]
            items = response.get("Items", [])
            if projected and "IndexName" not in params:
                items = [self._get(call, table, tables.key_of(table, i)) for i in items]
            sizes = [capacity.item_size(i) for i in items]
            consistent = bool(params.get("ConsistentRead"))
            found.append((table, capacity.query_read_units(sizes, consistent=consistent)))
        elif op == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                items = response.get("Responses", {}).get(table, [])
                consistent = bool(request.get("ConsistentRead"))
                missing = len(request["Keys"]) - len(items)
                if "ProjectionExpression" in request or "AttributesToGet" in request:
                    items = [self._get(call, table, tables.key_of(table, i)) for i in items]
                for item in items:
                    found.append(
                        (
                            table,
                            capacity.read_units(capacity.item_size(item), consistent=consistent),
                        )
                    )
                for _ in range(max(0, missing)):
                    found.append((table, capacity.read_units(0, consistent=consistent)))
        elif op == "TransactGetItems":
            for n, action in enumerate(params["TransactItems"]):
                body = action["Get"]
                item = (response.get("Responses") or [{}] * (n + 1))[n].get("Item")
                if item is not None and "ProjectionExpression" in body:
                    item = self._get(call, body["TableName"], body["Key"])
                units = capacity.read_units(
                    capacity.item_size(item), consistent=True, transactional=True
                )
                found.append((body["TableName"], units))
        with self._lock:
            for table, units in found:
                usage.add_units(table, read=units)
