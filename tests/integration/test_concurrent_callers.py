"""Concurrent requests to one function are each answered for their own caller.

A Lambda execution environment handles one event at a time; the resolver a handler module
builds (its current event, its route context) relies on that. The local stack runs every
handler in one process, so it must keep the same rule: requests that arrive together never
share one handler's state, and nobody is answered with another caller's identity or route.
"""

from __future__ import annotations

import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from enforcement.auth import Role

from tests.integration.client import Client, officer_session

CALLERS = 12
ROUNDS = 15


def test_concurrent_callers_are_each_answered_as_themselves(stack: Any) -> None:
    suffix = secrets.token_hex(3)
    callers: list[tuple[str, Client]] = []
    for n in range(CALLERS):
        username = f"cc{n}x{suffix}"
        client = officer_session(
            stack.api_url,
            username,
            role=Role.OFFICER,
            agency=f"cc-{suffix}",
            jurisdiction=f"cc-{suffix}",
            name=f"并发{n}",
        )
        callers.append((f"off-{username}", client))
    barrier = threading.Barrier(CALLERS)
    answers: list[tuple[str, int, Any]] = []
    lock = threading.Lock()

    def run(account_id: str, client: Client) -> None:
        barrier.wait()
        for n in range(ROUNDS):
            # two routes of one function, with and without a path parameter
            if n % 2:
                response = client.call("GET", "/auth/me")
            else:
                response = client.call("POST", "/auth/refresh")
            with lock:
                answers.append((account_id, response.status_code, response.json()))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often, as busy cores make them do
    try:
        with ThreadPoolExecutor(CALLERS) as pool:
            for future in [pool.submit(run, *caller) for caller in callers]:
                future.result()
    finally:
        sys.setswitchinterval(interval)

    assert len(answers) == CALLERS * ROUNDS
    assert [(a, s, b) for a, s, b in answers if s != 200] == []
    seen = [
        (account_id, body.get("account_id") or body["account"]["account_id"])
        for account_id, _, body in answers
    ]
    assert [pair for pair in seen if pair[0] != pair[1]] == []
