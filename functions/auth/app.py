"""Auth API function: officer and mini-program login, session refresh, officer accounts, and the
notifications inbox of every capability."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.accounts_api import router
from enforcement.http import make_resolver
from enforcement.notifications_api import router as notifications_router

logger = Logger()
metrics = Metrics()
app = make_resolver("Auth API")
app.include_router(router)
app.include_router(notifications_router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
