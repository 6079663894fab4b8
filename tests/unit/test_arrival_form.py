"""The example arrival health declaration through the form engine: it publishes, renders in
Japanese (left to right, Japanese labels) and Arabic (right to left), and a traveller's answers,
the personal data filled in from the passport's MRZ, pass the submit check, while a symptom list
that says "none" and "fever" at once fails its constraint with the form's Japanese message."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from typing import Any

import pytest
from enforcement import forms
from enforcement.identity import parse_mrz
from enforcement.remote_survey.autofill import answers_from_mrz

TODAY = date(2026, 12, 1)
PASSPORT = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
KANA = re.compile(r"[\u3040-\u30ff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


def labels(questions: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for question in questions:
        if question.get("label"):
            found.append(str(question["label"]))
        found.extend(labels(question.get("children") or []))
    return found


def answers(form: forms.FormDefinition) -> dict[str, Any]:
    countries = {
        choice.name for choice in form.choice_lists[str(form.field("nationality").choices)]
    }
    filled = answers_from_mrz(parse_mrz(PASSPORT, today=TODAY), countries)
    return {
        **filled,
        "flight_number": "MU5102",
        "seat_number": "32A",
        "countries_visited": ["JPN"],
        "contact_confirmed": "no",
        "contact_symptomatic": "no",
        "symptoms": ["none"],
        "temperature": "36.6",
        "medicine_taken": "no",
        "address": "上海市浦东新区世纪大道100号",
        "phone": "+8613800138000",
        "declaration": "yes",
    }


def test_the_form_renders_in_japanese_and_in_arabic_right_to_left(
    form: forms.FormDefinition,
) -> None:
    assert len(form.language_codes) == 12
    japanese, arabic = forms.render(form, "ja"), forms.render(form, "ar")
    assert japanese["direction"] == "ltr"
    assert arabic["direction"] == "rtl"
    ja_labels, ar_labels = labels(japanese["questions"]), labels(arabic["questions"])
    assert ja_labels
    assert all(KANA.search(text) or text[0] >= "\u4e00" for text in ja_labels)
    assert sum(bool(ARABIC.search(text)) for text in ar_labels) == len(ar_labels)


def test_mrz_answers_and_a_healthy_traveller_pass_the_check(form: forms.FormDefinition) -> None:
    result = forms.check(form, answers(form), "ja", today=TODAY)
    assert result.ok, result.problems
    assert result.answers["surname"] == "ERIKSSON"
    assert result.answers["has_symptoms"] == "no"
    assert result.answers["has_fever"] == "no"


def test_none_with_a_symptom_fails_and_the_fever_is_computed_by_the_backend(
    form: forms.FormDefinition,
) -> None:
    sent = {**answers(form), "symptoms": ["none", "fever"], "temperature": "38.2"}
    sent["has_fever"] = "no"  # a client's own calculation is never taken
    result = forms.check(form, sent, "ja", today=TODAY)
    [problem] = result.problems
    assert (problem.field, problem.code) == ("symptoms", "constraint")
    assert KANA.search(problem.message) or problem.message[0] >= "\u4e00"
    assert result.answers["has_fever"] == "yes"
