"""AWS clients, one of each per process.

A client costs tens of milliseconds of CPU to make (botocore loads its service model), so each
is made once, on first use, and kept for the life of the Lambda environment. `per_process`
marks such a factory; `reset` forgets them all, with the settings they were made from, for a
process whose environment changes under it (the local stack starting or stopping in a test
session, a test that patches the endpoint).

Every client is made from the process's one botocore session (`make_client`; the DynamoDB
connection of `enforcement.db` too): each further session would read botocore's endpoint rules
and list its data directories again (~30-60 ms of CPU) and resolve the credentials again. The
clients are plain botocore clients: boto3 (its resources and transfer manager, ~40 ms to
import) is imported only where a module needs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from enforcement import config

_F = TypeVar("_F", bound=Callable[..., Any])
_FACTORIES: list[Any] = []
#: Held while a client is made: botocore does not make clients from one session in two threads
#: at once safely (the local stack runs handlers in threads).
making = threading.RLock()


def per_process(factory: _F) -> _F:
    """`factory`, cached for the process (its arguments, if any, are the cache key)."""
    cached = lru_cache(maxsize=8)(factory)
    _FACTORIES.append(cached)
    return cached  # type: ignore[return-value]


@per_process
def session() -> Any:
    """The process's botocore session."""
    from botocore.session import get_session

    return get_session()


def make_client(service: str, **options: Any) -> Any:
    """A new botocore client of `service` in the configured region, from the process's session
    (keep it: make it in a `per_process` factory)."""
    with making:
        return session().create_client(service, region_name=config.settings().region, **options)


def reset() -> None:
    """Forget every client and the settings: the next use makes them from the environment."""
    config.settings.cache_clear()
    for cached in _FACTORIES:
        cached.cache_clear()
