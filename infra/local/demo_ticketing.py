"""Demo data and walk-through steps of traffic e-tickets: a city's registries and roadside
lookups.

The city `yantai` (烟台, plates 鲁F), a jurisdiction of the traffic-police agency
`yantai-traffic` (the duty demo's agency: its command centre `command` is the agency's admin),
with a roadside officer. Everything goes through the real API and the real upload.
"""

from __future__ import annotations

import contextlib
from typing import Any

from enforcement import accounts, jurisdictions
from enforcement.auth import Role
from enforcement.errors import Conflict

from infra.local.demo_dispatch import TRAFFIC

CITY = "yantai"
ACCOUNTS = [("liuj", "liuj-demo-2026", Role.OFFICER, "刘军")]


def load(stack: Any) -> None:
    """The city and its officer (a second load changes nothing)."""
    jurisdictions.register("system:demo", TRAFFIC, CITY)
    for username, password, role, name in ACCOUNTS:
        with contextlib.suppress(Conflict):  # already there on a second load
            accounts.create_officer(
                "system:demo",
                username=username,
                password=password,
                name=name,
                role=role,
                agency=TRAFFIC,
                jurisdiction=CITY,
            )
