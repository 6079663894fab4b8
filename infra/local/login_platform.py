"""A fake of the mini-program login platform's code-to-session exchange.

`GET /sns/jscode2session?appid=..&secret=..&js_code=..&grant_type=authorization_code` answers
`{"openid": ..., "session_key": ...}` for a code registered with `add_code`, and the real
platform's error documents otherwise, always with HTTP 200 like the real one. A code works once
and expires after five minutes. appid and secret are checked against the stack's configuration.

What a phone's `wx.login()` would do, a local endpoint does on demand: `GET /demo-code?user=NAME`
answers (text/plain) a fresh code of the mini-program user registered as NAME with `add_user`,
always the same openid, so every code is that one person logging in again.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local.serving import LocalServer, bound_handler

CODE_TTL_SECONDS = 300
EXCHANGE_PATH = "/sns/jscode2session"
DEMO_CODE_PATH = "/demo-code"


@dataclass
class _Code:
    openid: str
    session_key: str
    unionid: str | None
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class Exchange:
    """One call of the exchange endpoint, and what it answered."""

    js_code: str
    appid: str
    answer: dict[str, Any]


def _error(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}


class LoginPlatform:
    """The fake platform; `add_code` registers what a phone's login call would have produced."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._codes: dict[str, _Code] = {}
        self._users: dict[str, str] = {}
        self._lock = threading.Lock()
        self._app_id: str | None = None
        self._app_secret: Callable[[], str | None] = lambda: None
        self.exchanges: list[Exchange] = []
        self._http = LocalServer("login platform")

    # ------------------------------------------------------------------ configuration
    def configure(self, app_id: str, app_secret: Callable[[], str | None]) -> None:
        """The app id and a reader of the current app secret (read at every exchange)."""
        self._app_id = app_id
        self._app_secret = app_secret

    def add_code(
        self, code: str, openid: str, *, session_key: str | None = None, unionid: str | None = None
    ) -> str:
        """Register a login code for `openid`; returns the session key the exchange will give."""
        key = session_key or base64.b64encode(secrets.token_bytes(16)).decode()
        with self._lock:
            self._codes[code] = _Code(openid, key, unionid, self._clock())
        return key

    def add_user(self, name: str, openid: str) -> None:
        """Register a mini-program user under `name`, for `new_code` and `GET /demo-code`."""
        with self._lock:
            self._users[name] = openid

    def new_code(self, name: str) -> str:
        """A fresh login code of the user registered as `name` (KeyError if none is)."""
        with self._lock:
            openid = self._users[name]
        code = f"{name}-{secrets.token_urlsafe(9)}"
        self.add_code(code, openid)
        return code

    @property
    def users(self) -> list[str]:
        with self._lock:
            return sorted(self._users)

    # ------------------------------------------------------------------ the exchange
    def exchange(self, query: dict[str, str]) -> dict[str, Any]:
        """The answer to one `jscode2session` call with these query parameters."""
        answer = self._check_app(query.get("appid"), query.get("secret"))
        if answer is None:
            answer = self._check_grant(query.get("grant_type"), query.get("js_code"))
        if answer is None:
            answer = self._redeem(query["js_code"])
        self.exchanges.append(Exchange(query.get("js_code", ""), query.get("appid", ""), answer))
        return answer

    def _check_app(self, appid: str | None, secret: str | None) -> dict[str, Any] | None:
        if not appid:
            return _error(41002, "appid missing")
        if appid != self._app_id:
            return _error(40013, "invalid appid")
        if not secret:
            return _error(41004, "appsecret missing")
        expected = self._app_secret()
        if expected is None or not secrets.compare_digest(secret, expected):
            return _error(40125, "invalid appsecret")
        return None

    @staticmethod
    def _check_grant(grant_type: str | None, js_code: str | None) -> dict[str, Any] | None:
        if grant_type != "authorization_code":
            return _error(40002, "invalid grant_type")
        if not js_code:
            return _error(41008, "missing code")
        return None

    def _redeem(self, js_code: str) -> dict[str, Any]:
        with self._lock:
            code = self._codes.get(js_code)
            if code is None or self._clock() - code.issued_at > CODE_TTL_SECONDS:
                return _error(40029, "invalid code")
            if code.used:
                return _error(40163, "code been used")
            code.used = True
        answer: dict[str, Any] = {"openid": code.openid, "session_key": code.session_key}
        if code.unionid:
            answer["unionid"] = code.unionid
        return answer

    # ------------------------------------------------------------------ server
    @property
    def url(self) -> str:
        return self._http.url

    def start(self, port: int = 0) -> None:
        self._http.start(bound_handler(_PlatformRequestHandler, platform=self), port)

    def stop(self) -> None:
        self._http.stop()


class _PlatformRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    platform: LoginPlatform

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(split.query).items()}
        if split.path == DEMO_CODE_PATH:
            self._demo_code(query.get("user", ""))
        elif split.path == EXCHANGE_PATH:
            self._write(200, self.platform.exchange(query))
        else:
            self._write(404, _error(-1, f"no such API {split.path}"))

    def _demo_code(self, user: str) -> None:
        try:
            code = self.platform.new_code(user)
        except KeyError:
            known = ", ".join(self.platform.users) or "none"
            self._write_text(404, f"no demo user {user!r} (known: {known})\n")
            return
        self._write_text(200, code)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: exchanges are recorded in `LoginPlatform.exchanges`."""

    def _write(self, status: int, document: dict[str, Any]) -> None:
        # The real platform labels its JSON text/plain; clients must not rely on the type.
        self._write_text(status, json.dumps(document), "text/plain")

    def _write_text(
        self, status: int, text: str, content_type: str = "text/plain; charset=utf-8"
    ) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
