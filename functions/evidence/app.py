"""Evidence function: photos posted under evidence/ (inspection results, hazard reports).

Each photo is checked (a complete JPEG, PNG or WebP within the limits), fingerprinted and listed
on its record, or refused and deleted. A re-delivered event is recognised by the upload ticket
alone: the decision closes it on condition that it is still pending, and a later delivery finds
it decided and only finishes what a stopped delivery may have left (`enforcement.evidence`). No
separate idempotency record is written.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import evidence, uploads
from enforcement.dispatch import models as _dispatch_models  # noqa: F401 - registers "inspection"
from enforcement.duty import models as _duty_models  # noqa: F401 - registers "hazard"

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for delivery in uploads.deliveries(event.records):
        result = evidence.process(delivery["key"], delivery["version_id"])
        metrics.add_metric(f"Evidence_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("evidence photo processed", extra=result)
        results.append(result)
    return {"records": results}
