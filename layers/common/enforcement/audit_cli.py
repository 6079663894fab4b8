"""`python -m enforcement.audit_cli`: verify every audit chain and every checkpoint.

Each chain is recomputed entry by entry; then each checkpoint document in the audit bucket is
read and checked against its hash in the log, against the checkpoint before it, and the latest
one against the chains as they are now (a chain dropped whole, or rolled back to an earlier
entry, is named). Prints a JSON report naming every problem found.

Uses the same environment as the functions (AUDIT_TABLE, AUDIT_BUCKET, AWS_ENDPOINT_URL for the
local stack). Exit status 0 when everything verifies, 1 when anything is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", help="audit table name (default: $AUDIT_TABLE)")
    parser.add_argument("--bucket", help="audit bucket name (default: $AUDIT_BUCKET)")
    parser.add_argument("--endpoint-url", help="AWS endpoint (the local stack's moto)")
    parser.add_argument("--chain", help="verify this one chain only (no checkpoints)")
    parser.add_argument(
        "--no-checkpoints", action="store_true", help="verify the chains only, not checkpoints"
    )
    args = parser.parse_args(argv)
    if args.table:
        os.environ["AUDIT_TABLE"] = args.table
    if args.bucket:
        os.environ["AUDIT_BUCKET"] = args.bucket
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
        # a local emulator takes any credentials; AWS itself needs real ones from the environment
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    from enforcement import audit, audit_checkpoints
    from enforcement.config import settings

    settings.cache_clear()  # the options above may name another bucket
    if args.chain:
        chain = audit.verify_chain(args.chain)
        print(json.dumps(chain.as_dict(), indent=2, ensure_ascii=False))
        return 0 if chain.ok else 1
    report = audit_checkpoints.verify_all(checkpoints=not args.no_checkpoints)
    print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
