"""Docs function: the OpenAPI document of every route (/openapi.json) and Swagger UI (/swagger).

It includes the routers of every API function, so the document cannot drift from the routes.
"""

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.accounts_api import router as auth_router
from enforcement.checkin.api import router as checkin_router
from enforcement.dispatch.api import router as dispatch_router
from enforcement.duty.api import router as duty_router
from enforcement.http import make_resolver
from enforcement.notifications_api import router as notifications_router
from enforcement.remote_survey.api import router as remote_survey_router
from enforcement.ticketing.api import router as ticketing_router

app = make_resolver(
    "Field enforcement API",
    "Crew check-in, remote survey, e-tickets and random dispatch for mini-programs and consoles.",
)
app.include_router(auth_router)
app.include_router(notifications_router)
app.include_router(checkin_router)
app.include_router(dispatch_router)
app.include_router(duty_router)
app.include_router(remote_survey_router)
app.include_router(ticketing_router)
app.enable_swagger(path="/swagger", title="Field enforcement API")


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, app.get_openapi_json_schema())


def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
