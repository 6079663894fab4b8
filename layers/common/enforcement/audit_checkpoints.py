"""Checkpoints of the audit log: every chain's head in one digest, so no chain can vanish unseen.

A chain verifies on its own: a changed, removed or inserted entry breaks its hashes. What one
chain cannot show is that it was dropped whole, or cut back to an earlier entry with its head
rewritten to match. A *checkpoint* is therefore written on a schedule (the
`AuditCheckpointFunction`, hourly): one JSON document in the audit bucket,

    audit/checkpoints/<number, 10 digits>-<first 16 hex of its SHA-256>.json
    {"version": 1, "number": n, "at": "<ISO time>", "previous": "<SHA-256 of checkpoint n-1>",
     "chains": {"<chain>": {"seq": <last entry>, "hash": "<its hash>"}, ...}}

(canonical JSON: sorted keys, no spaces, UTF-8), whose SHA-256 is then entered as entry n of the
chain `audit/checkpoints` (action `audit.checkpoint`, details: key, sha256, previous). The
documents are chained to each other, their hashes are in the audit log, and the bucket keeps
versions under Object Lock.

`verify_all()` checks every chain, then every checkpoint: its document is there and unchanged,
follows the one before, no chain went back or disappeared from one checkpoint to the next, and
against the latest one every chain still has the entry it recorded, with the same hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import boto3

from enforcement import audit, clock
from enforcement.clients import per_process
from enforcement.config import settings

CHECKPOINT_CHAIN = "audit/checkpoints"
PREFIX = "audit/checkpoints/"
ACTOR = "system:audit-checkpoint"
VERSION = 1
_KEY = re.compile(r"^audit/checkpoints/(\d{10})-[0-9a-f]{16}\.json$")


@per_process
def _s3() -> Any:
    return boto3.client("s3", region_name=settings().region)


def canonical_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def heads() -> dict[str, dict[str, Any]]:
    """The head (last entry number and hash) of every chain but the checkpoints' own."""
    names = [name for name in audit.chains() if name != CHECKPOINT_CHAIN]
    found: dict[str, dict[str, Any]] = {}
    for item in audit.AuditEntry.batch_get(
        [(name, audit.HEAD_SEQ) for name in names], consistent_read=True
    ):
        found[item.chain] = {"seq": int(item.last_seq or 0), "hash": item.last_hash or ""}
    return dict(sorted(found.items()))


def _previous_digest(number: int) -> str:
    if number <= 1:
        return audit.GENESIS
    entry = audit.AuditEntry.get(CHECKPOINT_CHAIN, number - 1, consistent_read=True)
    return str(json.loads(entry.details or "{}")["sha256"])


def write_checkpoint() -> dict[str, Any]:
    """Write the next checkpoint: the document to S3, then its hash into the audit log.

    Two runs at once cannot both succeed: the entry must be number n of its chain
    (`expect_seq`), so the later one fails with 409 `audit_moved_on` and its document stays
    unreferenced (reported as such by `verify_all`)."""
    current = audit.head(CHECKPOINT_CHAIN)
    number = (int(current.last_seq or 0) if current else 0) + 1
    previous = _previous_digest(number)
    recorded = heads()
    document = {
        "version": VERSION,
        "number": number,
        "at": clock.iso(),
        "previous": previous,
        "chains": recorded,
    }
    body = canonical_bytes(document)
    sha256 = digest(body)
    key = f"{PREFIX}{number:010d}-{sha256[:16]}.json"
    stored = _s3().put_object(
        Bucket=settings().audit_bucket, Key=key, Body=body, ContentType="application/json"
    )
    details = {
        "key": key,
        "sha256": sha256,
        "previous": previous,
        "chains": len(recorded),
        "version_id": stored.get("VersionId"),
    }
    audit.commit(
        audit.AuditEvent(ACTOR, "audit.checkpoint", f"checkpoint:{number}", details),
        chain=CHECKPOINT_CHAIN,
        expect_seq=number,
    )
    return {"number": number, **details}


# ---------------------------------------------------------------------------------- verify


@dataclass
class AuditReport:
    """The verdict on the whole log: every chain, every checkpoint, and what is wrong."""

    chains: list[audit.ChainReport]
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)
    #: checkpoint documents no entry names (e.g. of a run that lost a race): harmless
    unreferenced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def entries(self) -> int:
        return sum(report.entries for report in self.chains)

    def summary(self) -> str:
        return (
            f"{len(self.chains)} chains, {self.entries} entries, {self.checkpoints} checkpoints"
            + (
                f"; {len(self.problems)} problems: {'; '.join(self.problems)}"
                if self.problems
                else ""
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "chains": len(self.chains),
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "problems": self.problems,
            "unreferenced_checkpoint_documents": self.unreferenced,
            "broken_chains": [r.as_dict() for r in self.chains if not r.ok],
        }


def verify_all(*, checkpoints: bool = True) -> AuditReport:
    """Verify every chain and (unless told not to) every checkpoint; name what is broken."""
    reports = [audit.verify_chain(name) for name in audit.chains()]
    report = AuditReport(reports)
    for broken in (r for r in reports if not r.ok):
        report.problems.append(
            f"chain {broken.chain}: {broken.reason} (entry {broken.first_broken_seq})"
        )
    if checkpoints:
        _verify_checkpoints(report, {r.chain: r for r in reports if r.chain})
    return report


def _stored_documents() -> dict[str, int]:
    """Checkpoint documents in the bucket: key -> number."""
    found: dict[str, int] = {}
    paginator = _s3().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings().audit_bucket, Prefix=PREFIX):
        for item in page.get("Contents", []):
            match = _KEY.match(item["Key"])
            if match:
                found[item["Key"]] = int(match.group(1))
    return found


def _read(key: str) -> bytes | None:
    try:
        return bytes(_s3().get_object(Bucket=settings().audit_bucket, Key=key)["Body"].read())
    except _s3().exceptions.NoSuchKey:
        return None


def _verify_checkpoints(report: AuditReport, chains: dict[str, audit.ChainReport]) -> None:
    problems = report.problems
    previous = audit.GENESIS
    recorded: dict[str, dict[str, Any]] = {}
    latest = 0
    referenced: set[str] = set()
    for entry in audit.entries(CHECKPOINT_CHAIN):
        number = int(entry.seq)
        named = json.loads(entry.details or "{}")
        key, sha256 = str(named.get("key")), str(named.get("sha256"))
        referenced.add(key)
        report.checkpoints += 1
        if named.get("previous") != previous:
            problems.append(f"checkpoint {number} does not follow checkpoint {number - 1}")
        previous = sha256
        body = _read(key)
        if body is None:
            problems.append(f"checkpoint {number}: its document {key} is missing")
            continue
        if digest(body) != sha256:
            problems.append(f"checkpoint {number}: its document {key} was changed")
            continue
        document = json.loads(body)
        heads_now: dict[str, dict[str, Any]] = document.get("chains") or {}
        for name, before in recorded.items():
            after = heads_now.get(name)
            if after is None:
                problems.append(
                    f"chain {name} is in checkpoint {latest} but missing from checkpoint {number}"
                )
            elif int(after["seq"]) < int(before["seq"]):
                problems.append(
                    f"chain {name} went back from entry {before['seq']} (checkpoint {latest}) "
                    f"to {after['seq']} (checkpoint {number})"
                )
        recorded, latest = heads_now, number
    for key, number in _stored_documents().items():
        if key in referenced:
            continue
        if number > report.checkpoints:
            problems.append(
                f"checkpoint document {key} is not in the checkpoint chain, which ends at "
                f"{report.checkpoints}: the chain was cut back"
            )
        else:
            report.unreferenced.append(key)
    for name, head in recorded.items():
        _against_latest(problems, chains.get(name), name, head, latest)


def _against_latest(
    problems: list[str],
    chain: audit.ChainReport | None,
    name: str,
    head: dict[str, Any],
    checkpoint: int,
) -> None:
    seq = int(head["seq"])
    if chain is None:
        problems.append(f"chain {name} is gone: checkpoint {checkpoint} recorded {seq} entries")
        return
    if chain.ok and chain.entries < seq:
        problems.append(
            f"chain {name} was rolled back: it has {chain.entries} entries, "
            f"checkpoint {checkpoint} recorded {seq}"
        )
        return
    try:
        entry = audit.AuditEntry.get(name, seq, consistent_read=True)
    except audit.AuditEntry.DoesNotExist:
        problems.append(f"chain {name}: entry {seq}, recorded by checkpoint {checkpoint}, is gone")
        return
    if entry.hash != head["hash"]:
        problems.append(
            f"chain {name}: entry {seq} is not the one checkpoint {checkpoint} recorded"
        )
