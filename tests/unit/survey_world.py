"""The remote survey's tables under moto, in process, beside check-in's world (the agency, its
port as a jurisdiction, an officer there and one of another agency), and submitted
declarations written with the models as a submit leaves them."""

from __future__ import annotations

from typing import Any

import pytest
from enforcement.remote_survey import models as survey_models
from enforcement.remote_survey.models import Declaration
from pynamodb.models import Model

from tests.survey_records import write_declaration
from tests.unit.checkin_world import World


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
    return write_declaration(
        world.jurisdiction,
        world.agency,
        flight_number,
        arrival_date,
        owner=owner,
        answers=answers,
        computed=computed,
        lang="en",
        versions=versions,
    )
