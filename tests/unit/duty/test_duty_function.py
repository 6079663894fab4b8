"""Duty is its own function: its routes under /duty/ only, none left in the dispatch function,
and the template gives each function the tables it uses and no others."""

from __future__ import annotations

import re

from tests.events import ROOT, handler_module

#: The tables the duty API reads or writes: its own, the officers' duty profiles, and the
#: shared ones (accounts and jurisdictions for access, uploads for hazard photos, the inbox,
#: the audit chain, idempotent creation).
DUTY_API_TABLES = {
    "DutyAreasTable": "Crud",
    "DutyDaysTable": "Crud",
    "DutyTasksTable": "Crud",
    "HazardReportsTable": "Crud",
    "DispatchInspectorsTable": "Read",
    "AccountsTable": "Read",
    "JurisdictionsTable": "Read",
    "UploadsTable": "Crud",
    "NotificationsTable": "Crud",
    "AuditTable": "Crud",
    "IdempotencyTable": "Crud",
}
DUTY_TABLES = {"DutyAreasTable", "DutyDaysTable", "DutyTasksTable", "HazardReportsTable"}


def routes(path: str) -> set[tuple[str, str]]:
    app = handler_module(path).app
    return {(r.method, r.path) for r in app._static_routes + app._dynamic_routes}


def function_block(name: str) -> str:
    template = (ROOT / "template.yaml").read_text()
    start = template.index(f"\n  {name}:\n")
    following = re.search(r"\n  [A-Z][A-Za-z]+:\n", template[start + 1 :])
    return template[start : start + 1 + following.start()] if following else template[start:]


def table_policies(name: str) -> dict[str, str]:
    found = re.findall(
        r"DynamoDB(Crud|Read)Policy: \{TableName: !Ref (\w+)\}", function_block(name)
    )
    return {table: kind for kind, table in found}


def test_the_duty_function_serves_the_duty_routes_and_the_dispatch_function_none() -> None:
    duty = routes("functions/duty/app.py")
    assert len(duty) == 16
    assert all(path.startswith("/duty/") for _, path in duty)
    dispatch = routes("functions/dispatch/app.py")
    assert not [path for _, path in dispatch if path.startswith("/duty/") or "hazard" in path]
    block = function_block("DutyApiFunction")
    assert "CodeUri: functions/duty/" in block
    assert 'Path: "/duty/{proxy+}"' in block


def test_each_function_has_the_duty_tables_it_uses_and_no_others() -> None:
    assert table_policies("DutyApiFunction") == DUTY_API_TABLES
    assert not DUTY_TABLES & set(table_policies("DispatchApiFunction"))
    schedule = function_block("DutyScheduleFunction")
    assert "CodeUri: functions/duty/" in schedule
    assert "Handler: schedule.lambda_handler" in schedule
    assert set(table_policies("DutyScheduleFunction")) == {
        "DispatchInspectorsTable",
        "DutyAreasTable",
        "DutyDaysTable",
        "DutyTasksTable",
        "NotificationsTable",
        "AuditTable",
    }
