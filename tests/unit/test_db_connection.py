"""One botocore client per process for every pynamodb model (`enforcement.db`): pynamodb would
make one per model class, ~60 ms of CPU each at a cold start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
import pytest
from enforcement import audit, clients, db, models
from enforcement.checkin import models as checkin_models
from pynamodb.models import Model

from tests.unit import checkin_world
from tests.unit.checkin_world import World

world = checkin_world.world


@contextmanager
def clients_made() -> Iterator[list[tuple[str, str | None]]]:
    """Every botocore client created from now on: (service, endpoint)."""
    made: list[tuple[str, str | None]] = []
    original = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made.append((service_name, kwargs.get("endpoint_url")))
        return original(self, service_name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session.Session, "create_client", create_client)
        yield made


def table_models() -> list[type[Model]]:
    found = []
    for value in [*vars(models).values(), *vars(checkin_models).values(), audit.AuditEntry]:
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            found.append(value)
    return found


def test_every_model_uses_the_processs_one_client(world: World) -> None:
    every = table_models()
    assert len(every) >= 10
    clients.reset()
    with clients_made() as made:
        for model in every:
            model.exists()  # DescribeTable through the model's own connection
        with db.transaction() as tx:
            tx.save(models.Account("acc-one-client", role="crew", created_at="2026-01-01"))
        models.Account.get("acc-one-client")
    assert made == [("dynamodb", None)]
    assert {id(m._get_connection().connection.client) for m in every} == {
        id(db.connection().client)
    }


def test_a_changed_endpoint_gives_every_model_the_new_connection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    models.Account.exists()
    before = models.Account._get_connection().connection.client
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
    clients.reset()
    with clients_made() as made:
        moved = models.Account._get_connection().connection.client
        checkin_models.Vessel._get_connection()
        assert checkin_models.Vessel._get_connection().connection.client is moved
    assert moved is not before
    assert moved.meta.endpoint_url == "http://127.0.0.1:1"
    assert made == [("dynamodb", "http://127.0.0.1:1")]
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB")
    clients.reset()
    assert models.Account._get_connection().connection.client.meta.endpoint_url != (
        "http://127.0.0.1:1"
    )


def test_a_model_not_made_by_table_meta_keeps_its_own_connection(world: World) -> None:
    class Elsewhere(Model):
        class Meta:
            table_name = "elsewhere"
            region = "cn-north-1"

    assert Elsewhere._get_connection().connection is not db.connection()
    assert not hasattr(Elsewhere._get_connection().connection, "shared")
