"""A small HTTP server on 127.0.0.1 in a daemon thread, for the local stack's fake services."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

H = TypeVar("H", bound=BaseHTTPRequestHandler)


def bound_handler(base: type[H], **attributes: Any) -> type[H]:
    """A subclass of `base` carrying `attributes` as class attributes (how a request handler
    finds the object that answers it)."""
    return type(base.__name__, (base,), attributes)


class LocalServer:
    """Serves one handler class on 127.0.0.1 (a free port unless given) until `stop`."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self._what} is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"local-{self._what.replace(' ', '-')}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
