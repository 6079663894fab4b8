"""Print the audit entries of one target (e.g. `face_search:fs-…`), oldest first: time, actor,
action, details. For the local stack's walk-through (any credentials: moto takes them).

    python scripts/audit_entries.py --endpoint-url URL --table AUDIT_TABLE TARGET
"""

from __future__ import annotations

import argparse
import os
import sys

import boto3
from boto3.dynamodb.conditions import Attr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("target")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    region = os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")
    table = boto3.resource("dynamodb", endpoint_url=args.endpoint_url, region_name=region).Table(
        args.table
    )
    scan: dict[str, object] = {"FilterExpression": Attr("target").eq(args.target)}
    items = []
    while True:
        page = table.scan(**scan)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    for item in sorted(items, key=lambda i: (str(i["at"]), str(i["chain"]), int(i["seq"]))):
        print(item["at"], item["actor"], item["action"], item["details"])
    return 0 if items else 1


if __name__ == "__main__":
    sys.exit(main())
