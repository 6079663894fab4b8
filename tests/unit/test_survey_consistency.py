"""Consistency rules of the arrival declaration: answers against the flight's manifest and
against each other. A consistent declaration has no problem; each broken rule names the
field(s) it concerns, with its message in the traveller's language; a rule that lacks what it
compares is silent; the rules' data has every language of the arrival form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from enforcement import forms
from enforcement.documents import DocumentError
from enforcement.remote_survey import consistency
from enforcement.remote_survey.consistency import FlightFacts, PassengerFacts
from hypothesis import given
from hypothesis import strategies as st

FEVER = 37.3
PASSENGER = PassengerFacts(document_number="E12345678", name="YAMADA/HANAKO", seat="32A")
FACTS = FlightFacts(
    port="port-pvg",
    arrival_date="2026-12-01",
    flight_number="NH921",
    origin="JPN",
    scheduled_on_block="2026-12-01T04:35:00Z",
    actual_on_block="2026-12-01T04:41:00Z",
    passenger=PASSENGER,
)
ANSWERS: dict[str, Any] = {
    "flight_number": "NH921",
    "seat_number": "32A",
    "document_number": "E12345678",
    "countries_visited": ["JPN"],
    "symptoms": ["none"],
    "temperature": "36.6",
    "has_symptoms": "no",
    "departure_date": "2026-12-01",
}


def found(answers: dict[str, Any], facts: FlightFacts | None = FACTS, lang: str = "en") -> set:
    return {
        (p.field, p.code)
        for p in consistency.problems(answers, facts, lang, fever_threshold_c=FEVER)
    }


def test_a_consistent_declaration_has_no_problem() -> None:
    assert consistency.problems(ANSWERS, FACTS, "ja", fever_threshold_c=FEVER) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"flight_number": "NH919"}, {("flight_number", "flight_mismatch")}),
        ({"seat_number": "33A"}, {("seat_number", "seat_mismatch")}),
        ({"document_number": "E12345679"}, {("document_number", "document_not_on_manifest")}),
        ({"countries_visited": ["KOR"]}, {("countries_visited", "origin_not_visited")}),
        (
            {"temperature": "37.3"},
            {("symptoms", "fever_without_symptoms"), ("temperature", "fever_without_symptoms")},
        ),
        (
            {"temperature": 38},
            {("symptoms", "fever_without_symptoms"), ("temperature", "fever_without_symptoms")},
        ),
        ({"departure_date": "2026-12-02"}, {("departure_date", "departure_after_arrival")}),
    ],
)
def test_each_broken_rule_names_its_fields(change: dict[str, Any], expected: set) -> None:
    assert found({**ANSWERS, **change}) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"flight_number": "nh 0921"},  # spelling of the same flight
        {"seat_number": "032a"},
        {"document_number": "e1234 5678"},
        {"countries_visited": ["KOR", "JPN"]},
        {"countries_visited": ["other"], "countries_visited_other": "Japan"},
        {"temperature": "37.2"},  # below the threshold
        {"temperature": "38.1", "symptoms": ["fever"], "has_symptoms": "yes"},
        {"departure_date": "2026-11-30"},
    ],
)
def test_what_is_consistent_is_not_a_problem(change: dict[str, Any]) -> None:
    assert found({**ANSWERS, **change}) == set()


def test_has_symptoms_no_with_a_fever_is_a_problem_without_a_symptom_list() -> None:
    answers = {**ANSWERS, "temperature": "38.5", "symptoms": [], "has_symptoms": "no"}
    assert ("temperature", "fever_without_symptoms") in found(answers)


def test_the_threshold_is_the_setting() -> None:
    answers = {**ANSWERS, "temperature": "37.6"}
    assert consistency.problems(answers, FACTS, "en", fever_threshold_c=37.8) == []
    (first, _) = consistency.problems(answers, FACTS, "en", fever_threshold_c=37.5)
    assert "37.5 °C" in first.message


def test_messages_are_in_the_travellers_language_with_the_flights_values() -> None:
    answers = {**ANSWERS, "flight_number": "NH919", "departure_date": "2026-12-03"}
    japanese = consistency.problems(answers, FACTS, "ja", fever_threshold_c=FEVER)
    assert [p.message for p in japanese] == [
        "便名がこの申告の便（NH921）と一致しません",  # noqa: RUF001
        "出発日は到着日（2026-12-01）より後の日付にはできません",  # noqa: RUF001
    ]
    arabic = consistency.problems(answers, FACTS, "AR", fever_threshold_c=FEVER)
    assert "NH921" in arabic[0].message
    assert "رقم الرحلة" in arabic[0].message
    # a language the rules lack: English
    (first, _) = consistency.problems(answers, FACTS, "tlh", fever_threshold_c=FEVER)
    assert first.message.startswith("The flight number does not match")


def test_no_manifest_entry_is_a_problem_on_the_document_number_only() -> None:
    facts = FlightFacts(**{**FACTS.__dict__, "passenger": None})
    assert found(ANSWERS, facts) == {("document_number", "document_not_on_manifest")}


def test_without_a_flight_on_record_only_the_answers_among_themselves_are_checked() -> None:
    assert found({**ANSWERS, "flight_number": "XX1", "departure_date": "2030-01-01"}, None) == set()
    fever = {**ANSWERS, "temperature": "39"}
    assert found(fever, None) == {
        ("symptoms", "fever_without_symptoms"),
        ("temperature", "fever_without_symptoms"),
    }


def test_missing_or_malformed_answers_are_left_to_the_form() -> None:
    answers = {
        "flight_number": 921,
        "seat_number": None,
        "temperature": "hot",
        "departure_date": "1 Dec",
        "countries_visited": "",
    }
    assert found(answers) == set()
    assert found({}) == set()


@given(
    temperature=st.decimals(min_value=34, max_value=43, places=1),
    symptoms=st.lists(st.sampled_from(["none", "fever", "dry_cough", "rash"]), max_size=3),
)
def test_fever_rule_holds_exactly_when_no_symptom_meets_a_fever(
    temperature: Any, symptoms: list[str]
) -> None:
    answers = {**ANSWERS, "temperature": str(temperature), "symptoms": symptoms}
    answers.pop("has_symptoms")
    broken = ("temperature", "fever_without_symptoms") in found(answers)
    assert broken == (temperature >= Decimal("37.3") and "none" in symptoms)


# ------------------------------------------------------------------ the data


def arrival_form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


def test_every_rule_has_every_language_of_the_arrival_form_and_names_its_fields() -> None:
    form = arrival_form()
    rules = consistency.arrival_rules()
    assert rules.form_id == form.form_id
    names = {field.name for field in form.fields}
    for rule in rules.rules:
        assert sorted(rule.messages) == sorted(form.language_codes), rule.id
        assert set(rule.fields) <= names, rule.id
        assert set(rule.params.values()) - {"none", "other"} <= names, rule.id


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        ({"check": "telepathy"}, "unknown check"),
        ({"fields": []}, "fields"),
        ({"params": {"answer": "seat_number", "extra": "x"}}, "takes"),
        ({"messages": {"zh": "座位"}}, "'en'"),
        ({"messages": {"en": "Seat {seat}"}}, "placeholder"),
        ({"id": "Seat Mismatch"}, "snake_case"),
    ],
)
def test_a_malformed_rule_is_refused_naming_what_is_wrong(
    broken: dict[str, Any], complaint: str
) -> None:
    rule = {
        "id": "seat_mismatch",
        "check": "answer_is_manifest_seat",
        "fields": ["seat_number"],
        "params": {"answer": "seat_number"},
        "messages": {"en": "The seat does not match"},
    }
    consistency.parse_rules({"rules": [rule]})
    with pytest.raises(DocumentError, match=complaint):
        consistency.parse_rules({"rules": [{**rule, **broken}]})


def test_the_form_asks_the_departure_date_optional_and_not_after_tomorrow() -> None:
    form = arrival_form()
    assert form.field("departure_date").type == "date"
    today = dt.date(2026, 12, 1)
    for departed, ok in (("2026-11-30", True), ("2026-12-02", True), ("2026-12-03", False)):
        result = forms.check(form, {"departure_date": departed}, "ja", today=today)
        codes = {p.field: p.code for p in result.problems}
        assert ("departure_date" not in codes) is ok, departed
        if not ok:
            assert codes["departure_date"] == "constraint"
    unanswered = forms.check(form, {}, "en", today=today)
    assert "departure_date" not in {p.field for p in unanswered.problems}
