"""The shared input types of enforcement.schemas and the bodies that use them."""

from __future__ import annotations

from typing import Any

import pytest
from enforcement.accounts_api import NewOfficer
from enforcement.checkin.crew_schemas import CertificateIn, CrewIn
from enforcement.checkin.schemas import PositionIn, VesselIn
from enforcement.duty.schemas import HazardIn, PatrolAreaIn
from enforcement.schemas import CalendarDay, GpsFixIn, Line, Paragraph
from pydantic import TypeAdapter, ValidationError

LINE = TypeAdapter(Line)
PARAGRAPH = TypeAdapter(Paragraph)
DAY = TypeAdapter(CalendarDay)


@pytest.mark.parametrize(
    "text",
    [
        "\u200b\u200b\u200b",  # zero-width spaces only
        "\u200d",  # zero-width joiner
        "\ufeff",  # byte order mark
        "李\u202e明",  # right-to-left override
        "\u2066李明\u2069",  # isolates
        "\u200f",  # right-to-left mark
        "\u3164\u3164",  # Hangul fillers: letters that draw nothing
        "\u2800",  # blank braille pattern
        "\u0301\u0301",  # combining marks on nothing
        "李\x00明",
        "李\x1b[31m明",
        "李\u2028明",  # line separator
        "李\n明",  # a name is one line
    ],
)
def test_names_of_invisible_control_or_bidi_characters_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        LINE.validate_python(text)


def test_human_text_is_nfc_and_ordinary_text_passes() -> None:
    assert LINE.validate_python("Jose\u0301") == "José"
    assert LINE.validate_python("李明") == "李明"
    assert LINE.validate_python("Zoë O'Brien-Smith") == "Zoë O'Brien-Smith"
    assert LINE.validate_python("") == ""  # an optional text left empty
    assert PARAGRAPH.validate_python("两车轻微剐蹭\n无人员受伤") == "两车轻微剐蹭\n无人员受伤"
    with pytest.raises(ValidationError):
        PARAGRAPH.validate_python("\n\u200b\n")


def test_crew_and_officer_names_use_the_human_text_rule() -> None:
    with pytest.raises(ValidationError):
        CrewIn.model_validate({"name": "\u200b\u200c", "id_number": "310101198001011234"})
    with pytest.raises(ValidationError):
        NewOfficer.model_validate(
            {
                "username": "sun01",
                "password": "a-long-password",
                "name": "\u202eadmin",
                "jurisdiction": "j",
            }
        )


@pytest.mark.parametrize("value", ["31", True, "31.5", None, [31]])
def test_coordinates_are_strict_json_numbers(value: Any) -> None:
    with pytest.raises(ValidationError):
        GpsFixIn.model_validate({"lat": value, "lon": 121.5, "accuracy_m": 5})
    with pytest.raises(ValidationError):
        PositionIn.model_validate({"lat": value, "lon": 121.5})


def test_integers_are_fine_as_numbers_but_strings_are_not_counts() -> None:
    fix = GpsFixIn.model_validate({"lat": 31, "lon": 121, "accuracy_m": 5})
    assert (fix.lat, fix.lon, fix.accuracy_m) == (31.0, 121.0, 5.0)
    with pytest.raises(ValidationError):
        HazardIn.model_validate(
            {
                "kind": "accident",
                "description": "追尾",
                "gps": {"lat": 31, "lon": 121, "accuracy_m": 5},
                "photos": "2",
            }
        )
    with pytest.raises(ValidationError):
        PatrolAreaIn.model_validate(
            {
                "name": "东区",
                "lat": 37.5,
                "lon": 121.3,
                "slots": [{"start": "07:00", "end": "09:00"}],
                "active": "yes",
            }
        )
    vessel = {
        "mmsi": "413000001",
        "name_zh": "长江之星",
        "home_port": "上海",
        "length_m": "96",
        "manning": [
            {"code": "master", "title": "船长", "certificate_type": "master", "min_grade": "B"}
        ],
    }
    with pytest.raises(ValidationError):
        VesselIn.model_validate(vessel)
    assert VesselIn.model_validate({**vessel, "length_m": 96}).length_m == 96.0


@pytest.mark.parametrize(
    "text", ["2026-02-30", "0000-00-00", "2026-13-01", "0001-01-01", "9999-12-31"]
)
def test_impossible_or_absurd_days_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        DAY.validate_python(text)


def test_real_days_pass() -> None:
    assert DAY.validate_python("2024-02-29") == "2024-02-29"


def test_a_certificate_cannot_be_issued_after_it_expires() -> None:
    base = {"number": "M-310001", "type": "master", "grade": "A"}
    with pytest.raises(ValidationError, match="issued after it expires"):
        CertificateIn.model_validate(
            {**base, "issued_on": "2027-01-02", "expires_on": "2027-01-01"}
        )
    with pytest.raises(ValidationError):
        CertificateIn.model_validate({**base, "expires_on": "0001-01-01"})
    ok = CertificateIn.model_validate(
        {**base, "issued_on": "2022-01-01", "expires_on": "2027-01-01"}
    )
    assert ok.issued_on is not None
