"""Check-in's tables under moto, in process, and the people and vessels the aggregate tests
start from: made with pynamodb's `create_table` from the models themselves, so the service
functions run as they do in a Lambda (audit, transactions, notifications), without a stack."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from enforcement import audit, clock, config, db, jurisdictions, models, notify
from enforcement.auth import Principal, Role
from enforcement.checkin import models as checkin_models
from enforcement.checkin import vessels
from enforcement.checkin.models import (
    CertificateAttribute,
    Check,
    CrewMember,
    Posting,
    RemoteTask,
)
from enforcement.checkin.schemas import VesselIn
from moto import mock_aws
from pynamodb.models import Model

REGION = "cn-north-1"
SHIP = {"lat": 31.3901, "lon": 121.5012}


def manning_table() -> list[dict[str, Any]]:
    return [
        {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"},
        {
            "code": "able",
            "title": "值班水手",
            "certificate_type": "rating_deck",
            "min_grade": "D",
            "count": 2,
        },
    ]


@dataclass
class World:
    """One agency, one jurisdiction of it, an officer and an admin there, and another agency."""

    agency: str
    jurisdiction: str
    officer: Principal
    other_agency_officer: Principal

    def vessel(self, mmsi: str | None = None) -> str:
        mmsi = mmsi or f"4{secrets.randbelow(10**8):08d}"
        body = VesselIn.model_validate(
            {
                "mmsi": mmsi,
                "name_zh": f"测试{mmsi[-4:]}",
                "home_port": "上海",
                "length_m": 80.0,
                "manning": manning_table(),
            }
        )
        return str(vessels.create_vessel(self.officer, body)["vessel_id"])

    def crew(
        self, name: str, certificate: tuple[str, str] | None = None, expires_in_days: int = 365
    ) -> tuple[str, Principal]:
        """A crew record of the jurisdiction with one certificate (type, grade), and the
        principal of the mini-program account linked to it."""
        crew_id = f"crew-{secrets.token_hex(6)}"
        account_id = f"acc-{secrets.token_hex(6)}"
        certificates = []
        if certificate is not None:
            expires = (clock.now() + timedelta(days=expires_in_days)).date().isoformat()
            certificates.append(
                CertificateAttribute(
                    number=f"C-{secrets.token_hex(4)}",
                    type=certificate[0],
                    grade=certificate[1],
                    expires_on=expires,
                    status="valid",
                )
            )
        CrewMember(
            crew_id,
            name=name,
            id_number="310101199001011234",
            jurisdiction=self.jurisdiction,
            certificates=certificates,
            face_status="enrolled",
            credit_points=0,
            created_at=clock.iso(),
            account_id=account_id,
        ).save()
        models.Account(account_id, role="crew", crew_id=crew_id, created_at=clock.iso()).save()
        return crew_id, Principal(account_id, Role.CREW, crew_id=crew_id)

    def post(self, vessel_id: str, crew_id: str, post: str, status: str = "appointed") -> None:
        since = clock.iso(clock.now() - timedelta(days=30))
        Posting(
            vessel_id, f"{post}#{crew_id}", crew_id=crew_id, post=post, status=status, since=since
        ).save()

    def remote_task(self, vessel_id: str, *, closes_in: timedelta = timedelta(hours=1)) -> str:
        """A running remote check-in task of the vessel, closing `closes_in` from now."""
        task_id = f"task-{secrets.token_hex(8)}"
        now = clock.now()
        RemoteTask(
            task_id,
            vessel_id=vessel_id,
            jurisdiction=self.jurisdiction,
            created_by=self.officer.account_id,
            created_at=clock.iso(now),
            window_seconds=7200,
            deadline=clock.iso(now + closes_in),
            status="running",
        ).save()
        return task_id

    def decided_check(
        self,
        vessel_id: str,
        crew_id: str,
        post: str,
        *,
        verified: bool = True,
        at: datetime | None = None,
        task_id: str | None = None,
    ) -> str:
        """A duty check decided at `at` (now by default), as the face function leaves it."""
        at = at or clock.now()
        check_id = f"chk-{secrets.token_hex(8)}"
        Check(
            check_id,
            purpose="duty",
            mode="remote" if task_id else "self",
            vessel_id=vessel_id,
            jurisdiction=self.jurisdiction,
            post=post,
            crew_id=crew_id,
            account_id="acc",
            task_id=task_id,
            status="verified" if verified else "failed",
            reasons=[] if verified else ["location:outside_geofence"],
            created_at=clock.iso(at - timedelta(seconds=30)),
            decided_at=clock.iso(at),
        ).save()
        return check_id


def tables() -> list[type[Model]]:
    found: dict[str, type[Model]] = {}
    for value in [*vars(models).values(), *vars(checkin_models).values(), audit.AuditEntry]:
        if isinstance(value, type) and issubclass(value, Model) and value is not Model:
            found.setdefault(value.Meta.table_name, value)
    return list(found.values())


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in list(os.environ):
        if (
            name.startswith("AWS_ENDPOINT_URL")
            or name.endswith("_TABLE")
            or name.endswith("_STATE_MACHINE_ARN")
            or name == "NOTIFICATIONS_TOPIC_ARN"
        ):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    config.settings.cache_clear()
    notify._sns.cache_clear()
    db._connection.cache_clear()
    suffix = secrets.token_hex(4)
    agency, jurisdiction = f"msa-{suffix}", f"unit-{suffix}"
    with mock_aws():
        for model in tables():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        jurisdictions.register("admin:seed", agency, jurisdiction)
        jurisdictions.register("admin:seed", f"other-{suffix}", f"far-{suffix}")
        yield World(
            agency,
            jurisdiction,
            Principal("officer-1", Role.OFFICER, agency=agency, jurisdiction=jurisdiction),
            Principal(
                "officer-2", Role.OFFICER, agency=f"other-{suffix}", jurisdiction=f"far-{suffix}"
            ),
        )
    config.settings.cache_clear()
    db._connection.cache_clear()
