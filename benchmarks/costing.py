"""Dollars per check-in from what it used: metered quantities x `benchmarks.prices`.

`quantities` turns a `metering.Usage` (AWS calls, DynamoDB units) plus what the meter cannot
see from inside the process (requests the client sends straight to API Gateway and to S3, the
Lambda invocations and their durations) into billed quantities; `dollars` prices them by
service. Reusable for any path: the caller says what it drove.

A Lambda run's duration comes two ways: *measured* on the local stack (moto's own work inside
every AWS call included), and *modelled*: the handler's own compute (measured duration minus
the time inside AWS calls) plus the latency `benchmarks.latencies` states for each call made.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from benchmarks import latencies, prices
from benchmarks.metering import Usage

__all__ = ["LambdaRun", "dollars", "quantities", "s3_request_class"]

#: S3 operations billed in the PUT class; every other request is in the GET class.
S3_PUT_CLASS = frozenset(
    {
        "PutObject",
        "CopyObject",
        "PostObject",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
        "ListBuckets",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
    }
)


@dataclass(frozen=True)
class LambdaRun:
    """One invocation: its function, configured memory and measured duration; of that, the
    time inside AWS calls and the calls made ((kind, count) pairs), when metered."""

    function: str
    memory_mb: int
    duration_ms: float
    aws_ms: float = 0.0
    calls: tuple[tuple[str, int], ...] = ()

    @property
    def own_ms(self) -> float:
        """The handler's own compute: the measured duration minus the time inside AWS calls."""
        return max(0.0, self.duration_ms - self.aws_ms)

    @property
    def modelled_ms(self) -> float:
        """The duration on AWS as modelled: own compute plus each call's stated latency."""
        return self.own_ms + latencies.total_ms(self.calls)

    @property
    def gb_seconds(self) -> float:
        """As Lambda bills the measured duration: memory in GB x duration rounded up to the
        millisecond."""
        return _gb_seconds(self.memory_mb, self.duration_ms)

    @property
    def modelled_gb_seconds(self) -> float:
        """As Lambda would bill the modelled duration."""
        return _gb_seconds(self.memory_mb, self.modelled_ms)


def _gb_seconds(memory_mb: int, duration_ms: float) -> float:
    return memory_mb / 1024 * math.ceil(duration_ms) / 1000


def s3_request_class(operation: str) -> str:
    return "s3.put_request" if operation in S3_PUT_CLASS else "s3.get_request"


def quantities(
    usage: Usage,
    runs: Iterable[LambdaRun] = (),
    *,
    api_requests: int = 0,
    s3_client_requests: Mapping[str, int] | None = None,
    modelled: bool = False,
) -> dict[str, float]:
    """Billed quantities (keys of `prices.PRICES`). `s3_client_requests`: requests a client
    sends to S3 itself (a presigned POST upload: {"PostObject": 1}), which no botocore
    client in the backend makes. Lambda GB-seconds of the measured durations, or of the
    modelled ones when `modelled`."""
    out: dict[str, float] = {
        "dynamodb.read_unit": usage.read_units,
        "dynamodb.write_unit": usage.write_units,
    }

    def add(key: str, n: float) -> None:
        out[key] = out.get(key, 0) + n

    for name, n in usage.calls.items():
        service, operation = name.split(":", 1)
        if service == "s3":
            add(s3_request_class(operation), n)
        elif service == "sns" and operation in ("Publish", "PublishBatch"):
            add("sns.publish", n)  # a batch of up to ten is one request per 64 KB
        elif service == "secretsmanager":
            add("secretsmanager.request", n)
        elif service == "dynamodb":
            continue  # billed by units
        else:
            add(f"{service}.{operation}", n)  # unpriced: shown, flagged by `dollars`
    for operation, n in (s3_client_requests or {}).items():
        add(s3_request_class(operation), n)
    for run in runs:
        add("lambda.request", 1)
        add("lambda.gb_second", run.modelled_gb_seconds if modelled else run.gb_seconds)
    add("apigateway.rest_request", api_requests)
    return out


def dollars(amounts: Mapping[str, float]) -> tuple[dict[str, float], list[str]]:
    """Dollars by service for the quantities, and the quantities the price table lacks."""
    by_service: dict[str, float] = {}
    unpriced = []
    for key, amount in amounts.items():
        if key not in prices.PRICES:
            unpriced.append(key)
            continue
        service = prices.SERVICES[key]
        by_service[service] = by_service.get(service, 0.0) + amount * prices.price(key)
    return by_service, unpriced
