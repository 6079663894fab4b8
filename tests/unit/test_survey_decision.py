"""Decision support: a table of travellers and the outcome the shipped rules give each, with
the reasons, the most severe outcome winning; every Decision carries the rules' version; the
rules' data is checked when read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement.documents import DocumentError
from enforcement.remote_survey import decision
from enforcement.remote_survey.consistency import FlightFacts

FACTS = FlightFacts(
    port="port-pvg",
    arrival_date="2026-12-01",
    flight_number="NH921",
    origin="JPN",
    scheduled_on_block="2026-12-01T04:35:00Z",
    actual_on_block=None,
    passenger=None,
)
WELL: dict[str, Any] = {
    "countries_visited": ["JPN"],
    "contact_confirmed": "no",
    "contact_symptomatic": "no",
    "symptoms": ["none"],
    "temperature": "36.6",
    "medicine_taken": "no",
}
NO_CALCS = {"has_symptoms": "no", "has_fever": "no"}
SYMPTOMS = {"has_symptoms": "yes", "has_fever": "no"}
FEVER = {"has_symptoms": "no", "has_fever": "yes"}
BOTH = {"has_symptoms": "yes", "has_fever": "yes"}


@pytest.mark.parametrize(
    ("answers", "computed", "origin", "outcome", "reasons"),
    [
        ({}, NO_CALCS, "JPN", "release", ("nothing_declared",)),
        ({"symptoms": ["headache"]}, SYMPTOMS, "JPN", "remote_survey", ("symptoms",)),
        (
            {"contact_symptomatic": "yes"},
            NO_CALCS,
            "JPN",
            "remote_survey",
            ("contact_with_symptomatic_person",),
        ),
        (
            {"medicine_taken": "yes", "medicines": ["antipyretic", "painkiller"]},
            NO_CALCS,
            "JPN",
            "remote_survey",
            ("fever_reducer_taken",),
        ),
        (
            {"medicine_taken": "yes", "medicines": ["antibiotic"]},
            NO_CALCS,
            "JPN",
            "release",
            ("nothing_declared",),
        ),
        ({"temperature": "37.8"}, FEVER, "JPN", "sampling", ("fever",)),
        # a fever declared among the symptoms, whatever the thermometer said
        ({"symptoms": ["fever"]}, SYMPTOMS, "JPN", "sampling", ("fever", "symptoms")),
        (
            {"contact_confirmed": "yes"},
            NO_CALCS,
            "JPN",
            "sampling",
            ("contact_with_confirmed_case",),
        ),
        (
            {"countries_visited": ["JPN", "UGA"]},
            NO_CALCS,
            "JPN",
            "sampling",
            ("visited_country_of_concern",),
        ),
        ({}, NO_CALCS, "UGA", "sampling", ("flight_from_country_of_concern",)),
        (
            {"symptoms": ["fever", "dry_cough"], "temperature": "38.4"},
            BOTH,
            "JPN",
            "onsite_referral",
            ("fever_with_respiratory_symptoms", "fever", "symptoms"),
        ),
        # a cough without a fever is not a referral
        ({"symptoms": ["dry_cough"]}, SYMPTOMS, "JPN", "remote_survey", ("symptoms",)),
        (
            {"symptoms": ["difficulty_breathing"], "contact_confirmed": "yes"},
            SYMPTOMS,
            "JPN",
            "onsite_referral",
            ("severe_symptoms", "contact_with_confirmed_case", "symptoms"),
        ),
    ],
)
def test_outcomes_of_the_shipped_rules(
    answers: dict[str, Any], computed: dict[str, str], origin: str, outcome: str, reasons: tuple
) -> None:
    facts = FlightFacts(**{**FACTS.__dict__, "origin": origin})
    result = decision.decide({**WELL, **answers}, computed, facts)
    assert result == decision.Decision(outcome, reasons, "arrival-decision-2026.12.1")


def test_calculations_are_found_among_the_answers_as_forms_check_keeps_them() -> None:
    answers = {**WELL, "symptoms": ["fever", "sputum"], **BOTH}
    assert decision.decide(answers, {}, FACTS).outcome == "onsite_referral"


def test_space_separated_choices_and_no_flight() -> None:
    answers = {**WELL, "symptoms": "fever dry_cough", "countries_visited": "JPN UGA"}
    result = decision.decide(answers, BOTH, None)
    assert result.outcome == "onsite_referral"
    assert "visited_country_of_concern" in result.reasons
    assert "flight_from_country_of_concern" not in result.reasons


def test_the_version_comes_from_the_data() -> None:
    document = json.loads(decision.RULES_PATH.read_text(encoding="utf-8"))
    document["version"] = "arrival-decision-test"
    rules = decision.parse_rules(document)
    assert (
        decision.decide(WELL, NO_CALCS, FACTS, rules=rules).rule_version == "arrival-decision-test"
    )


def test_reason_texts_in_english_and_chinese() -> None:
    assert decision.reason_text("fever", "zh").startswith("发热")
    assert decision.reason_text("fever", "ja") == decision.reason_text("fever", "en")
    assert decision.reason_text("retired_reason", "en") == "retired_reason"
    shipped = decision.shipped_rules()
    assert all({"en", "zh"} <= set(texts) for texts in shipped.texts.values())


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"version": ""}, "version"),
        ({"outcomes": ["release", "release"]}, "distinct"),
        ({"default": {"outcome": "detain", "reason": "x", "text": {"en": "x"}}}, "default"),
        ({"rules": [{"reason": "r", "outcome": "detain", "any": []}]}, "unknown outcome"),
        (
            {"rules": [{"reason": "r", "outcome": "release", "text": {"en": "r"}}]},
            "`all` or as `any`",
        ),
        (
            {
                "rules": [
                    {
                        "reason": "r",
                        "outcome": "release",
                        "any": [{"answer": "countries_visited", "any_in": "nowhere"}],
                        "text": {"en": "r"},
                    }
                ]
            },
            "no list named",
        ),
        (
            {
                "rules": [
                    {
                        "reason": "r",
                        "outcome": "release",
                        "any": [{"fact": "passenger_name", "is": "X"}],
                        "text": {"en": "r"},
                    }
                ]
            },
            "facts are",
        ),
        (
            {
                "rules": [
                    {
                        "reason": "r",
                        "outcome": "release",
                        "any": [{"answer": "symptoms", "is": "none"}],
                        "text": {"zh": "r"},
                    }
                ]
            },
            "English",
        ),
    ],
)
def test_malformed_rules_are_refused(change: dict[str, Any], complaint: str) -> None:
    document = json.loads(decision.RULES_PATH.read_text(encoding="utf-8"))
    decision.parse_rules(document)
    with pytest.raises(DocumentError, match=complaint):
        decision.parse_rules({**document, **change})
