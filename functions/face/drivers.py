"""Face function, driver handler (the same container image as app.py, its own function in
template.yaml: `ImageConfig.Command: ["drivers.lambda_handler"]`): photos uploaded under
ticketing/faces/ → a driver's reference face enrolled in the city's 1:N index, or a face
search's candidates stored (`enforcement.ticketing.face_uploads`).

A re-delivered event is recognised by the upload ticket alone, as in app.py: each decision
closes the ticket in its own transaction on condition that it is still pending.
"""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import db, uploads
from enforcement.config import settings
from enforcement.face import engine
from enforcement.face import index as face_index
from enforcement.ticketing.face_models import index_name
from enforcement.ticketing.face_uploads import process

logger = Logger()
metrics = Metrics()
# During the init phase, not on the first photo: dlib's models and the process's AWS clients.
engine.preload()
db.connection().client  # noqa: B018 (made on first access)
uploads.s3_client()
# The configured cities' 1:N indexes too (DRIVER_INDEX_PRELOAD_CITIES): with provisioned
# concurrency their download and read happen here, never on a search.
face_index.preload([index_name(city) for city in settings().driver_index_cities])


@logger.inject_lambda_context
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: LambdaContext) -> dict:
    results = []
    for delivery in uploads.deliveries(event.records):
        result = process(delivery["key"], delivery["version_id"])
        metrics.add_metric(f"DriverFace_{result.get('outcome', 'unknown')}", MetricUnit.Count, 1)
        logger.info("driver photo processed", extra=result)
        results.append(result)
    return {"records": results}
