"""The audit chain's verification finds the first broken link, whatever was tampered with."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from enforcement import audit


@dataclass
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: str
    prev_hash: str
    hash: str
    last_seq: int | None = None
    last_hash: str | None = None


def build(n: int) -> tuple[list[Entry], Entry]:
    entries: list[Entry] = []
    prev = audit.GENESIS
    for seq in range(1, n + 1):
        event = audit.AuditEvent(f"officer:o{seq}", "vessel.create", f"vessel:{seq}", {"n": seq})
        details = audit.canonical(event.details)
        at = f"2026-11-23T08:00:{seq:02d}.000Z"
        digest = audit.entry_hash(seq, at, event, prev, details)
        entries.append(
            Entry(seq, at, event.actor, event.action, event.target, details, prev, digest)
        )
        prev = digest
    head = Entry(0, "", "", "", "", "", "", "", last_seq=n, last_hash=prev)
    return entries, head


def verify(entries: list[Entry], head: Entry | None) -> audit.ChainReport:
    return audit.verify_entries(iter(entries), head)  # type: ignore[arg-type]


def test_an_intact_chain_verifies() -> None:
    entries, head = build(5)
    report = verify(entries, head)
    assert report.ok
    assert report.entries == 5


@pytest.mark.parametrize("field", ["actor", "action", "target", "details", "at"])
def test_changing_any_field_breaks_that_entry(field: str) -> None:
    entries, head = build(5)
    entries[2] = replace(entries[2], **{field: getattr(entries[2], field) + "x"})
    report = verify(entries, head)
    assert not report.ok
    assert report.first_broken_seq == 3
    assert "hash" in (report.reason or "")


def test_a_rehashed_forgery_breaks_the_next_link() -> None:
    entries, head = build(5)
    forged = replace(entries[1], actor="officer:someone-else")
    event = audit.AuditEvent(forged.actor, forged.action, forged.target, {})
    forged.hash = audit.entry_hash(2, forged.at, event, forged.prev_hash, forged.details)
    entries[1] = forged
    report = verify(entries, head)
    assert report.first_broken_seq == 3
    assert "prev_hash" in (report.reason or "")


def test_a_removed_entry_is_reported() -> None:
    entries, head = build(5)
    del entries[3]
    report = verify(entries, head)
    assert report.first_broken_seq == 4
    assert "missing" in (report.reason or "")


def test_removing_the_last_entries_is_caught_by_the_head() -> None:
    entries, head = build(5)
    report = verify(entries[:3], head)
    assert not report.ok
    assert report.first_broken_seq == 4
