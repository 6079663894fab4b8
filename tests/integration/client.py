"""A small HTTP client for the local stack: what a mini-program or console does, over real HTTP."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import requests

from tests.integration import contract


class ApiError(AssertionError):
    pass


class Client:
    """The integration tests' one HTTP client: calls the API as one user (with their bearer
    token, once logged in), or as nobody.

    `call` gives the response itself (any status unless `expect` names one); `get`, `post` and
    `put` give the JSON body and expect 200, 201 and 200 unless told otherwise. Every response
    passes through `_after`, the one place to look at all of them.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.http = requests.Session()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
        params: dict[str, Any] | None = None,
        allow_redirects: bool = True,
    ) -> requests.Response:
        """`method path` (relative to the API); with `expect`, any other status fails."""
        hdrs = dict(headers or {})
        if self.token:
            hdrs.setdefault("Authorization", f"Bearer {self.token}")
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        response = self.http.request(
            method,
            self.base_url + path,
            json=json,
            data=data,
            headers=hdrs,
            params=params,
            allow_redirects=allow_redirects,
            timeout=self.timeout,
        )
        self._after(response)
        if expect is not None and response.status_code != expect:
            raise ApiError(
                f"{method} {path}: expected {expect}, got {response.status_code}: {response.text}"
            )
        return response

    def _after(self, response: requests.Response) -> None:
        """Every response of every call passes here, before its status is checked (the place
        for checks that hold for all responses): the API's contract (`contract.check`)."""
        contract.check(self.base_url, response)

    def get(self, path: str, expect: int | None = 200, **kw: Any) -> Any:
        return self.call("GET", path, expect=expect, **kw).json()

    def post(self, path: str, json: Any = None, expect: int | None = 201, **kw: Any) -> Any:
        return self.call("POST", path, json, expect=expect, **kw).json()

    def put(self, path: str, json: Any = None, expect: int | None = 200, **kw: Any) -> Any:
        return self.call("PUT", path, json, expect=expect, **kw).json()


def upload(grant: dict[str, Any], content: bytes, filename: str = "photo.jpg") -> int:
    """Post a file with a presigned POST, as the mini-program upload call does."""
    response = requests.post(
        grant["url"],
        data=grant["fields"],
        files={grant.get("file_field", "file"): (filename, content, "image/jpeg")},
        timeout=120,
    )
    assert response.status_code in (200, 201, 204), response.text
    return response.status_code


def wait_for(probe: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30) -> Any:
    """Poll `probe` until `done(result)`; S3 events and state machines are asynchronous in AWS."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last: {result}")
        time.sleep(0.2)


def officer_session(
    api_url: str, username: str, *, role: Any, agency: str, jurisdiction: str, name: str
) -> Client:
    """A new officer (or admin) account of `agency`, logged in over HTTP."""
    from enforcement import accounts  # the stack's environment must be set first

    password = secrets.token_urlsafe(12)
    accounts.create_officer(
        "system:test-seed",
        username=username,
        password=password,
        name=name,
        role=role,
        agency=agency,
        jurisdiction=jurisdiction,
    )
    session = Client(api_url).post(
        "/auth/officer/login", {"username": username, "password": password}, expect=200
    )
    return Client(api_url, session["token"])
