"""The registry of jurisdictions: which agency owns each one.

A record of check-in (vessel, crew member, check, task, health report) names only its
jurisdiction; the agency it belongs to is the jurisdiction's owner here. An agency's officers and
admins reach a record only through this registry (`enforcement.access`), so an account of one
agency can never act in another agency's jurisdiction, whatever jurisdiction string it carries.

Only the deployment's seed writes the registry: `python -m enforcement.jurisdictions register
AGENCY JURISDICTION...` (or `accounts.create_officer` run by the seed, which registers the
jurisdiction of an agency's first account). A jurisdiction, once owned, stays with its agency:
no API route registers one, and an admin never claims one.

    python -m enforcement.jurisdictions register msa shanghai-wusongkou ningbo-beilun
    python -m enforcement.jurisdictions list
    python -m enforcement.jurisdictions admin msa shanghai-wusongkou admin --name 管理员

(`admin` creates an agency's first admin account; the password is read from
`$ENFORCEMENT_ADMIN_PASSWORD` or asked for.) The table name and endpoint come from the same
environment as the functions (`JURISDICTIONS_TABLE`, `--endpoint-url` for the local stack).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import threading
import time

from enforcement import audit, clock
from enforcement.errors import BadRequest, Conflict
from enforcement.models import Jurisdiction

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
#: How long a process trusts an owner it has read. Ownership never changes through the API; a
#: registry edited by hand reaches every warm function within this time.
OWNER_TTL_SECONDS = 300.0

_owners: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def owner(jurisdiction: str | None) -> str | None:
    """The agency that owns `jurisdiction`, or None when no agency does (or it is empty)."""
    if not jurisdiction:
        return None
    now = time.monotonic()
    with _lock:
        cached = _owners.get(jurisdiction)
    if cached is not None and now - cached[1] < OWNER_TTL_SECONDS:
        return cached[0]
    try:
        item = Jurisdiction.get(jurisdiction, consistent_read=True)
    except Jurisdiction.DoesNotExist:
        return None  # never cached: a jurisdiction registered later is seen at once
    with _lock:
        _owners[jurisdiction] = (item.agency, now)
    return item.agency


def register(actor: str, agency: str, jurisdiction: str) -> Jurisdiction:
    """Register `jurisdiction` as owned by `agency` (audited). Registering it again for the same
    agency changes nothing; a jurisdiction owned by another agency is refused (409)."""
    if not NAME.match(jurisdiction):
        raise BadRequest("invalid_jurisdiction", "jurisdictions are 1-64 of a-z 0-9 _ . -")
    if not agency:
        raise BadRequest("invalid_agency", "name the agency that owns the jurisdiction")
    current = owner(jurisdiction)
    if current == agency:
        return Jurisdiction.get(jurisdiction, consistent_read=True)
    if current is not None:
        raise Conflict(
            "jurisdiction_owned", f"jurisdiction {jurisdiction} belongs to another agency"
        )
    item = Jurisdiction(jurisdiction, agency=agency, registered_at=clock.iso(), registered_by=actor)
    try:
        audit.commit(
            audit.AuditEvent(
                actor, "jurisdiction.register", f"jurisdiction:{jurisdiction}", {"agency": agency}
            ),
            lambda tx: tx.save(item, condition=Jurisdiction.jurisdiction.does_not_exist()),
            on_conflict=Conflict("jurisdiction_owned", f"jurisdiction {jurisdiction} is owned"),
            agency=agency,
        )
    except Conflict:
        if owner(jurisdiction) != agency:  # registered meanwhile, by someone else
            raise
        return Jurisdiction.get(jurisdiction, consistent_read=True)
    return item


def registered() -> list[Jurisdiction]:
    """Every registered jurisdiction (a small table: one item per bureau or district)."""
    return sorted(Jurisdiction.scan(), key=lambda j: j.jurisdiction)


# ------------------------------------------------------------------ the seed's command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m enforcement.jurisdictions", description=__doc__
    )
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (the local stack's moto)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("register", help="register jurisdictions to an agency")
    add.add_argument("agency")
    add.add_argument("jurisdiction", nargs="+")
    commands.add_parser("list", help="every jurisdiction and its agency")
    first = commands.add_parser("admin", help="create an agency's first admin account")
    first.add_argument("agency")
    first.add_argument("jurisdiction")
    first.add_argument("username")
    first.add_argument("--name", default="")
    args = parser.parse_args(argv)
    if args.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    actor = f"system:seed:{getpass.getuser()}"
    if args.command == "register":
        for name in args.jurisdiction:
            item = register(actor, args.agency, name)
            print(f"{item.jurisdiction}\t{item.agency}")
    elif args.command == "list":
        for item in registered():
            print(f"{item.jurisdiction}\t{item.agency}\t{item.registered_at}")
    else:
        from enforcement import accounts
        from enforcement.auth import Role

        register(actor, args.agency, args.jurisdiction)
        password = os.environ.get("ENFORCEMENT_ADMIN_PASSWORD") or getpass.getpass("password: ")
        account = accounts.create_officer(
            actor,
            username=args.username,
            password=password,
            name=args.name or args.username,
            role=Role.ADMIN,
            agency=args.agency,
            jurisdiction=args.jurisdiction,
        )
        print(json.dumps(accounts.public(account), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
