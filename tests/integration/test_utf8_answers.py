"""JSON answers are UTF-8 with text as itself: 王海英, not \\u738b\\u6d77\\u82f1."""

from __future__ import annotations

import secrets
from typing import Any

from enforcement.auth import Role

from tests.integration.client import officer_session


def test_chinese_text_comes_back_as_itself_in_utf8(stack: Any) -> None:
    name = "王海英"
    officer = officer_session(
        stack.api_url,
        f"utf8{secrets.token_hex(4)}",
        role=Role.OFFICER,
        agency="msa",
        jurisdiction=f"j-utf8-{secrets.token_hex(3)}",
        name=name,
    )
    answer = officer.call("GET", "/auth/me", expect=200)
    assert answer.headers["Content-Type"].startswith("application/json")
    assert name.encode("utf-8") in answer.content
    assert b"\\u" not in answer.content
    assert answer.json()["name"] == name
