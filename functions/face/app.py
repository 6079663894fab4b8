"""Face function (container image): photos uploaded under uploads/ → templates and decisions.

Enrolment photos become face templates; link, check-in and application photos are decided by
the three checks. A re-delivered event (the same one again, or a new delivery of the same object)
is recognised by the upload ticket alone: each decision closes the ticket in its own transaction,
on condition that it is still pending, so a later delivery finds it decided and changes nothing
(`enforcement.upload_versions`). No separate idempotency record is written.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import db, notify, uploads
from enforcement.checkin.decisions import process_upload
from enforcement.face import engine

logger = Logger()
metrics = Metrics()
# During the init phase, not on the first photo: load dlib's models (those the configured engine
# uses), and make the process's AWS clients (a botocore client costs ~60 ms of CPU to make).
engine.preload()
db.connection().client  # noqa: B018 (made on first access)
uploads.s3_client()
notify._sns()


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for delivery in uploads.deliveries(event.records):
        result = process_upload(delivery["key"], delivery["version_id"])
        metrics.add_metric(f"Photo_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("photo processed", extra={k: v for k, v in result.items() if k != "reasons"})
        results.append(result)
    return {"records": results}
