"""Routes of the remote survey (`functions/remote_survey/app.py`). Thin: validate,
authenticate, call the aggregate's module.

Admins: publish a form version. Travellers (mini-program accounts, kiosk sessions): their
declarations. Officers of the port: scans, reviews, a flight's declarations, the day's board.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()

from enforcement.remote_survey import declarations_api, forms_api  # noqa: E402, F401, I001
from enforcement.remote_survey import flights_api  # noqa: E402, F401
from enforcement.remote_survey import clearance_api  # noqa: E402, F401
from enforcement.remote_survey import reviews_api  # noqa: E402, F401
