"""Face function (container image): photos uploaded under uploads/ → templates and decisions.

Enrolment photos become face templates; link, check-in and application photos are decided by
the three checks. A re-delivered event is recognised by Powertools idempotency (bucket, key and
sequencer) and, underneath, by the upload ticket already being closed.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import uploads
from enforcement.checkin.decisions import process_upload
from enforcement.face import engine
from enforcement.idempotency import store

logger = Logger()
metrics = Metrics()
DELIVERY = IdempotencyConfig(event_key_jmespath="[bucket, key, sequencer]")
# load dlib's models during the init phase, not on the first photo
engine.preload()


@idempotent_function(
    data_keyword_argument="delivery", persistence_store=store("s3"), config=DELIVERY
)
def handle(delivery: dict) -> dict:
    return process_upload(delivery["key"], delivery.get("version_id"))


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    DELIVERY.register_lambda_context(context)
    results = []
    for delivery in uploads.deliveries(event.records):
        result = handle(delivery=delivery)
        metrics.add_metric(f"Photo_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("photo processed", extra={k: v for k, v in result.items() if k != "reasons"})
        results.append(result)
    return {"records": results}
