"""Remote check task steps, invoked by the RemoteCheckTask state machine."""

from typing import Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.checkin import tasks
from pydantic import BaseModel, Field

logger = Logger()


class TaskStep(BaseModel):
    action: Literal["notify", "evaluate", "close"]
    task_id: str = Field(pattern=r"^task-[0-9a-f]{16}$")


STEPS = {"notify": tasks.notify_crew, "evaluate": tasks.evaluate, "close": tasks.close}


@logger.inject_lambda_context
@event_parser(model=TaskStep)
def lambda_handler(event: TaskStep, context: LambdaContext) -> dict:
    result = STEPS[event.action](event.task_id)
    logger.info("task step", extra={"action": event.action, "task_id": event.task_id, **result})
    return result
