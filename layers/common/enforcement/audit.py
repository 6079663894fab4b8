"""Append-only, hash-chained audit log of every state change made by a person.

Each entry carries the hash of the one before it; a head item holds the last sequence number
and hash. An entry is written in the same DynamoDB transaction as the change it records, with
conditions on the head, so a change without its entry (or an entry without its change) cannot
be stored, and two writers can never take the same sequence number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement import clock
from enforcement.db import table_meta, transaction
from enforcement.errors import Conflict, DomainError

GENESIS = "0" * 64
CHAIN = "main"
HEAD_SEQ = 0


class AuditEntry(Model):
    Meta = table_meta("AUDIT_TABLE", "audit")

    chain = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    action = UnicodeAttribute(null=True)
    target = UnicodeAttribute(null=True)
    details = UnicodeAttribute(null=True)
    prev_hash = UnicodeAttribute(null=True)
    hash = UnicodeAttribute(null=True)
    # only on the head item (seq 0)
    last_seq = NumberAttribute(null=True)
    last_hash = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class AuditEvent:
    """What a person did: `actor` like "officer:officer-zhang", `target` like "vessel:413000001"."""

    actor: str
    action: str
    target: str
    details: dict[str, Any]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(seq: int, at: str, event: AuditEvent, prev_hash: str, details_json: str) -> str:
    body = canonical(
        {
            "seq": seq,
            "at": at,
            "actor": event.actor,
            "action": event.action,
            "target": event.target,
            "details": details_json,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _head(chain: str) -> AuditEntry | None:
    try:
        return AuditEntry.get(chain, HEAD_SEQ, consistent_read=True)
    except AuditEntry.DoesNotExist:
        return None


def commit(
    event: AuditEvent,
    writes: Callable[[TransactWrite], None] | None = None,
    *,
    on_conflict: DomainError | None = None,
    chain: str = CHAIN,
    attempts: int = 10,
) -> int:
    """Write the domain changes that `writes` adds to the transaction, and their audit entry.

    All or nothing. A lost race for the head is retried; a failed condition of the domain writes
    raises `on_conflict` (default: a generic 409). Returns the entry's sequence number.
    """
    details_json = canonical(event.details)
    for _ in range(attempts):
        head = _head(chain)
        seq = (int(head.last_seq or 0) if head else 0) + 1
        prev = (head.last_hash or GENESIS) if head else GENESIS
        at = clock.iso()
        digest = entry_hash(seq, at, event, prev, details_json)
        entry = AuditEntry(
            chain,
            seq,
            at=at,
            actor=event.actor,
            action=event.action,
            target=event.target,
            details=details_json,
            prev_hash=prev,
            hash=digest,
        )
        try:
            with transaction() as tx:
                if writes is not None:
                    writes(tx)
                tx.save(entry, condition=AuditEntry.seq.does_not_exist())
                if head is None:
                    new_head = AuditEntry(chain, HEAD_SEQ, last_seq=seq, last_hash=digest)
                    tx.save(new_head, condition=AuditEntry.chain.does_not_exist())
                else:
                    tx.update(
                        head,
                        actions=[AuditEntry.last_seq.set(seq), AuditEntry.last_hash.set(digest)],
                        condition=AuditEntry.last_seq == head.last_seq,
                    )
            return seq
        except TransactWriteError as exc:
            latest = _head(chain)
            head_moved = (latest.last_seq if latest else None) != (head.last_seq if head else None)
            if head_moved:
                continue
            raise on_conflict or Conflict("conflict", "the record changed meanwhile") from exc
    raise Conflict("audit_busy", "too many concurrent changes; try again")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_broken_seq": self.first_broken_seq,
            "reason": self.reason,
        }


def entries(chain: str = CHAIN) -> Iterator[AuditEntry]:
    yield from AuditEntry.query(chain, AuditEntry.seq > HEAD_SEQ, consistent_read=True)


def verify_entries(items: Iterator[AuditEntry], head: AuditEntry | None) -> ChainReport:
    """Recompute the chain; report the first entry whose link, order or hash is broken."""
    prev = GENESIS
    expected = 1
    count = 0
    for item in items:
        seq = int(item.seq)
        if seq != expected:
            return ChainReport(False, count, expected, f"entry {expected} is missing")
        if item.prev_hash != prev:
            return ChainReport(False, count, seq, "prev_hash does not match the entry before")
        event = AuditEvent(item.actor or "", item.action or "", item.target or "", {})
        digest = entry_hash(seq, item.at or "", event, prev, item.details or "")
        if digest != item.hash:
            return ChainReport(False, count, seq, "hash does not match the entry's contents")
        prev = digest
        expected += 1
        count += 1
    if head is not None and (int(head.last_seq or 0) != count or head.last_hash != prev):
        return ChainReport(False, count, count + 1, "entries after the last one were removed")
    if head is None and count:
        return ChainReport(False, count, 1, "the chain head is missing")
    return ChainReport(True, count)


def verify_chain(chain: str = CHAIN) -> ChainReport:
    return verify_entries(entries(chain), _head(chain))
