"""Declarations written straight into the remote survey's tables, as a submit (and its
corrections) leave them: the declaration with its outcome and TTL, and each version. For tests
and benchmarks that need many travellers, or a state no route reaches quickly (scanned, an
outcome chosen). Not part of the layer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from enforcement import clock
from enforcement.remote_survey import retention
from enforcement.remote_survey.models import Declaration, DeclarationVersion, flight_key

FORM_ID = "arrival_health_declaration"


def write_declaration(
    port: str,
    agency: str,
    flight_number: str,
    arrival_date: str,
    *,
    owner: str,
    answers: dict[str, Any],
    computed: dict[str, Any] | None = None,
    lang: str = "ja",
    status: str = "submitted",
    versions: int = 1,
    outcome: str | None = "release",
    scanned_by: str | None = None,
    rule_version: str = "test",
    save: Callable[[Declaration | DeclarationVersion], None] | None = None,
) -> Declaration:
    """A declaration of the flight: `submitted` with `versions` versions (the same answers each,
    TTL on every one) and scanned by `scanned_by` when given; or a `draft` (no version, no TTL).
    Each item is put on its own, or handed to `save` (a batch writer's, for many)."""
    put = save or (lambda item: item.save())
    declaration_id = f"dc-{secrets.token_hex(8)}"
    now = clock.iso()
    submitted = status == "submitted"
    ttl = retention.expires_at(now) if submitted else None
    for n in range(1, versions + 1 if submitted else 1):
        version = DeclarationVersion(
            declaration_id,
            n,
            form_id=FORM_ID,
            form_version=1,
            answers=answers,
            computed=computed,
            submitted_at=now,
            submitted_by=owner,
            reason=None if n == 1 else "corrected",
            expires_at=ttl,
        )
        put(version)
    declaration = Declaration(
        declaration_id,
        owner=owner,
        port=port,
        agency=agency,
        flight_key=flight_key(port, arrival_date, flight_number),
        flight_number=flight_number,
        arrival_date=arrival_date,
        form_id=FORM_ID,
        form_version=1,
        lang=lang,
        status=status,
        version=versions if submitted else 0,
        answers=answers,
        computed=computed,
        started_at=now,
        updated_at=now,
        submitted_at=now if submitted else None,
        document_number=answers.get("document_number"),
        traveller_name=answers.get("surname"),
        outcome=outcome if submitted else None,
        outcome_reasons=[] if submitted else None,
        rule_version=rule_version if submitted else None,
        review="received" if submitted else None,
        scanned_at=now if scanned_by else None,
        scanned_by=scanned_by,
        expires_at=ttl,
    )
    put(declaration)
    return declaration
