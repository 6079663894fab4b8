"""Answers filled in from an MRZ fit the example arrival form: each is one of its fields, each
select answer one of its choices, and each passes the field's own constraint pattern."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources

from enforcement.identity import parse_mrz
from enforcement.remote_survey.autofill import answers_from_mrz

TODAY = date(2026, 12, 1)
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


def form() -> dict[str, list[dict[str, str]]]:
    path = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    loaded: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


FORM = form()
FIELDS = {row["name"]: row for row in FORM["survey"]}
CHOICES: dict[str, set[str]] = {}
for choice in FORM["choices"]:
    CHOICES.setdefault(choice["list_name"], set()).add(choice["name"])


def fits_the_form(answers: dict[str, str]) -> None:
    for name, value in answers.items():
        row = FIELDS[name]
        kind = row["type"].split()
        if kind[0] == "select_one":
            assert value in CHOICES[kind[1]], (name, value)
        pattern = re.fullmatch(r"regex\(\., '(.*)'\)", row.get("constraint", ""))
        if pattern:
            assert re.fullmatch(pattern.group(1).strip("^$"), value), (name, value)


def test_the_specimen_passport_fills_the_personal_data() -> None:
    answers = answers_from_mrz(parse_mrz(TD3, today=TODAY), CHOICES["countries"])
    assert answers == {
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "sex": "F",
        "date_of_birth": "1974-08-12",
        "nationality": "other",  # Utopia is on no list
        "nationality_other": "UTO",
        "document_type": "passport",
        "document_number": "L898902C3",
    }
    fits_the_form(answers)


def test_a_german_id_card_names_germany_by_its_iso_code() -> None:
    # the specimen of the German identity card (2010): state and nationality "D", sex "<"
    lines = (
        "IDD<<T220001293<<<<<<<<<<<<<<<",
        "6408125<2010315D<<<<<<<<<<<<<4",
        "MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
    )
    answers = answers_from_mrz(parse_mrz(lines, today=TODAY), CHOICES["countries"])
    assert answers["nationality"] == "DEU"
    assert "nationality_other" not in answers
    assert (answers["document_type"], answers["document_number"]) == ("id_card", "T22000129")
    assert answers["sex"] == "X"
    fits_the_form(answers)
