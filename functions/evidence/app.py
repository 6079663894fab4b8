"""Evidence function: photos posted under evidence/ (inspection results, hazard reports).

Each photo is checked (a complete JPEG, PNG or WebP within the limits), fingerprinted and listed
on its record, or refused and deleted. A re-delivered event is recognised by Powertools
idempotency (bucket, key and sequencer) and, underneath, by the upload ticket being closed.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import evidence, uploads
from enforcement.dispatch import models as _dispatch_models  # noqa: F401 - registers "inspection"
from enforcement.duty import models as _duty_models  # noqa: F401 - registers "hazard"
from enforcement.idempotency import store

logger = Logger()
metrics = Metrics()
DELIVERY = IdempotencyConfig(event_key_jmespath="[bucket, key, sequencer]")


@idempotent_function(
    data_keyword_argument="delivery", persistence_store=store("evidence"), config=DELIVERY
)
def handle(delivery: dict) -> dict:
    return evidence.process(delivery["key"], delivery.get("version_id"))


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    DELIVERY.register_lambda_context(context)
    results = []
    for delivery in uploads.deliveries(event.records):
        result = handle(delivery=delivery)
        metrics.add_metric(f"Evidence_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("evidence photo processed", extra=result)
        results.append(result)
    return {"records": results}
