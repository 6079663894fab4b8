"""Face index compaction (the face engine's container image, its own function in template.yaml:
`ImageConfig.Command: ["compaction.lambda_handler"]`), once a night on a schedule: every 1:N
index of the upload bucket (`crew-<agency>`, `drivers-<city>`) has the enrolments written since
its base folded into a new base (`enforcement.face.index.compact_all`), so that a cold start
downloads one base instead of reading every enrolment one GET at a time. An index without new
enrolments keeps its base: nothing uploaded, nothing for warm readers to download again.

One run at a time (the schedule's; two concurrent compactions could drop each other's deltas):
the function's reserved concurrency is 1.
"""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from enforcement.face import index as face_index

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    manifests = face_index.compact_all()
    indexes = {name: {"base": m["base"], "count": m["count"]} for name, m in manifests.items()}
    logger.info("face indexes compacted", extra={"indexes": indexes})
    return {"indexes": indexes}
