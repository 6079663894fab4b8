"""A flight's declarations for officers of the port (numbers masked, drafts left out) and the
exports of a flight and of a day, with the models and the bucket under moto."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

import boto3
import pytest
from enforcement import audit, forms
from enforcement.config import settings
from enforcement.errors import Forbidden, NotFound, Unprocessable
from enforcement.remote_survey import declaration_lists
from enforcement.remote_survey.models import Declaration, Flight, port_day
from openpyxl import load_workbook

from tests.unit.checkin_world import World, world  # noqa: F401 - fixture
from tests.unit.survey_world import submitted, survey  # noqa: F401 - fixture

DAY = "2026-12-01"


@pytest.fixture(scope="module")
def form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


@pytest.fixture
def day(survey: World) -> World:  # noqa: F811
    """Two flights of the port's day, two submitted declarations on one, one on the other, a
    draft, and a declaration of the same flight number at another port."""
    boto3.client("s3", region_name=settings().region).create_bucket(
        Bucket=settings().upload_bucket,
        CreateBucketConfiguration={"LocationConstraint": settings().region},
    )
    for number in ("MU5101", "CA930"):
        Flight(
            port_day(survey.jurisdiction, DAY),
            number,
            port=survey.jurisdiction,
            agency=survey.agency,
            arrival_date=DAY,
            origin="JPN",
            scheduled_on_block="2026-12-01T02:00:00Z",
        ).save()
    answers = {"surname": "=cmd|' /C calc'!A0", "document_number": "E12345678", "sex": "F"}
    submitted(survey, answers, flight_number="MU5101")
    submitted(survey, {**answers, "surname": "LI", "document_number": "G7654321"})
    submitted(survey, {**answers, "surname": "WANG"}, flight_number="CA930")
    draft = submitted(survey, {"surname": "DRAFT"})
    draft.update(actions=[Declaration.status.set("draft")])
    return survey


def test_a_flights_declarations_are_listed_masked(day: World) -> None:
    listed = declaration_lists.flight_declarations(day.officer, day.jurisdiction, DAY, "mu5101")
    assert sorted(d["traveller_name"] for d in listed) == ["=cmd|' /C calc'!A0", "LI"]
    assert sorted(d["document_number_masked"] for d in listed) == ["******21", "******678"]


def test_only_the_ports_officers_list(day: World) -> None:
    with pytest.raises(NotFound):
        declaration_lists.flight_declarations(
            day.other_agency_officer, day.jurisdiction, DAY, "MU5101"
        )


def read_csv(key: str) -> list[list[str]]:
    s3 = boto3.client("s3", region_name=settings().region)
    body = s3.get_object(Bucket=settings().upload_bucket, Key=key)["Body"].read()
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_flight_export_in_chinese(day: World, form: forms.FormDefinition) -> None:
    done = declaration_lists.export_declarations(
        day.officer, day.jurisdiction, DAY, "MU5101", "csv", "zh",
        full_numbers=False, definition_of=lambda *_: form,
    )  # fmt: skip
    assert done.rows == 2
    assert done.key.startswith(f"survey/exports/{day.jurisdiction}/{DAY}/")
    assert done.url.startswith("http")
    header, *rows = read_csv(done.key)
    assert "姓" in header
    assert "性别" in header
    surnames = sorted(row[header.index("姓")] for row in rows)
    assert surnames == ["'=cmd|' /C calc'!A0", "LI"]
    assert {row[header.index("性别")] for row in rows} == {"女"}
    assert {row[header.index("证件号码")] for row in rows} == {"******678", "******21"}
    [entry] = [e for e in audit.entries() if e.action == "declaration.export"]
    assert '"full_numbers":false' in entry.details
    assert '"rows":2' in entry.details


def test_a_days_export_as_xlsx_with_whole_numbers(day: World, form: forms.FormDefinition) -> None:
    done = declaration_lists.export_declarations(
        day.officer, day.jurisdiction, DAY, None, "xlsx", "en",
        full_numbers=True, definition_of=lambda *_: form,
    )  # fmt: skip
    assert (done.rows, done.flights) == (3, 2)
    s3 = boto3.client("s3", region_name=settings().region)
    body = s3.get_object(Bucket=settings().upload_bucket, Key=done.key)["Body"].read()
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    header, *rows = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    numbers = sorted(row[header.index("Document number")] for row in rows)
    assert numbers == ["E12345678", "E12345678", "G7654321"]


def test_an_export_refuses_a_language_the_form_lacks(
    day: World, form: forms.FormDefinition
) -> None:
    with pytest.raises(Unprocessable) as refused:
        declaration_lists.export_declarations(
            day.officer, day.jurisdiction, DAY, "MU5101", "csv", "tlh",
            full_numbers=False, definition_of=lambda *_: form,
        )  # fmt: skip
    assert refused.value.code == "language_not_in_form"


def test_an_export_of_another_port_is_refused(day: World, form: forms.FormDefinition) -> None:
    with pytest.raises((Forbidden, NotFound)):
        declaration_lists.export_declarations(
            day.other_agency_officer, day.jurisdiction, DAY, None, "csv", "en",
            full_numbers=True, definition_of=lambda *_: form,
        )  # fmt: skip


def test_an_xlsx_too_large_is_refused_before_it_is_built(
    day: World, form: forms.FormDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(declaration_lists, "XLSX_MAX_ROWS", 2)
    with pytest.raises(Unprocessable) as refused:
        declaration_lists.export_declarations(
            day.officer, day.jurisdiction, DAY, None, "xlsx", "en",
            full_numbers=False, definition_of=lambda *_: form,
        )  # fmt: skip
    assert refused.value.code == "export_too_large"
    done = declaration_lists.export_declarations(
        day.officer, day.jurisdiction, DAY, None, "csv", "en",
        full_numbers=False, definition_of=lambda *_: form,
    )  # fmt: skip
    assert done.rows == 3


def test_an_xlsx_too_large_is_refused_without_reading_the_rest_of_the_day(
    day: World, form: forms.FormDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first flight (CA930, one declaration) already passes a cap of 0: the day's other
    flight is not read."""
    monkeypatch.setattr(declaration_lists, "XLSX_MAX_ROWS", 0)
    read: list[str] = []
    original = declaration_lists.submitted_of

    def counted(key: str, limit: int | None = None) -> Any:
        read.append(key)
        return original(key, limit)

    monkeypatch.setattr(declaration_lists, "submitted_of", counted)
    with pytest.raises(Unprocessable) as refused:
        declaration_lists.export_declarations(
            day.officer, day.jurisdiction, DAY, None, "xlsx", "en",
            full_numbers=False, definition_of=lambda *_: form,
        )  # fmt: skip
    assert refused.value.code == "export_too_large"
    assert len(read) == 1, read
