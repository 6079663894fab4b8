"""`python -m enforcement.audit_cli`: verify the audit chain and report the first broken link.

Uses the same environment as the functions (AUDIT_TABLE, AWS_ENDPOINT_URL for the local stack).
Exit status 0 when the chain is intact, 1 when it is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", help="audit table name (default: $AUDIT_TABLE)")
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (the local stack's moto)")
    parser.add_argument("--chain", default="main")
    args = parser.parse_args(argv)
    if args.table:
        os.environ["AUDIT_TABLE"] = args.table
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
        # a local emulator takes any credentials; AWS itself needs real ones from the environment
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    from enforcement.audit import verify_chain

    report = verify_chain(args.chain)
    print(json.dumps(report.as_dict(), indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
