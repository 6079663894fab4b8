"""The steps of a draw (`dispatch.steps`) against moto's DynamoDB and S3 in this process,
metered (`benchmarks.metering`): each step reads the draw once (with its audit chain's head
when the state machine hands it the agency), answers from what it read and wrote, writes the
inbox notes in a batch, and a retried step writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from enforcement import audit
from enforcement.dispatch import catalogue, draws, inspectors, steps
from enforcement.dispatch.models import Draw
from enforcement.dispatch.schemas import DrawIn, InspectorIn
from enforcement.models import Notification

from benchmarks.metering import AwsMeter
from tests.unit.test_dispatch_services import (  # noqa: F401 - fixtures
    ADMIN,
    AGENCY,
    _clients_of_this_module,
    aws,
    model_body,
    officer,
    state_machine,
    target_body,
)

HIGH = {c: 1 for c in ("C02.01", "C02.02", "C03.01", "C04.01", "C05.01", "C10.01")} | {
    f"C0{k}.0{j}": 1 for k in (2, 3, 4, 5) for j in (1, 2, 3, 4)
}
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


@pytest.fixture
def requested(state_machine: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """A requested draw of six very high risk ships (all drawn) and four inspectors."""
    monkeypatch.setenv(Notification.Meta.table_env, "unit-notifications")
    Notification.create_table(billing_mode="PAY_PER_REQUEST")
    catalogue.put_model(ADMIN, "ship", model_body())
    for n in range(6):
        catalogue.put_target(
            ADMIN,
            f"ship-{n}",
            target_body(**HIGH).model_copy(update={"company_id": f"co-{n}"}),
        )
    for name in ("zhang", "li", "wang", "zhao"):
        inspectors.put_inspector(
            ADMIN, officer(name).account_id, InspectorIn(qualifications=["ship"], on_duty=True)
        )
    draw_id: str = draws.request_draw(ADMIN, DrawIn(model_id="ship", reveal_wait_seconds=0))[
        "draw_id"
    ]
    return draw_id


def metered(step: Any, *args: Any) -> tuple[dict[str, Any], Any]:
    meter = AwsMeter()
    with meter.measure() as usage:
        result = step(*args)
    return result, usage


def chain_intact(draw_id: str) -> bool:
    chain = steps._chain(draw_id, AGENCY)
    return audit.verify_entries(audit.entries(chain), audit.head(chain), chain).ok


def test_each_step_reads_the_draw_once_and_answers_without_reading_it_again(
    requested: str,
) -> None:
    draw_id = requested
    frozen, usage = metered(steps.freeze, draw_id)
    assert (frozen["status"], frozen["agency"], frozen["targets"]) == ("committed", AGENCY, 6)
    # the draw; the chain's head with the model's head; the model version it names
    assert usage.calls["dynamodb:GetItem"] == 2
    assert usage.calls["dynamodb:BatchGetItem"] == 1
    assert usage.calls["dynamodb:TransactWriteItems"] == 1

    agency = frozen["agency"]  # what the state machine hands the later steps
    for step, status in ((steps.reveal, "revealed"), (steps.select, "drawn")):
        result, usage = metered(step, draw_id, agency)
        assert (result["status"], result["agency"]) == (status, AGENCY)
        assert usage.calls["dynamodb:BatchGetItem"] == 1  # the draw and the chain's head
        assert "dynamodb:GetItem" not in usage.calls
        assert usage.calls["dynamodb:TransactWriteItems"] == 1

    published, usage = metered(steps.publish, draw_id, agency)
    assert (published["status"], published["notified"]) == ("published", 4)
    assert "dynamodb:GetItem" not in usage.calls
    assert "dynamodb:PutItem" not in usage.calls  # the four notes: one BatchWriteItem
    assert usage.calls["dynamodb:BatchWriteItem"] == 1
    assert usage.calls["dynamodb:TransactWriteItems"] == 1
    assert Draw.get(draw_id).status == "published"
    assert len(list(Notification.query("off-zhang"))) == 1
    assert chain_intact(draw_id)


def test_a_retried_step_writes_nothing_with_or_without_the_agency(requested: str) -> None:
    draw_id = requested
    for step in (steps.freeze, steps.reveal, steps.select, steps.publish):
        step(draw_id, AGENCY)
    entries = len(list(audit.entries(steps._chain(draw_id, AGENCY))))
    for step in (steps.freeze, steps.reveal, steps.select, steps.publish):
        for agency in (AGENCY, None, "another-agency"):
            result, usage = metered(step, draw_id, agency)
            assert result == {"draw_id": draw_id, "agency": AGENCY, "status": "published"}
            assert not [op for op in usage.calls if op.split(":")[1] in WRITES]
    assert len(list(audit.entries(steps._chain(draw_id, AGENCY)))) == entries
    assert chain_intact(draw_id)


def test_a_step_handed_another_agency_reads_the_head_afresh(requested: str) -> None:
    """The agency only says which head to read along; the draw's own decides the chain."""
    draw_id = requested
    steps.freeze(draw_id)
    result, usage = metered(steps.reveal, draw_id, "another-agency")
    assert result["status"] == "revealed"
    assert usage.calls["dynamodb:GetItem"] == 1  # the right chain's head, read by the commit
    assert chain_intact(draw_id)
