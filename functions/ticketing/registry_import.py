"""Registry import function: a city's registry CSV (vehicles, drivers, violations) posted under
ticketing/registries/<city>/<registry>/ is imported row by row: good rows kept (only those that
differ from the record written), bad rows reported on the upload ticket with their line and
reason (`enforcement.ticketing.registry_import`). A re-delivered event is recognised by the
ticket: decided once, on one object version."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import uploads
from enforcement.ticketing import registry_import

logger = Logger()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for delivery in uploads.deliveries(event.records):
        result = registry_import.process(delivery["key"], delivery["version_id"])
        metrics.add_metric(f"Registry_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("registry file processed", extra=result)
        results.append(result)
    return {"records": results}
