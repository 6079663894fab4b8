"""How long an AWS call takes from inside a Lambda function in the same region: the cost model's
stated assumption, ONE table beside the price table (`benchmarks.prices`).

The local stack answers AWS calls from moto in the same process, so a measured duration holds
moto's own work (often tens of milliseconds a call, and the meter's reads). The cost model's
*modelled* Lambda duration is instead the handler's own compute (measured: the duration minus
the time inside AWS calls) plus, for each call it made, the latency below.

Figures are typical round trips seen by a warm client in the same region (connection reused,
SDK work included), in milliseconds, rounded up; they are assumptions to check against X-Ray or
CloudWatch on a deployed stack, not measurements. Sources:
- DynamoDB: AWS re:Post Knowledge Center, "How can I troubleshoot high latency on an Amazon
  DynamoDB table?" (https://repost.aws/knowledge-center/dynamodb-high-latency): GetItem and
  PutItem average single-digit milliseconds service-side; Query, Scan, BatchGetItem and
  BatchWriteItem depend on the result size. Transactions: no published figure; assumed about
  twice a single write (they prepare and commit every item).
- S3: AWS whitepaper "Best Practices Design Patterns: Optimizing Amazon S3 Performance",
  section "Timeouts and Retries for Latency-Sensitive Applications"
  (https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/):
  small requests (under 512 KB) see median latencies in the tens of milliseconds.
- SNS Publish, Secrets Manager, Step Functions: no published figure; assumed like a small S3
  request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

#: Milliseconds per call, by "service:Operation" (the meter's names).
CALL_MS: Final[dict[str, float]] = {
    "dynamodb:GetItem": 5.0,
    "dynamodb:PutItem": 7.0,
    "dynamodb:UpdateItem": 7.0,
    "dynamodb:DeleteItem": 7.0,
    "dynamodb:BatchGetItem": 8.0,
    "dynamodb:Query": 8.0,
    "dynamodb:BatchWriteItem": 12.0,
    "dynamodb:TransactGetItems": 10.0,
    "dynamodb:TransactWriteItems": 15.0,
    "s3:GetObject": 30.0,
    "s3:HeadObject": 15.0,
    "s3:PutObject": 40.0,
    "s3:CopyObject": 40.0,
    "s3:DeleteObject": 20.0,
    "sns:Publish": 20.0,
    "secretsmanager:GetSecretValue": 20.0,
    "states:StartExecution": 30.0,
    "states:SendTaskSuccess": 30.0,
}
#: A call kind the table does not name (printed as such by the cost suite).
DEFAULT_MS: Final = 20.0


def call_ms(call: str) -> float:
    """The assumed latency of one call of `call` ("service:Operation")."""
    return CALL_MS.get(call, DEFAULT_MS)


def total_ms(calls: Iterable[tuple[str, int]]) -> float:
    """The assumed time inside `calls` ((kind, count) pairs), made one after another."""
    return sum(call_ms(call) * count for call, count in calls)


def unlisted(calls: Iterable[tuple[str, int]]) -> list[str]:
    """The call kinds of `calls` the table has no figure for."""
    return sorted({call for call, _ in calls if call not in CALL_MS})
