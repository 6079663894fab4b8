"""List prices the cost model multiplies by: ONE table, one region, one date.

AWS list prices for us-east-1 (N. Virginia), on-demand, without free tiers or volume tiers
beyond the first, as published by AWS and as of 2025-06 (DynamoDB's on-demand prices are
those after its 50 % cut of November 2024). Check them against the AWS pricing pages before
quoting a figure; a China-region column (aws-cn, CNY) is not filled in yet.

Not priced: data transfer, S3 storage and DynamoDB storage (per GB-month, not per check-in),
CloudWatch Logs ingestion, SNS deliveries beyond the publish request (an SMS is priced per
message and country), KMS.
"""

from __future__ import annotations

from typing import Final

REGION: Final = "us-east-1"
AS_OF: Final = "2025-06"

#: US dollars per ONE unit of each metered quantity.
PRICES: Final[dict[str, float]] = {
    # DynamoDB on-demand, Standard table class
    "dynamodb.write_unit": 0.625 / 1e6,
    "dynamodb.read_unit": 0.125 / 1e6,
    # S3 Standard requests: PUT, COPY, POST, LIST; GET, HEAD and the rest
    "s3.put_request": 0.005 / 1e3,
    "s3.get_request": 0.0004 / 1e3,
    # SNS: a publish request (up to 64 KB), deliveries not included
    "sns.publish": 0.50 / 1e6,
    # Lambda, x86_64 (template.yaml: Architectures [x86_64])
    "lambda.request": 0.20 / 1e6,
    "lambda.gb_second": 0.0000166667,
    # API Gateway REST API (AWS::Serverless::Api), first 333 million requests a month
    "apigateway.rest_request": 3.50 / 1e6,
    # Step Functions standard workflows, per state transition
    "states.transition": 0.025 / 1e3,
    # Secrets Manager, per API call
    "secretsmanager.request": 0.05 / 1e4,
    # Rekognition CompareFaces (Group 1 APIs, first million images a month), $1 per 1,000
    # images, one comparison per check-in: only beside the figures (not in the AWS regions
    # this backend runs in, where the face engine runs inside the face function)
    "rekognition.compare_faces": 1.00 / 1e3,
}

#: Which service each metered quantity belongs to, for the breakdown.
SERVICES: Final[dict[str, str]] = {key: key.split(".", 1)[0] for key in PRICES}


def price(quantity: str) -> float:
    """Dollars per unit of `quantity` (KeyError for a quantity the table does not price)."""
    return PRICES[quantity]
