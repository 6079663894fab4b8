"""EventBridge schedule, daily: dispatch today's duty tasks of every agency with patrol areas.

A re-delivered event dispatches nothing twice: a day is stored once per agency, and a day left
half-written by a failure is finished from its stored rota document.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.duty.days import scheduled_dispatch

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    days = scheduled_dispatch()
    logger.info("duty days dispatched", extra={"days": days})
    return {"days": days}
