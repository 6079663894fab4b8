"""Scheduled jobs of crew check-in."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.checkin import reminders

logger = Logger()


@logger.inject_lambda_context
def certificate_reminder_handler(event: dict, context: LambdaContext) -> dict:
    result = reminders.remind_expiring_certificates()
    logger.info("certificate reminders", extra=result)
    return result
