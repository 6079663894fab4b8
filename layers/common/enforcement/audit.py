"""Append-only, hash-chained audit log of every state change made by a person.

The log is many chains, so that writers of different chains never wait for each other: one
per *partition* (capability and agency, e.g. check-in of the maritime agency) and shard of the
partition (a hash of the event's target, so every event about one record lands in one chain, in
order). Each entry carries the hash of the one before it in its chain; a head item per chain
holds its last sequence number and hash. An entry is written in the same DynamoDB transaction
as the change it records, with conditions on the head, so a change without its entry (or an
entry without its change) cannot be stored, and two writers can never take the same sequence
number. A periodic checkpoint (`enforcement.audit_checkpoints`) commits every chain's head into
one digest, so dropping or rolling back a whole chain is detected as well.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from enforcement import clock
from enforcement.batch_reads import ItemKey
from enforcement.db import table_meta, transaction
from enforcement.errors import Conflict, DomainError, Unprocessable

logger = Logger(child=True)

GENESIS = "0" * 64
#: The single chain of the first version; still read and verified where it exists.
LEGACY_CHAIN = "main"
HEAD_SEQ = 0
#: Value of `head_of` on every head item: the key of the `heads` index, which lists chains.
HEADS = "chains"
#: Shards per partition (capability and agency): writers of one partition spread over this many
#: chains by a hash of the event's target.
SHARDS = 8
#: Bounded jittered exponential back-off for a lost race on a chain head.
ATTEMPTS = 16
BACKOFF_BASE_S = 0.01
BACKOFF_CAP_S = 1.0

#: Which capability an action belongs to, by the action's first word.
CAPABILITY_OF_ACTION: dict[str, str] = {
    "account": "accounts",
    "jurisdiction": "accounts",
    "vessel": "checkin",
    "crew": "checkin",
    "certificate": "checkin",
    "face": "checkin",
    "check": "checkin",
    "posting": "checkin",
    "task": "checkin",
    "health": "checkin",
    "review": "checkin",
    "risk_model": "dispatch",
    "target": "dispatch",
    "inspector": "dispatch",
    "draw": "dispatch",
    "inspection": "dispatch",
    "duty": "duty",
    "patrol_area": "duty",
    "hazard": "duty",
    "evidence": "evidence",
    "survey_form": "remote_survey",
    "kiosk_session": "remote_survey",
    "declaration": "remote_survey",
    "manifest": "remote_survey",
    "registry": "ticketing",
    "vehicle": "ticketing",
    "driver_face": "ticketing",
    "face_search": "ticketing",
    "upload": "uploads",
    "audit": "audit",
}
OTHER_CAPABILITY = "other"
NO_AGENCY = "-"


class AuditHeadIndex(GlobalSecondaryIndex["AuditEntry"]):
    """Sparse, keys only: one row per chain head, so every chain can be listed without a scan.

    Only a head's creation writes to it (its key attributes never change afterwards)."""

    class Meta:
        index_name = "heads"
        projection = KeysOnlyProjection()

    head_of = UnicodeAttribute(hash_key=True)
    chain = UnicodeAttribute(range_key=True)


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
    head_of = UnicodeAttribute(null=True)

    heads = AuditHeadIndex()


@dataclass(frozen=True)
class AuditEvent:
    """What a person did: `actor` like "officer:officer-zhang", `target` like "vessel:413000001"."""

    actor: str
    action: str
    target: str
    details: dict[str, Any]


@dataclass(frozen=True)
class Partition:
    """The chains of one capability of one agency; `chain(key)` picks the shard of a target."""

    capability: str
    agency: str | None = None

    def chain(self, key: str) -> str:
        shard = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % SHARDS
        return f"{self.capability}/{self.agency or NO_AGENCY}/{shard}"


def chain_for(capability: str, agency: str | None = None) -> Partition:
    """The partition of `capability` (checkin, dispatch, duty, ...) of `agency`."""
    return Partition(capability, agency)


def capability_of(action: str) -> str:
    return CAPABILITY_OF_ACTION.get(action.split(".", 1)[0], OTHER_CAPABILITY)


def chain_of(event: AuditEvent, chain: str | Partition | None, agency: str | None) -> str:
    """The chain an event goes to: a chain named outright, a partition's shard for the event's
    target, or by default the partition of the action's capability and `agency`."""
    if isinstance(chain, str):
        return chain
    partition = chain or Partition(capability_of(event.action), agency)
    return partition.chain(event.target)


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


def head(chain: str) -> AuditEntry | None:
    """The head item of `chain` (strongly consistent), or None for a chain never written."""
    try:
        return AuditEntry.get(chain, HEAD_SEQ, consistent_read=True)
    except AuditEntry.DoesNotExist:
        return None


def head_key(chain: str) -> ItemKey:
    """The key of `chain`'s head, to read it in a caller's BatchGetItem
    (`enforcement.batch_reads`) and hand it to `commit(..., known_head=...)`."""
    return ItemKey(AuditEntry, chain, HEAD_SEQ)


class _Unread:
    """`commit`'s default: the head is not known yet and is read first."""


UNREAD = _Unread()


def chains() -> list[str]:
    """Every chain that has a head, from the `heads` index, and the legacy chain if present."""
    names = {item.chain for item in AuditEntry.heads.query(HEADS)}
    if head(LEGACY_CHAIN) is not None:
        names.add(LEGACY_CHAIN)
    return sorted(names)


class _Outcome(StrEnum):
    RACE = "race"
    DOMAIN = "domain"
    INVALID = "invalid"
    OTHER = "other"


def _operations(tx: TransactWrite) -> list[dict[str, Any]]:
    """The transaction's operations in the order pynamodb sends them (and DynamoDB answers)."""
    return [
        *tx._condition_check_items,
        *tx._delete_items,
        *tx._put_items,
        *tx._update_items,
    ]


def _is_audit_item(operation: dict[str, Any], chain: str) -> bool:
    if operation.get("TableName") != AuditEntry.Meta.table_name:
        return False
    key = operation.get("Key") or operation.get("Item") or {}
    return bool(key.get("chain", {}).get("S") == chain)


def _classify(exc: TransactWriteError, tx: TransactWrite, chain: str) -> str:
    """Why a transaction failed: a lost race for the head (or a transient conflict), a failed
    condition of the domain writes, a value DynamoDB refuses, or something else."""
    code = exc.cause_response_code
    if code == "ValidationException":
        return _Outcome.INVALID
    if code in ("ProvisionedThroughputExceededException", "ThrottlingException"):
        return _Outcome.RACE
    if code != "TransactionCanceledException":
        return _Outcome.OTHER
    operations = _operations(tx)
    race = domain = invalid = other = False
    for index, reason in enumerate(exc.cancellation_reasons or []):
        if reason is None:
            continue
        ours = index < len(operations) and _is_audit_item(operations[index], chain)
        if reason.code == "ConditionalCheckFailed":
            race, domain = race or ours, domain or not ours
        elif reason.code in (
            "TransactionConflict",
            "ThrottlingError",
            "ProvisionedThroughputExceeded",
        ):
            race = True
        elif reason.code in ("ValidationError", "ValidationException"):  # AWS, moto
            invalid = True
        else:
            other = True
    if invalid:
        return _Outcome.INVALID
    if other:
        return _Outcome.OTHER
    if race:  # the domain conditions are checked again against the new state
        return _Outcome.RACE
    return _Outcome.DOMAIN if domain else _Outcome.OTHER


def backoff(attempt: int) -> float:
    """Full jitter: a random wait up to base * 2^attempt, capped."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))


def commit(
    event: AuditEvent,
    writes: Callable[[TransactWrite], None] | None = None,
    *,
    on_conflict: DomainError | None = None,
    chain: str | Partition | None = None,
    agency: str | None = None,
    attempts: int = ATTEMPTS,
    expect_seq: int | None = None,
    known_head: AuditEntry | _Unread | None = UNREAD,
) -> int:
    """Write the domain changes that `writes` adds to the transaction, and their audit entry.

    All or nothing. The entry goes to `chain`: a chain name, a `Partition` (`chain_for(...)`;
    the shard is picked by the event's target), or by default the partition of the action's
    capability and `agency`. A lost race for the chain head is retried after a jittered,
    exponentially growing wait (at most `attempts` tries, then 409 `audit_busy`); a failed
    condition of the domain writes raises `on_conflict` (default: a generic 409); a value
    DynamoDB cannot store raises 422 `value_not_storable`. With `expect_seq`, the entry must
    be that number of its chain: no retry, 409 `audit_moved_on` otherwise. With `known_head`
    (the chain's head as the caller read it, None when absent: `head_key`), the first attempt
    saves the head's read; a stale one only loses the race, and the retry reads it afresh.
    Returns the entry's sequence number.
    """
    name = chain_of(event, chain, agency)
    if isinstance(known_head, AuditEntry) and known_head.chain != name:
        raise ValueError(f"the head of {known_head.chain} given for {name}")
    details_json = canonical(event.details)
    for attempt in range(1 if expect_seq is not None else attempts):
        current = head(name) if attempt or isinstance(known_head, _Unread) else known_head
        seq = (int(current.last_seq or 0) if current else 0) + 1
        if expect_seq is not None and seq != expect_seq:
            raise Conflict("audit_moved_on", f"entry {expect_seq} of {name} is taken")
        prev = (current.last_hash or GENESIS) if current else GENESIS
        at = clock.iso()
        digest = entry_hash(seq, at, event, prev, details_json)
        entry = AuditEntry(
            name,
            seq,
            at=at,
            actor=event.actor,
            action=event.action,
            target=event.target,
            details=details_json,
            prev_hash=prev,
            hash=digest,
        )
        tx = transaction()
        try:
            with tx:
                if writes is not None:
                    writes(tx)
                tx.save(entry, condition=AuditEntry.seq.does_not_exist())
                if current is None:
                    new_head = AuditEntry(
                        name, HEAD_SEQ, last_seq=seq, last_hash=digest, head_of=HEADS
                    )
                    tx.save(new_head, condition=AuditEntry.chain.does_not_exist())
                else:
                    tx.update(
                        current,
                        actions=[AuditEntry.last_seq.set(seq), AuditEntry.last_hash.set(digest)],
                        condition=AuditEntry.last_seq == current.last_seq,
                    )
            return seq
        except TransactWriteError as exc:
            outcome = _classify(exc, tx, name)
            if outcome == _Outcome.DOMAIN:
                raise on_conflict or Conflict("conflict", "the record changed meanwhile") from exc
            if outcome == _Outcome.INVALID:
                logger.warning("a value cannot be stored", extra={"action": event.action})
                raise Unprocessable(
                    "value_not_storable",
                    "a value of the request cannot be stored (e.g. a number too small or too "
                    "large, or a text too long)",
                ) from exc
            if outcome == _Outcome.OTHER:
                raise
            if expect_seq is not None:
                raise Conflict("audit_moved_on", f"entry {expect_seq} of {name} is taken") from exc
            if attempt + 1 < attempts:
                time.sleep(backoff(attempt))
    logger.warning("audit chain busy", extra={"chain": name, "attempts": attempts})
    raise Conflict("audit_busy", "too many concurrent changes; try again")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None
    chain: str | None = None
    #: hash of the last entry verified (the chain's head when intact)
    last_hash: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "chain": self.chain,
            "entries": self.entries,
            "first_broken_seq": self.first_broken_seq,
            "reason": self.reason,
        }


def entries(chain: str | None = None) -> Iterator[AuditEntry]:
    """The entries of one chain in order, or of every chain (chain by chain) when None."""
    for name in [chain] if chain is not None else chains():
        yield from AuditEntry.query(name, AuditEntry.seq > HEAD_SEQ, consistent_read=True)


def verify_entries(
    items: Iterator[AuditEntry], head: AuditEntry | None, chain: str | None = None
) -> ChainReport:
    """Recompute the chain; report the first entry whose link, order or hash is broken."""
    prev = GENESIS
    expected = 1
    count = 0
    for item in items:
        seq = int(item.seq)
        if seq != expected:
            return ChainReport(False, count, expected, f"entry {expected} is missing", chain)
        if item.prev_hash != prev:
            return ChainReport(
                False, count, seq, "prev_hash does not match the entry before", chain
            )
        event = AuditEvent(item.actor or "", item.action or "", item.target or "", {})
        digest = entry_hash(seq, item.at or "", event, prev, item.details or "")
        if digest != item.hash:
            return ChainReport(False, count, seq, "hash does not match the entry's contents", chain)
        prev = digest
        expected += 1
        count += 1
    if head is not None and int(head.last_seq or 0) > count:
        return ChainReport(
            False, count, count + 1, "entries after the last one were removed", chain
        )
    if head is not None and (int(head.last_seq or 0) != count or head.last_hash != prev):
        return ChainReport(False, count, count, "the head does not name the last entry", chain)
    if head is None and count:
        return ChainReport(False, count, 1, "the chain head is missing", chain)
    return ChainReport(True, count, chain=chain, last_hash=prev if count else None)


def verify_chain(chain: str | None = None) -> ChainReport:
    """One chain, or every chain when None (the first broken one is reported, entries summed)."""
    if chain is not None:
        return verify_entries(entries(chain), head(chain), chain)
    total = 0
    for name in chains():
        report = verify_chain(name)
        if not report.ok:
            return report
        total += report.entries
    return ChainReport(True, total)
