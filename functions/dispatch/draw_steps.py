"""Draw steps, invoked by the Draw state machine (freeze, reveal, select, publish, fail)."""

from typing import Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.dispatch import steps
from pydantic import BaseModel, Field

logger = Logger()


class DrawStep(BaseModel):
    action: Literal["freeze", "reveal", "select", "publish", "fail"]
    draw_id: str = Field(pattern=r"^draw-[0-9a-f]{16}$")
    #: the draw's agency, as the freeze answered it: the step reads the draw and its audit
    #: chain's head together (absent: the draw alone, then the head)
    agency: str | None = Field(default=None, max_length=128)
    error: str | None = None


STEPS = {
    "freeze": steps.freeze,
    "reveal": steps.reveal,
    "select": steps.select,
    "publish": steps.publish,
}


@logger.inject_lambda_context
@event_parser(model=DrawStep)
def lambda_handler(event: DrawStep, context: LambdaContext) -> dict:
    if event.action == "fail":
        result = steps.fail(event.draw_id, event.error or "a step failed")
    else:
        result = STEPS[event.action](event.draw_id, event.agency)
    logger.info("draw step", extra={"action": event.action, **result})
    return result
