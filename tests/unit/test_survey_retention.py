"""Retention of declarations: when one expires, and keeping one (and all its versions)
beyond it in the transaction of the change that decides it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from enforcement import config, db
from enforcement.remote_survey import retention
from enforcement.remote_survey.models import Declaration, DeclarationVersion
from pynamodb.exceptions import TransactWriteError

from tests.unit.checkin_world import (
    World,
    world,  # noqa: F401 - fixture
)
from tests.unit.survey_world import submitted, survey  # noqa: F401 - fixture


def test_a_declaration_expires_the_retention_period_after_its_submit() -> None:
    at = datetime(2026, 12, 1, 8, 30, 15, 250_000, tzinfo=UTC)
    assert retention.expires_at(at) == datetime(2026, 12, 31, 8, 30, 15, tzinfo=UTC)
    assert retention.expires_at("2026-12-01T08:30:15.250Z") == retention.expires_at(at)
    assert retention.expires_at(at, days=1) == datetime(2026, 12, 2, 8, 30, 15, tzinfo=UTC)


def test_the_retention_period_is_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECLARATION_RETENTION_DAYS", "7")
    config.settings.cache_clear()
    try:
        at = datetime(2026, 12, 1, tzinfo=UTC)
        assert retention.expires_at(at) == at + timedelta(days=7)
    finally:
        monkeypatch.delenv("DECLARATION_RETENTION_DAYS")
        config.settings.cache_clear()


def test_a_time_without_its_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        retention.expires_at(datetime(2026, 12, 1, 8, 0))


def test_expired_is_past_the_ttl() -> None:
    item = DeclarationVersion("dc-1", 1, expires_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert retention.expired(item, datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC))
    assert not retention.expired(item, datetime(2026, 11, 30, tzinfo=UTC))
    assert not retention.expired(DeclarationVersion("dc-1", 1), datetime(2030, 1, 1, tzinfo=UTC))


def test_keep_removes_the_ttl_of_the_declaration_and_every_version(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"}, versions=3)
    assert Declaration.get(declaration.declaration_id).expires_at is not None
    with db.transaction() as tx:
        retention.keep(tx, declaration, actions=[Declaration.review.set("referred")])
    kept = Declaration.get(declaration.declaration_id)
    assert kept.expires_at is None
    assert kept.review == "referred"  # the caller's change, in the same update
    versions = list(DeclarationVersion.query(declaration.declaration_id))
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.expires_at for v in versions] == [None, None, None]
    # again: nothing left to remove, nothing fails
    with db.transaction() as tx:
        retention.keep(tx, kept)
    assert Declaration.get(declaration.declaration_id).expires_at is None


def test_keep_fails_when_a_correction_came_in_between(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"}, versions=1)
    stale = Declaration.get(declaration.declaration_id)
    declaration.update(actions=[Declaration.version.set(2)])
    with pytest.raises(TransactWriteError), db.transaction() as tx:
        retention.keep(tx, stale)
    assert Declaration.get(declaration.declaration_id).expires_at is not None


def test_keep_joins_the_callers_condition(survey: World) -> None:  # noqa: F811
    declaration = submitted(survey, {"surname": "LI"})
    with pytest.raises(TransactWriteError), db.transaction() as tx:
        retention.keep(tx, declaration, condition=Declaration.review == "approved")
    assert Declaration.get(declaration.declaration_id).expires_at is not None
