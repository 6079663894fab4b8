"""Traffic e-tickets API: the city registries' uploads, plate and licence lookups at the
roadside."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.http import make_resolver
from enforcement.idempotency import CONFIG as IDEMPOTENCY
from enforcement.ticketing.api import router

logger = Logger()
metrics = Metrics()
app = make_resolver("Traffic e-tickets API")
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    IDEMPOTENCY.register_lambda_context(context)
    return app.resolve(event, context)
