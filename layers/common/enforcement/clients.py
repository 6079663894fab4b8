"""AWS clients, one of each per process.

A client costs tens of milliseconds of CPU to make (botocore loads its service model), so each
is made once, on first use, and kept for the life of the Lambda environment. `per_process`
marks such a factory; `reset` forgets them all, with the settings they were made from, for a
process whose environment changes under it (the local stack starting or stopping in a test
session, a test that patches the endpoint).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from enforcement import config

_F = TypeVar("_F", bound=Callable[..., Any])
_FACTORIES: list[Any] = []


def per_process(factory: _F) -> _F:
    """`factory`, cached for the process (its arguments, if any, are the cache key)."""
    cached = lru_cache(maxsize=8)(factory)
    _FACTORIES.append(cached)
    return cached  # type: ignore[return-value]


def reset() -> None:
    """Forget every client and the settings: the next use makes them from the environment."""
    config.settings.cache_clear()
    for cached in _FACTORIES:
        cached.cache_clear()
