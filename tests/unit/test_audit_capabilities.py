"""Every audited action of the shared package belongs to a capability's chain, never to
`other`: an audit chain per capability and agency is what an auditor verifies and reads."""

from __future__ import annotations

import re
from pathlib import Path

from enforcement import audit

PACKAGE = Path(__file__).parents[2] / "layers" / "common" / "enforcement"
EVENT = re.compile(r"AuditEvent\((.{0,300}?)\)", re.S)


def _actions() -> set[tuple[str, str]]:
    found = set()
    for source in PACKAGE.rglob("*.py"):
        for event in EVENT.finditer(source.read_text(encoding="utf-8")):
            for action in re.findall(r'"([a-z_]+\.[a-z_.]+)"', event[1]):
                found.add((action, str(source.relative_to(PACKAGE))))
    return found


def test_every_audited_action_names_its_capability() -> None:
    actions = _actions()
    assert len(actions) > 30
    homeless = sorted(
        (action, where)
        for action, where in actions
        if audit.capability_of(action) == audit.OTHER_CAPABILITY
    )
    assert not homeless


def test_survey_and_ticketing_actions_go_to_their_own_chains() -> None:
    assert audit.capability_of("declaration.scan") == "remote_survey"
    assert audit.capability_of("face_search.confirmed") == "ticketing"
    assert audit.capability_of("nothing.known") == audit.OTHER_CAPABILITY
