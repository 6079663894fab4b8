"""EventBridge schedule, every 5 minutes: the ports' flights of the day whose clearance p90 so
far is past the target alert the port, once per flight, even when nobody is released
(`enforcement.remote_survey.late_flights`)."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.remote_survey import late_flights

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"alerted": late_flights.sweep()}
