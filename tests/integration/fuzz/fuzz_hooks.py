"""Schemathesis hooks of the fuzz run: every request goes out as one of the seeded callers.

The tokens come from the test (`FUZZ_TOKENS`, a JSON list; `null` means anonymous). Cases take
them in turn, so every operation is tried as admin, officer, crew and anonymous; the run is
seeded and single-worker, so the same case gets the same caller on every run.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import schemathesis


@schemathesis.auth()
class TakeTurns:
    def __init__(self) -> None:
        self.turn = itertools.count()

    def get(self, case: Any, context: Any) -> list[str | None]:
        tokens: list[str | None] = json.loads(os.environ["FUZZ_TOKENS"])
        return tokens

    def set(self, case: Any, tokens: list[str | None], context: Any) -> None:
        token = tokens[next(self.turn) % len(tokens)]
        if token is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
