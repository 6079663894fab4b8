"""Fixtures and helpers of the duty unit tests: the duty tables in moto's in-process DynamoDB
and S3, a fixed clock, and the people of a traffic agency."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from enforcement import audit, clock, jurisdictions
from enforcement.auth import Principal, Role
from enforcement.duty import areas
from enforcement.duty.models import DutyDay, DutyTask, HazardReport, PatrolArea
from enforcement.duty.schemas import PatrolAreaIn
from enforcement.models import Jurisdiction, Notification, Upload
from enforcement.officers import InspectorProfile
from moto import mock_aws

#: 10:00 on Monday 23 November 2026 in the agency's time (+08:00).
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = "2026-11-23"
AGENCY = "yantai-traffic"
OTHER_AGENCY = "weihai-traffic"
ZHIFU = "j-zhifu"
LAISHAN = "j-laishan"
CROSSING = (37.5395, 121.3520)
BUCKET = "unit-uploads"
TABLES = {
    "DUTY_AREAS_TABLE": PatrolArea,
    "DUTY_DAYS_TABLE": DutyDay,
    "DUTY_TASKS_TABLE": DutyTask,
    "HAZARD_REPORTS_TABLE": HazardReport,
    "DISPATCH_INSPECTORS_TABLE": InspectorProfile,
    "NOTIFICATIONS_TABLE": Notification,
    "UPLOADS_TABLE": Upload,
    "JURISDICTIONS_TABLE": Jurisdiction,
    "AUDIT_TABLE": audit.AuditEntry,
}


@dataclass
class Clock:
    """The service's clock, set by the test."""

    at: datetime

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock(NOW)
    monkeypatch.setattr(clock, "now", lambda: held.at)
    return held


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch, moment: Clock) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in (
            "DYNAMODB_ENDPOINT",
            "NOTIFICATIONS_TOPIC_ARN",
        ):
            monkeypatch.delenv(name)
    for name, value in {
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "UPLOAD_BUCKET": BUCKET,
    }.items():
        monkeypatch.setenv(name, value)
    for env in TABLES:
        monkeypatch.setenv(env, f"unit-{env.lower()}")
    monkeypatch.setattr(jurisdictions, "_owners", {})  # owners cached by an earlier test
    with mock_aws():
        for model in TABLES.values():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        boto3.client("s3", region_name="cn-north-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        for agency, jurisdiction in ((AGENCY, ZHIFU), (AGENCY, LAISHAN), (OTHER_AGENCY, "j-wh")):
            jurisdictions.register("system:test", agency, jurisdiction)
        yield


def admin(agency: str = AGENCY, jurisdiction: str = ZHIFU) -> Principal:
    return Principal(f"off-cmd-{agency}", Role.ADMIN, agency, jurisdiction)


def officer(name: str, jurisdiction: str = ZHIFU, agency: str = AGENCY) -> Principal:
    return Principal(f"off-{name}", Role.OFFICER, agency, jurisdiction)


def on_duty(
    name: str,
    qualifications: tuple[str, ...] = ("patrol",),
    *,
    jurisdiction: str = ZHIFU,
    duty: bool = True,
) -> Principal:
    """An officer with a duty profile (on duty unless told otherwise)."""
    person = officer(name, jurisdiction)
    InspectorProfile(
        person.account_id,
        agency=AGENCY,
        jurisdiction=jurisdiction,
        qualifications=list(qualifications),
        on_duty=duty,
        updated_at=clock.iso(),
    ).save()
    return person


def area(
    area_id: str,
    slots: list[dict[str, Any]],
    *,
    qualification: str | None = "patrol",
    at: tuple[float, float] = CROSSING,
    radius_m: float = 500,
) -> dict[str, Any]:
    body = PatrolAreaIn.model_validate(
        {
            "name": f"路口 {area_id}",
            "lat": at[0],
            "lon": at[1],
            "radius_m": radius_m,
            "qualification": qualification,
            "slots": slots,
        }
    )
    return areas.put_area(admin(), area_id, body)
