"""The crew health report as a form of the form engine, and the one health model both health
forms use (`enforcement.health`)."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from enforcement import forms, health
from enforcement.checkin import health_form
from enforcement.checkin.schemas import HealthIn
from enforcement.remote_survey import forms as survey_forms
from pydantic import ValidationError


def test_the_compiled_definition_is_the_xlsform_compiled_now() -> None:
    """The function loads the compiled file: it must be what the XLSForm compiles to today."""
    assert health_form.COMPILED.read_bytes() == health_form.compile_source()


def test_the_api_accepts_exactly_the_forms_symptoms() -> None:
    symptom = HealthIn.model_fields["symptoms"].annotation
    (inner,) = typing.get_args(symptom)
    assert typing.get_args(inner) == health_form.symptom_codes()
    assert "none" in health_form.symptom_codes()
    with pytest.raises(ValidationError):
        HealthIn.model_validate({"vessel_id": "412345678", "symptoms": ["sneezing"]})


@pytest.mark.parametrize(
    ("answers", "lang", "expected"),
    [
        ({"symptoms": ["none"], "temperature": 36.6}, "zh", []),
        ({"symptoms": ["none", "cough"]}, "en", [("symptoms", "constraint")]),
        ({"symptoms": ["cough"], "temperature": 46}, "en", [("temperature", "constraint")]),
        ({"symptoms": ["cough"], "temperature": 29.9}, "zh", [("temperature", "constraint")]),
        (
            {"symptoms": [], "note": "x" * 501},
            "en",
            [("symptoms", "required"), ("note", "constraint")],
        ),
        ({"symptoms": ["fever"], "note": "自昨日起" * 100}, None, []),
    ],
)
def test_the_form_decides_what_a_report_may_say(
    answers: dict[str, typing.Any], lang: str | None, expected: list[tuple[str, str]]
) -> None:
    result = health_form.check(answers, lang)
    assert [(p.field, p.code) for p in result.problems] == expected


def test_problems_come_in_the_reporters_language() -> None:
    zh = health_form.check({"symptoms": ["none", "fever"]}, None).problems[0].message
    en = health_form.check({"symptoms": ["none", "fever"]}, "en").problems[0].message
    assert "无" in zh
    assert "None" in en
    with pytest.raises(forms.LanguageNotInForm):
        health_form.check({"symptoms": ["none"]}, "fr")


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [(None, False), (37.2, False), (37.3, True), ("37.30", True), (37.29999, False), (41, True)],
)
def test_a_fever_is_at_or_above_the_threshold(temperature: typing.Any, fever: bool) -> None:
    assert health.is_fever(temperature, 37.3) is fever


def test_an_abnormal_answer_names_every_symptom_and_the_fever() -> None:
    assert health.assess(["none"], 36.6, 37.3) == []
    assert health.assess(["cough", "fatigue"], 37.5, 37.3) == [
        "symptom:cough",
        "symptom:fatigue",
        "temperature:37.5",
    ]


def test_both_health_forms_say_none_the_same_way() -> None:
    source = Path(survey_forms.__path__[0]) / "arrival_health_declaration.json"
    arrival = json.loads(source.read_text(encoding="utf-8"))
    arrival_symptoms = {c["name"] for c in arrival["choices"] if c["list_name"] == "symptoms"}
    assert health.NO_SYMPTOM in arrival_symptoms
    assert health.NO_SYMPTOM in health_form.symptom_codes()


def test_the_check_in_api_imports_neither_the_xlsform_compiler_nor_the_xpath_engine() -> None:
    """The check-in function reads the symptom list from the compiled form at import; the XPath
    engine (~0.5 s) waits for the first report and the XLSForm compiler (~1 s) never comes."""
    probe = (
        "import sys, enforcement.checkin.api as _; "
        "print(sorted(m for m in ('pyxform', 'elementpath', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
    report = "import sys; from enforcement.checkin import health_form; "
    report += "health_form.check({'symptoms': ['none']}, None); print('pyxform' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", report], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
