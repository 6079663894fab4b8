"""The cost model's arithmetic (benchmarks.capacity, benchmarks.costing): item sizes as
DynamoDB counts them, units as it bills them, and dollars from the one price table."""

from __future__ import annotations

import math

import pytest

from benchmarks import capacity, costing, latencies, prices
from benchmarks.metering import Usage


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({}, 0),
        ({"pk": {"S": "abc"}}, 2 + 3),
        ({"name": {"S": "长江"}}, 4 + 6),  # UTF-8 bytes, not characters
        ({"blob": {"B": b"\x00" * 512}}, 4 + 512),
        ({"n": {"N": "12345"}}, 1 + 4),  # 5 significant digits: 3 bytes, +1
        ({"n": {"N": "0.00100"}}, 1 + 2),  # zeros trimmed: one digit
        ({"ok": {"BOOL": True}}, 2 + 1),
        ({"l": {"L": [{"S": "ab"}, {"S": "c"}]}}, 1 + 3 + (2 + 1) + (1 + 1)),
        ({"m": {"M": {"k": {"S": "v"}}}}, 1 + 3 + (1 + 1 + 1)),
    ],
)
def test_item_size(item: dict, size: int) -> None:
    assert capacity.item_size(item) == size


@pytest.mark.parametrize(
    ("size", "consistent", "transactional", "units"),
    [
        (0, True, False, 1.0),  # nothing found: still one unit
        (0, False, False, 0.5),
        (4096, True, False, 1.0),
        (4097, True, False, 2.0),
        (4097, False, False, 1.0),
        (167_000, True, False, 41.0),
        (4097, True, True, 4.0),  # transactions: twice
        (100, False, True, 2.0),  # a transactional read is strongly consistent
    ],
)
def test_read_units(size: int, consistent: bool, transactional: bool, units: float) -> None:
    got = capacity.read_units(size, consistent=consistent, transactional=transactional)
    assert got == units


@pytest.mark.parametrize(
    ("before", "after", "transactional", "units"),
    [
        (0, 1, False, 1),
        (0, 1024, False, 1),
        (0, 1025, False, 2),
        (5000, 100, False, 5),  # the larger of before and after
        (3000, 0, False, 3),  # a delete is billed on the item deleted
        (0, 1025, True, 4),  # transactions: twice
        (167_000, 167_800, False, 164),
    ],
)
def test_write_units(before: int, after: int, transactional: bool, units: int) -> None:
    assert capacity.write_units(before, after, transactional=transactional) == units


def test_query_rounds_the_sum_not_each_item() -> None:
    assert capacity.query_read_units([1000] * 4, consistent=True) == 1.0
    assert capacity.query_read_units([1000] * 5, consistent=True) == 2.0
    assert capacity.query_read_units([], consistent=False) == 0.5


def test_lambda_gb_seconds_round_up_to_the_millisecond() -> None:
    assert costing.LambdaRun("f", 2048, 100.2).gb_seconds == pytest.approx(2 * 0.101)


def test_dollars_by_service_from_the_price_table() -> None:
    usage = Usage()
    usage.calls.update({"s3:GetObject": 1, "s3:HeadObject": 1, "sns:Publish": 1})
    usage.add_units("t", read=4.0, write=10.0)
    amounts = costing.quantities(
        usage,
        [costing.LambdaRun("f", 1024, 1000.0)],
        api_requests=2,
        s3_client_requests={"PostObject": 1},
    )
    assert amounts["s3.get_request"] == 2
    assert amounts["s3.put_request"] == 1
    by_service, unpriced = costing.dollars(amounts)
    assert unpriced == []
    p = prices.PRICES
    assert by_service["dynamodb"] == pytest.approx(
        4 * p["dynamodb.read_unit"] + 10 * p["dynamodb.write_unit"]
    )
    assert by_service["lambda"] == pytest.approx(p["lambda.request"] + 1.0 * p["lambda.gb_second"])
    assert by_service["apigateway"] == pytest.approx(2 * p["apigateway.rest_request"])


def test_an_unpriced_call_is_reported_not_dropped() -> None:
    usage = Usage()
    usage.calls.update({"kms:Decrypt": 3})
    _, unpriced = costing.dollars(costing.quantities(usage))
    assert unpriced == ["kms.Decrypt"]


@pytest.mark.parametrize(
    ("duration", "aws", "calls", "own", "modelled"),
    [
        # no AWS call: the whole duration is the handler's own
        (12.0, 0.0, (), 12.0, 12.0),
        # moto's 80 ms inside four calls replaced by the stated latencies (8 + 8 + 8 + 15)
        (
            92.0,
            80.0,
            (
                ("dynamodb:BatchGetItem", 1),
                ("dynamodb:Query", 2),
                ("dynamodb:TransactWriteItems", 1),
            ),
            12.0,
            12.0 + 8 + 2 * 8 + 15,
        ),
        # a call kind the table does not name counts at the default
        (30.0, 10.0, (("kms:Decrypt", 2),), 20.0, 20.0 + 2 * latencies.DEFAULT_MS),
        # timing noise never makes the own compute negative
        (10.0, 10.5, (("dynamodb:GetItem", 1),), 0.0, 5.0),
    ],
)
def test_a_modelled_duration_is_own_compute_plus_stated_latencies(
    duration: float,
    aws: float,
    calls: tuple[tuple[str, int], ...],
    own: float,
    modelled: float,
) -> None:
    run = costing.LambdaRun("f", 1024, duration, aws_ms=aws, calls=calls)
    assert run.own_ms == pytest.approx(own)
    assert run.modelled_ms == pytest.approx(modelled)
    assert run.modelled_gb_seconds == pytest.approx(math.ceil(modelled) / 1000)
    assert run.gb_seconds == pytest.approx(math.ceil(duration) / 1000)  # measured: unchanged


def test_the_latency_table_names_every_call_of_a_check_in() -> None:
    path = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:TransactWriteItems",
        "s3:GetObject",
        "sns:Publish",
    ]
    assert latencies.unlisted((call, 1) for call in path) == []
    assert latencies.unlisted([("kms:Decrypt", 1)]) == ["kms:Decrypt"]


def test_quantities_bill_the_measured_or_the_modelled_duration() -> None:
    run = costing.LambdaRun("f", 2048, 500.0, aws_ms=450.0, calls=(("s3:GetObject", 1),))
    measured = costing.quantities(Usage(), [run])
    modelled = costing.quantities(Usage(), [run], modelled=True)
    assert measured["lambda.gb_second"] == pytest.approx(2 * 0.5)
    assert modelled["lambda.gb_second"] == pytest.approx(2 * (50 + 30) / 1000)
    assert measured["lambda.request"] == modelled["lambda.request"] == 1


def test_a_usage_splits_its_calls_by_when_they_started() -> None:
    usage = Usage()
    usage.timed.extend(
        [("dynamodb:GetItem", 10.0, 0.004), ("s3:GetObject", 10.5, 0.02), ("sns:Publish", 12, 0.1)]
    )
    assert usage.aws_seconds == pytest.approx(0.124)
    assert [c for c, _, _ in usage.calls_between(10.0, 11.0)] == [
        "dynamodb:GetItem",
        "s3:GetObject",
    ]
