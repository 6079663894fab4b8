"""A bounded record of what the local stack did: the last `maxlen` items, indexed like a list.

The stack records every invocation (event and result) and every API call for tests and the
console. Kept whole, those records grow with every request (the stack held gigabytes after a
few hours of load); kept in a plain bounded deque, `log[len_before:]` would no longer mean
"what came after". A `RecentLog` keeps only the newest items but counts and indexes as if it
held them all: `len(log)` is how many were ever appended, `log[i]` and `log[i:j]` use those
absolute positions (items already dropped are simply absent from a slice, and `log[i]` of a
dropped item raises IndexError), iteration yields the items kept, oldest first.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import Generic, TypeVar, overload

T = TypeVar("T")

#: Default number of records kept per log.
DEFAULT_MAXLEN = 2000


class RecentLog(Generic[T]):
    def __init__(self, maxlen: int = DEFAULT_MAXLEN) -> None:
        if maxlen < 1:
            raise ValueError("maxlen must be at least 1")
        self.maxlen = maxlen
        self._items: deque[T] = deque(maxlen=maxlen)
        self._appended = 0
        self._lock = threading.Lock()

    def append(self, item: T) -> None:
        with self._lock:
            self._items.append(item)
            self._appended += 1

    @property
    def kept(self) -> int:
        """How many items are held now (at most `maxlen`)."""
        return len(self._items)

    @property
    def first_kept(self) -> int:
        """Absolute position of the oldest item held."""
        return self._appended - len(self._items)

    def __len__(self) -> int:
        return self._appended

    def __iter__(self) -> Iterator[T]:
        with self._lock:
            return iter(list(self._items))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        with self._lock:
            items = list(self._items)
            first = self._appended - len(items)
            total = self._appended
        if isinstance(index, slice):
            start, stop, step = index.indices(total)
            return [items[i - first] for i in range(start, stop, step) if first <= i < total]
        position = index + total if index < 0 else index
        if not first <= position < total:
            raise IndexError(f"record {index} is not kept (kept: {first}..{total - 1})")
        return items[position - first]
