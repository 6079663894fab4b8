"""EventBridge schedule: commit every audit chain's head into one checkpoint document.

See `enforcement.audit_checkpoints`: the document goes to the audit bucket, its SHA-256 into
the chain `audit/checkpoints`, so a chain dropped or rolled back whole is detected by
`python -m enforcement.audit_cli`.
"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement import audit_checkpoints

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    written = audit_checkpoints.write_checkpoint()
    logger.info("audit checkpoint written", extra=written)
    return written
