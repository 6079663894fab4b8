"""The remote survey's tables under moto, in process, beside check-in's world (the agency, its
port as a jurisdiction, an officer there and one of another agency), and submitted
declarations written with the models as a submit leaves them."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from enforcement import clock
from enforcement.remote_survey import models as survey_models
from enforcement.remote_survey import retention
from enforcement.remote_survey.models import Declaration, DeclarationVersion, flight_key
from pynamodb.models import Model

from tests.unit.checkin_world import World

FORM_ID = "arrival_health_declaration"


def survey_tables() -> list[type[Model]]:
    return [
        value
        for value in vars(survey_models).values()
        if isinstance(value, type) and issubclass(value, Model) and value is not Model
    ]


@pytest.fixture
def survey(world: World) -> World:
    """The world with the remote survey's tables: its jurisdiction is the port. (A test module
    imports `world` from tests.unit.checkin_world beside this.)"""
    for model in survey_tables():
        model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    return world


def submitted(
    world: World,
    answers: dict[str, Any],
    *,
    owner: str = "acc-traveller",
    flight_number: str = "MU5101",
    arrival_date: str = "2026-12-01",
    versions: int = 1,
    computed: dict[str, Any] | None = None,
) -> Declaration:
    """A submitted declaration with `versions` versions (the same answers each), as the
    submit and corrections leave it: TTL on the declaration and on every version."""
    declaration_id = f"dc-{secrets.token_hex(8)}"
    now = clock.iso()
    ttl = retention.expires_at(now)
    for n in range(1, versions + 1):
        DeclarationVersion(
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
        ).save()
    declaration = Declaration(
        declaration_id,
        owner=owner,
        port=world.jurisdiction,
        agency=world.agency,
        flight_key=flight_key(world.jurisdiction, arrival_date, flight_number),
        flight_number=flight_number,
        arrival_date=arrival_date,
        form_id=FORM_ID,
        form_version=1,
        lang="en",
        status="submitted",
        version=versions,
        answers=answers,
        computed=computed,
        started_at=now,
        updated_at=now,
        submitted_at=now,
        document_number=answers.get("document_number"),
        traveller_name=answers.get("surname"),
        outcome="release",
        outcome_reasons=[],
        rule_version="test",
        review="received",
        expires_at=ttl,
    )
    declaration.save()
    return declaration
