"""EventBridge schedule: start the draw of every agency with an enabled plan.

EventBridge starts this function rather than the state machine itself, so that the draw record
exists (and is audited) before its execution, and a re-delivered event starts nothing twice.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import clock
from enforcement.dispatch import draws

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    fired_at = str(event.get("time") or clock.iso())
    started = draws.scheduled_draws(fired_at)
    logger.info("scheduled draws", extra={"draws": started})
    return {"draws": started}
