"""Step Functions: the one client, and starting an execution of a long-running flow.

Each flow's execution is named after its record (a remote task, a draw), so a retried start can
never run a flow twice: Step Functions answers `ExecutionAlreadyExists`, raised here as
`AlreadyStarted`.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from enforcement.clients import per_process
from enforcement.config import settings


class WorkflowError(RuntimeError):
    """The execution could not be started (service unreachable, no such state machine...)."""


class AlreadyStarted(WorkflowError):
    """An execution of this name exists already: the flow was started before."""


@per_process
def client() -> Any:
    """The process's Step Functions client, created on first use."""
    return boto3.client("stepfunctions", region_name=settings().region)


def start(state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Start `name`, an execution of the state machine with `payload` as input; its ARN."""
    try:
        execution = client().start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            raise AlreadyStarted(name) from exc
        raise WorkflowError(str(exc)) from exc
    except BotoCoreError as exc:
        raise WorkflowError(str(exc)) from exc
    return str(execution["executionArn"])
