"""Routes of traffic e-tickets (`functions/ticketing/app.py`), all under `/ticketing/`. Thin:
validate, authenticate, call the aggregate's module; each family of routes registers on this
`router` from a module of its own, imported at the bottom.

Admins of a city's agency: registry uploads. Officers of the city: plate and licence lookups.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()

from enforcement.ticketing import face_api  # noqa: E402, F401  (registers its routes)
