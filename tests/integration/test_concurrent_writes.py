"""Concurrent audited writers on the local stack: nothing acknowledged is lost, chains stay whole.

moto's own TransactWriteItems restored whole-table copies when a transaction failed, which
dropped every write committed meanwhile by other requests; the stack isolates transactions
(infra/local/dynamodb_isolation.py) as DynamoDB does.
"""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from enforcement import audit
from enforcement.auth import Role
from enforcement.errors import Conflict
from enforcement.models import Notification

from infra.local.stack import LocalStack
from tests.integration.client import Client, officer_session

WRITERS = 8
COMMITS_EACH = 6


def _writer_commits(chain: str, recipient: str, writer: int) -> dict[str, int | None]:
    """Commits of one writer: note key -> entry number, or None when refused (audit_busy)."""
    outcome: dict[str, int | None] = {}
    for n in range(COMMITS_EACH):
        note = Notification(
            recipient,
            f"{writer:02d}-{n:02d}",
            kind="test",
            title="t",
            body="b",
            created_at="2026-01-01T00:00:00Z",
        )
        try:
            outcome[note.notification_key] = audit.commit(
                audit.AuditEvent(
                    "system:test", "test.write", f"note:{note.notification_key}", {"n": n}
                ),
                lambda tx, note=note: tx.save(
                    note, condition=Notification.recipient.does_not_exist()
                ),
                chain=chain,
            )
        except Conflict as refused:
            if refused.code != "audit_busy":
                raise
            outcome[note.notification_key] = None
    return outcome


def test_concurrent_transactions_on_one_chain_lose_nothing(stack: LocalStack) -> None:
    """Writers race for one chain head, the worst case: a commit acknowledged is stored with
    its entry, a commit refused left nothing, and the chain is whole (moto's whole-table
    rollback of a failed transaction undid transactions committed meanwhile)."""
    chain = f"test-race-{secrets.token_hex(4)}"
    recipient = f"race-{secrets.token_hex(4)}"
    barrier = threading.Barrier(WRITERS)

    def run(writer: int) -> dict[str, int | None]:
        barrier.wait()
        return _writer_commits(chain, recipient, writer)

    with ThreadPoolExecutor(WRITERS) as pool:
        outcome = {k: v for result in pool.map(run, range(WRITERS)) for k, v in result.items()}
    acknowledged = {key: seq for key, seq in outcome.items() if seq is not None}
    assert len(acknowledged) >= WRITERS  # the race is not all lost
    assert sorted(acknowledged.values()) == list(range(1, len(acknowledged) + 1))
    stored = {n.notification_key for n in Notification.query(recipient, consistent_read=True)}
    assert stored == set(acknowledged)
    report = audit.verify_chain(chain)
    assert report.ok, report
    assert report.entries == len(acknowledged)
    by_target = {entry.target: int(entry.seq) for entry in audit.entries(chain)}
    assert by_target == {f"note:{key}": seq for key, seq in acknowledged.items()}


def test_concurrent_vessel_registrations_over_http_all_stick(stack: LocalStack) -> None:
    """16 officers' requests at once: every one is answered 201, none with 409 audit_busy, and
    every vessel answered 201 is there afterwards with its audit entry."""
    suffix = secrets.token_hex(3)
    agency, jurisdiction = f"race{suffix}", f"race-harbour-{suffix}"
    officer = officer_session(
        stack.api_url,
        f"race-{suffix}",
        role=Role.OFFICER,
        agency=agency,
        jurisdiction=jurisdiction,
        name="race",
    )
    base = 300_000_000 + secrets.randbelow(10**8)
    mmsis = [str(base + n) for n in range(16)]
    barrier = threading.Barrier(len(mmsis))

    def register(mmsi: str) -> tuple[int, Any]:
        body = {
            "mmsi": mmsi,
            "name_zh": f"并发{mmsi}",
            "home_port": "上海",
            "jurisdiction": jurisdiction,
            "length_m": 40,
            "manning": [
                {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"}
            ],
        }
        with Client(stack.api_url, officer.token, timeout=120) as client:
            barrier.wait()
            response = client.call("POST", "/checkin/vessels", body)
        return response.status_code, response.json()

    with ThreadPoolExecutor(len(mmsis)) as pool:
        answers = list(pool.map(register, mmsis))
    assert [status for status, _ in answers] == [201] * len(mmsis), answers
    for mmsi in mmsis:
        officer.get(f"/checkin/vessels/{mmsi}")
    # the vessels' own chains (the whole log grows with the suite)
    chains = {audit.chain_for("checkin", agency).chain(f"vessel:{m}") for m in mmsis}
    audited = {e.target for c in chains for e in audit.entries(c) if e.action == "vessel.create"}
    assert {f"vessel:{m}" for m in mmsis} <= audited
    assert all(audit.verify_chain(chain).ok for chain in chains)
