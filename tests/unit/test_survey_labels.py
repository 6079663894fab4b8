"""A declaration's answers labelled in a reader's language, on the example arrival form."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from enforcement.forms import FormDefinition, LanguageNotInForm, publish
from enforcement.remote_survey.labels import health_summary, labelled

FORM = Path("layers/common/enforcement/remote_survey/forms/arrival_health_declaration.json")
ANSWERS = {
    "surname": "ERIKSSON",
    "sex": "F",
    "countries_visited": ["JPN", "KOR"],
    "symptoms": ["fever", "dry_cough"],
    "temperature": "38.2",
    "contact_confirmed": "no",
}
COMPUTED = {"has_fever": "yes", "has_symptoms": "yes"}


@cache
def arrival() -> FormDefinition:
    return publish(json.loads(FORM.read_text(encoding="utf-8")))


def sheet_label(list_name: str, name: str, lang: str) -> str:
    rows = json.loads(FORM.read_text(encoding="utf-8"))["choices"]
    row = next(r for r in rows if r["list_name"] == list_name and r["name"] == name)
    column = next(k for k in row if k.startswith("label::") and k.endswith(f"({lang})"))
    return str(row[column])


@pytest.mark.parametrize("lang", ["zh", "ja", "ar", "en"])
def test_select_answers_translate_themselves(lang: str) -> None:
    shown = {a.name: a for a in labelled(arrival(), ANSWERS, COMPUTED, lang)}
    assert shown["sex"].value == "F"
    assert shown["sex"].value_label == sheet_label("sex", "F", lang)
    assert shown["countries_visited"].value_label == [
        sheet_label("countries", "JPN", lang),
        sheet_label("countries", "KOR", lang),
    ]
    assert shown["surname"].value_label is None  # text is shown as written
    assert shown["has_fever"].value == "yes"  # the backend's calculation is listed
    assert shown["temperature"].label == arrival().field("temperature").label[lang]
    assert list(shown) == [f.name for f in arrival().fields if f.name in shown]  # form order


def test_the_summary_names_symptoms_temperature_and_fever() -> None:
    summary = health_summary(arrival(), ANSWERS, COMPUTED, "zh")
    assert summary.symptoms == ["fever", "dry_cough"]
    assert summary.symptom_labels == [
        sheet_label("symptoms", "fever", "zh"),
        sheet_label("symptoms", "dry_cough", "zh"),
    ]
    assert (summary.temperature, summary.has_fever) == ("38.2", "yes")
    healthy = health_summary(arrival(), {"symptoms": ["none"]}, {"has_fever": "no"}, "en")
    assert (healthy.symptoms, healthy.symptom_labels, healthy.temperature) == ([], [], None)


def test_a_language_the_form_lacks_is_refused() -> None:
    with pytest.raises(LanguageNotInForm):
        labelled(arrival(), ANSWERS, COMPUTED, "sw")
