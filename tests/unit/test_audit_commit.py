"""`audit.commit` against moto's DynamoDB: partitions, back-off, and why a transaction failed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from enforcement import audit
from enforcement.db import table_meta
from enforcement.errors import Conflict, Unprocessable
from moto import mock_aws
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite


class Reading(Model):
    Meta = table_meta("TEST_READINGS_TABLE", "test-readings")

    reading_id = UnicodeAttribute(hash_key=True)
    value = NumberAttribute()


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    monkeypatch.setenv("AWS_REGION", "cn-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AUDIT_TABLE", "unit-audit")
    monkeypatch.setenv("TEST_READINGS_TABLE", "unit-readings")
    with mock_aws():
        audit.AuditEntry.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        Reading.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off waits, recorded instead of slept; jitter at its upper bound."""
    waited: list[float] = []
    monkeypatch.setattr(audit.time, "sleep", waited.append)
    monkeypatch.setattr(audit.random, "uniform", lambda low, high: high)
    return waited


def event(target: str = "vessel:1", action: str = "vessel.create") -> audit.AuditEvent:
    return audit.AuditEvent("officer:o1", action, target, {"n": 1})


def save(reading_id: str, value: Any) -> Any:
    reading = Reading(reading_id, value=value)

    def writes(tx: TransactWrite) -> None:
        tx.save(reading, condition=Reading.reading_id.does_not_exist())

    return writes


def test_a_number_dynamodb_cannot_store_is_refused_not_reported_as_a_concurrent_change(
    tables: None,
) -> None:
    with pytest.raises(Unprocessable) as refused:
        audit.commit(event(), save("r1", 1e-131))
    assert refused.value.code == "value_not_storable"
    assert audit.chains() == []  # nothing written
    with pytest.raises(Unprocessable):
        audit.commit(event(), save("r2", 1e127))


def test_a_failed_domain_condition_is_the_callers_conflict(tables: None) -> None:
    audit.commit(event(), save("r1", 1))
    mine = Conflict("reading_exists", "exists")
    with pytest.raises(Conflict) as refused:
        audit.commit(event(), save("r1", 2), on_conflict=mine)
    assert refused.value is mine
    assert audit.verify_chain().entries == 1


def test_partitions_by_capability_and_agency_and_one_record_stays_in_one_chain(
    tables: None,
) -> None:
    msa = audit.commit(event("vessel:1"), agency="msa")
    audit.commit(event("vessel:1", "vessel.position"), agency="msa")
    audit.commit(event("vessel:1"), agency="customs")
    audit.commit(event("draw:7", "draw.request"), agency="msa")
    audit.commit(event("vessel:2"), chain=audit.chain_for("checkin", "msa"))
    assert msa == 1
    names = audit.chains()
    vessel_1 = audit.chain_for("checkin", "msa").chain("vessel:1")
    assert vessel_1.startswith("checkin/msa/")
    assert [e.action for e in audit.entries(vessel_1)][:2] == ["vessel.create", "vessel.position"]
    assert audit.chain_for("checkin", "customs").chain("vessel:1") in names
    assert audit.chain_for("dispatch", "msa").chain("draw:7") in names
    assert audit.chain_for("checkin").chain("x").startswith("checkin/-/")
    assert audit.verify_chain().ok
    assert audit.verify_chain().entries == 5


def _racing_writes(chain: str, times: int) -> Any:
    """Writes that, on each of the first `times` attempts, let another writer take the head."""
    calls = {"n": 0}

    def writes(tx: TransactWrite) -> None:
        calls["n"] += 1
        if calls["n"] <= times:
            audit.commit(event(f"vessel:other-{calls['n']}"), chain=chain)

    return writes


def test_a_lost_race_is_retried_after_a_jittered_growing_wait(
    tables: None, sleeps: list[float]
) -> None:
    seq = audit.commit(event(), _racing_writes("race", 3), chain="race")
    assert seq == 4  # three others got 1, 2, 3 meanwhile
    assert sleeps == [audit.BACKOFF_BASE_S * 2**n for n in range(3)]
    assert audit.verify_chain("race").ok


def test_the_wait_is_bounded_and_the_caller_gets_audit_busy(
    tables: None, sleeps: list[float]
) -> None:
    with pytest.raises(Conflict) as busy:
        audit.commit(event(), _racing_writes("race", 100), chain="race", attempts=10)
    assert busy.value.code == "audit_busy"
    assert len(sleeps) == 9
    assert max(sleeps) == audit.BACKOFF_CAP_S
    assert sleeps == sorted(sleeps)
    assert audit.verify_chain("race").ok


def test_expect_seq_refuses_to_take_another_number(tables: None) -> None:
    assert audit.commit(event(), chain="cp", expect_seq=1) == 1
    with pytest.raises(Conflict) as moved:
        audit.commit(event(), chain="cp", expect_seq=1)
    assert moved.value.code == "audit_moved_on"
    with pytest.raises(Conflict):
        audit.commit(event(), _racing_writes("cp", 1), chain="cp", expect_seq=2)
    assert audit.verify_chain("cp").entries == 2


def test_a_head_read_by_the_caller_is_used_and_a_stale_one_only_loses_the_race(
    tables: None, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    from enforcement.batch_reads import batch_get

    audit.commit(event(), chain="known")
    key = audit.head_key("known")
    stale = batch_get([key]).item(audit.AuditEntry, "known", audit.HEAD_SEQ)
    absent = batch_get([audit.head_key("fresh")]).item(audit.AuditEntry, "fresh", audit.HEAD_SEQ)
    assert stale is not None
    assert absent is None
    reads: list[str] = []
    real_head = audit.head
    monkeypatch.setattr(audit, "head", lambda chain: reads.append(chain) or real_head(chain))

    assert audit.commit(event(), chain="known", known_head=stale) == 2
    assert audit.commit(event(), chain="fresh", known_head=absent) == 1
    assert reads == []  # the heads given were used: no read of their own
    assert sleeps == []

    # the same (now stale) head again: the first attempt loses, the retry reads the head afresh
    assert audit.commit(event(), chain="known", known_head=stale) == 3
    assert reads == ["known"]
    assert len(sleeps) == 1
    assert audit.verify_chain("known").ok
    assert audit.verify_chain("known").entries == 3
    # a head read as absent that another writer created meanwhile: the same
    assert audit.commit(event(), chain="fresh", known_head=absent) == 2
    assert audit.verify_chain("fresh").entries == 2

    with pytest.raises(ValueError, match="the head of known given for other"):
        audit.commit(event(), chain="other", known_head=stale)
    assert audit.verify_chain("other").entries == 0
