"""Remote survey API: health declaration forms (XLSForm, 12 languages), travellers'
declarations with checks before submit, officers' scans and reviews, flights' clearance."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.http import make_resolver
from enforcement.idempotency import CONFIG as IDEMPOTENCY
from enforcement.remote_survey.api import router
from enforcement.remote_survey.forms_api import PUBLISH, PUBLISH_LIMIT

logger = Logger()
metrics = Metrics()
app = make_resolver("Remote survey API")
app.include_router(router)
app.body_limits[PUBLISH] = PUBLISH_LIMIT


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    IDEMPOTENCY.register_lambda_context(context)
    return app.resolve(event, context)
