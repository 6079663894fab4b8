"""AIS feed function: position files dropped under ais-feed/ update vessels' positions."""

from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.checkin import ais
from enforcement.uploads import s3_client

logger = Logger()
metrics = Metrics()
MAX_FILE_BYTES = 20 * 1024 * 1024


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for record in event.records:
        key = unquote_plus(record.s3.get_object.key)
        if record.s3.get_object.size > MAX_FILE_BYTES:
            logger.warning("AIS file too large, skipped", extra={"key": key})
            continue
        body = s3_client().get_object(Bucket=event.bucket_name, Key=key)["Body"].read()
        result = ais.ingest(body.decode("utf-8", errors="replace"), source=f"ais-feed:{key}")
        metrics.add_metric("AisPositionsStored", MetricUnit.Count, result.stored)
        results.append({"key": key, **result.as_dict()})
    return {"files": results}
