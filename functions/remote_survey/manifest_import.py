"""Manifest import function: a flight's manifest CSV posted under survey/manifests/<port>/
imports the flight and its passengers, or is refused whole with every bad line named on its
upload ticket (`enforcement.remote_survey.manifest_import`). A re-delivered event is recognised
by the ticket: decided once, on one object version."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import uploads
from enforcement.remote_survey import manifest_import

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for delivery in uploads.deliveries(event.records):
        result = manifest_import.process(delivery["key"], delivery["version_id"])
        metrics.add_metric(f"Manifest_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("manifest processed", extra=result)
        results.append(result)
    return {"records": results}
