"""Sessions the benchmarks start from, on a local stack with the `make run` demo data."""

from __future__ import annotations

from typing import Any


def demo_crew(stack: Any) -> tuple[Any, Any]:
    """李明 of the demo logged in from the mini-program, linked to his crew record by a face
    check and serving as master of 长江之星 (his binding approved by the demo officer zhang);
    his client and the officer's."""
    from infra.local import demo
    from tests.integration.client import Client, upload, wait_for
    from tests.photos import photo_bytes

    demo.load(stack)
    anon = Client(stack.api_url)
    crew = Client(
        stack.api_url,
        anon.post(
            "/auth/miniprogram/login", {"code": stack.login_platform.new_code("li")}, expect=200
        )["token"],
    )
    link = crew.post("/checkin/me/link", {"id_number": "310101198001011234"})
    upload(link["upload"], photo_bytes("obama2.jpg"))
    wait_for(
        lambda: crew.get(f"/checkin/me/link/{link['check_id']}"),
        lambda r: r["status"] == "verified",
        timeout=120,
    )
    binding = crew.put("/checkin/me/binding", {"vessel_name": "长江之星", "post": "master"})
    officer = Client(
        stack.api_url,
        anon.post(
            "/auth/officer/login",
            {"username": "zhang", "password": "zhang-demo-2026"},
            expect=200,
        )["token"],
    )
    officer.post(  # outside his appointments, the binding waits for the officer
        f"/checkin/vessels/{binding['vessel_id']}/bindings/{binding['binding_id']}/approve",
        {"reason": "on the crew list"},
        expect=200,
    )
    return crew, officer


def steady_crew(stack: Any) -> tuple[Any, Any]:
    """`demo_crew`, then 李明 logged in again, as in every session after the one he linked in:
    his token names his crew record (no read of his account to find it)."""
    from tests.integration.client import Client

    _, officer = demo_crew(stack)
    anon = Client(stack.api_url)
    login = anon.post(
        "/auth/miniprogram/login", {"code": stack.login_platform.new_code("li")}, expect=200
    )
    return Client(stack.api_url, login["token"]), officer
