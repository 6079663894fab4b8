"""What the scheduled dispatch of a day reads and writes, metered (`benchmarks.metering`) on
moto in this process: the day's item with its audit chain's head in one read, the patrol areas
once (from the schedule's scan), the inbox notes in a batch; a repeated schedule writes
nothing."""

from __future__ import annotations

import pytest
from enforcement import audit
from enforcement.duty import days, rules
from enforcement.duty.models import DutyDay, DutyTask
from enforcement.models import Notification

from benchmarks.metering import AwsMeter
from tests.unit.duty.conftest import AGENCY, TODAY, area, on_duty

pytestmark = pytest.mark.usefixtures("tables")

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def test_the_schedule_reads_each_thing_once_and_writes_the_notes_in_a_batch() -> None:
    officers = [on_duty(name) for name in ("wang", "lin", "zhou", "sun")]
    for n in range(3):
        area(f"crossing-{n}", [{"start": "07:00", "end": "09:00", "officers": 2}])
    meter = AwsMeter()
    with meter.measure() as usage:
        [day] = days.scheduled_dispatch()
    assert (day["status"], day["tasks"], day["officers"]) == ("dispatched", 6, 4)
    calls = usage.calls
    assert calls["dynamodb:Scan"] == 1  # the areas, handed to the agency's dispatch
    # the six days before (recent load) and the officers; no query of the areas
    assert calls["dynamodb:Query"] == rules.RECENT_DAYS + 1
    assert calls["dynamodb:BatchGetItem"] == 1  # the day's item and the chain's head
    assert "dynamodb:GetItem" not in calls
    assert "dynamodb:PutItem" not in calls  # the four notes: one BatchWriteItem with...
    assert calls["dynamodb:BatchWriteItem"] == 2  # ... the tasks' own
    assert len(list(DutyTask.query(f"{AGENCY}#{TODAY}"))) == 6
    for officer in officers:
        assert [n.kind for n in Notification.query(officer.account_id)] == ["duty.tasks"]
    chain = audit.chain_of(
        audit.AuditEvent("", "duty.dispatch", f"duty:{AGENCY}/{TODAY}", {}), None, AGENCY
    )
    assert audit.verify_entries(audit.entries(chain), audit.head(chain), chain).ok
    assert DutyDay.get(AGENCY, TODAY).status == "dispatched"

    with meter.measure() as again:
        assert days.scheduled_dispatch() == [
            {"agency": AGENCY, "date": TODAY, "status": "already_dispatched"}
        ]
    assert not [op for op in again.calls if op.split(":")[1] in WRITES]
    assert again.calls == {"dynamodb:Scan": 1, "dynamodb:BatchGetItem": 1}
