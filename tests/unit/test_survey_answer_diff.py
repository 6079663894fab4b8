"""A declaration's answers labelled in a language of the example arrival form, and the diff
between two versions: changed, added and removed answers, select answers by their labels."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from enforcement import forms
from enforcement.remote_survey import answer_diff, labels


@pytest.fixture(scope="module")
def form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


BEFORE = {
    "surname": "ERIKSSON",
    "seat_number": "12A",
    "symptoms": ["none"],
    "countries_visited": ["JPN", "KOR"],
    "temperature": "36.6",
    "contact_confirmed": "no",
    "medicines": ["antipyretic"],
}
AFTER = {
    "surname": "ERIKSSON",
    "seat_number": "14C",
    "symptoms": ["fever", "dry_cough"],
    "countries_visited": ["KOR", "JPN"],  # the same answer in another order
    "temperature": "38.1",
    "contact_confirmed": "no",
    "phone": "+8613800000000",
    "medicines": [],
}


def test_the_diff_names_changed_added_and_removed_answers_in_survey_order(
    form: forms.FormDefinition,
) -> None:
    changes = answer_diff.diff(form, BEFORE, AFTER, "en")
    assert [(c.field, c.kind) for c in changes] == [
        ("seat_number", "changed"),
        ("symptoms", "changed"),
        ("temperature", "changed"),
        ("medicines", "removed"),
        ("phone", "added"),
    ]
    symptoms = changes[1]
    assert symptoms.before == ["none"]
    assert symptoms.after == ["fever", "dry_cough"]
    assert symptoms.after_text == "Fever; Dry cough"
    assert changes[4].before is None
    assert changes[4].before_text == ""


def test_the_diff_is_labelled_in_the_asked_language(form: forms.FormDefinition) -> None:
    changes = {c.field: c for c in answer_diff.diff(form, BEFORE, AFTER, "zh")}
    assert changes["seat_number"].label == "座位号"
    assert changes["symptoms"].after_text == "发热; 干咳"
    ja = {c.field: c for c in answer_diff.diff(form, BEFORE, AFTER, "ja")}
    assert ja["symptoms"].after_text.startswith("発熱")


def test_no_change_no_diff(form: forms.FormDefinition) -> None:
    assert answer_diff.diff(form, BEFORE, dict(BEFORE), "en") == []
    assert answer_diff.diff(form, {"phone": ""}, {"phone": None}, "en") == []


def test_fields_the_form_does_not_name_come_last(form: forms.FormDefinition) -> None:
    changes = answer_diff.diff(form, {}, {"zz_old": "x", "surname": "LI", "has_fever": "yes"}, "en")
    assert [c.field for c in changes] == ["surname", "has_fever", "zz_old"]
    assert changes[2].label == "zz_old"


def test_answers_as_text(form: forms.FormDefinition) -> None:
    assert labels.answer_text(form, "sex", "F", "en") == "Female"
    assert labels.answer_text(form, "nationality", "JPN", "zh") == "日本"
    assert labels.answer_text(form, "symptoms", "fever rash", "en") == "Fever; Rash"
    assert labels.answer_text(form, "nationality", "XXX", "en") == "XXX"  # not a choice
    assert labels.answer_text(form, "temperature", "37.5", "ar") == "37.5"
    assert labels.answer_text(form, "surname", None, "en") == ""
