"""Set-up helpers of the access tests: crew accounts, links and ships, over the local stack.

A crew account is linked to its record directly in the accounts and crew tables: the face check
that links them in real use is the walk-through's subject, not the access tests'.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.integration.client import Client

NEAR = {"lat": 31.3903, "lon": 121.5013, "accuracy_m": 12}
SHIP = {"lat": 31.3901, "lon": 121.5012}
MANNING = [
    {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"},
    {
        "code": "chief_engineer",
        "title": "轮机长",
        "certificate_type": "chief_engineer",
        "min_grade": "B",
    },
]


def mmsi() -> str:
    return "41" + "".join(secrets.choice("0123456789") for _ in range(7))


def id_number() -> str:
    return "31010119" + "".join(secrets.choice("0123456789") for _ in range(10))


def crew_account(stack: Any, name: str) -> Client:
    """A new mini-program account (its first login), not linked to any crew record."""
    code = f"code-{name}-{secrets.token_hex(4)}"
    stack.login_platform.add_code(code, f"openid-{name}-{secrets.token_hex(4)}")
    session = Client(stack.api_url).post("/auth/miniprogram/login", {"code": code}, expect=200)
    return Client(stack.api_url, session["token"])


def link(stack: Any, crew: Client, crew_id: str) -> Client:
    """Link the account to the crew record, and log in again (a token with the crew id)."""
    from enforcement.checkin.models import CrewMember
    from enforcement.models import Account

    account_id = crew.get("/auth/me")["account_id"]
    Account(account_id).update(actions=[Account.crew_id.set(crew_id)])
    CrewMember(crew_id).update(actions=[CrewMember.account_id.set(account_id)])
    return Client(stack.api_url, crew.post("/auth/refresh", expect=200)["token"])


def vessel_body(**extra: Any) -> dict[str, Any]:
    vessel_id = mmsi()
    return {
        "mmsi": vessel_id,
        "name_zh": f"长江之星{vessel_id[-5:]}",
        "home_port": "上海",
        "length_m": 96,
        "manning": MANNING,
        **extra,
    }


def new_vessel(officer: Client, **extra: Any) -> str:
    body = vessel_body(**extra)
    officer.post("/checkin/vessels", body)
    officer.put(f"/checkin/vessels/{body['mmsi']}/position", SHIP)
    return str(body["mmsi"])


def register(officer: Client, name: str, number: str | None = None) -> dict[str, Any]:
    crew: dict[str, Any] = officer.post(
        "/checkin/crew",
        {
            "name": name,
            "id_number": number or id_number(),
            "certificates": [
                {
                    "number": f"M-{secrets.token_hex(3)}",
                    "type": "master",
                    "grade": "A",
                    "expires_on": "2099-01-01",
                }
            ],
        },
    )
    return crew


def bind(crew: Client, approver: Client, vessel_id: str, post: str) -> dict[str, Any]:
    """Bind, and have the officer approve the binding when it waits for approval."""
    requested: dict[str, Any] = crew.put(
        "/checkin/me/binding", {"vessel_id": vessel_id, "post": post}
    )
    if requested.get("status") == "pending":
        approver.post(
            f"/checkin/vessels/{vessel_id}/bindings/{requested['binding_id']}/approve",
            {"reason": "on the crew list"},
            expect=200,
        )
    return requested
