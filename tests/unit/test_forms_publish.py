"""Publishing an XLSForm: what is compiled, and every refusal named."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from enforcement.forms import FormDefinition, FormRejected, publish
from openpyxl import Workbook

from benchmarks.forms import LANGUAGES, sample_form

EN, AR = "label::English (en)", "label::Arabic (ar)"


def small_form() -> dict[str, list[dict[str, Any]]]:
    return {
        "survey": [
            {"type": "begin group", "name": "trip", EN: "Trip", AR: "الرحلة"},
            {
                "type": "integer",
                "name": "age",
                EN: "Age",
                AR: "العمر",
                "hint::English (en)": "In years",
                "hint::Arabic (ar)": "بالسنوات",
                "constraint": ". >= 0 and . < 130",
                "constraint_message::English (en)": "0 to 129",
                "constraint_message::Arabic (ar)": "من 0 إلى 129",
                "required": "yes",
            },
            {
                "type": "select_multiple symptom",
                "name": "symptoms",
                EN: "Symptoms",
                AR: "الأعراض",
                "relevant": "${age} >= 2",
            },
            {"type": "end group"},
            {"type": "calculate", "name": "count", "calculation": "count-selected(${symptoms})"},
        ],
        "choices": [
            {"list_name": "symptom", "name": "fever", EN: "Fever", AR: "حمى"},
            {"list_name": "symptom", "name": "cough", EN: "Cough", AR: "سعال"},
        ],
        "settings": [{"form_title": "Small", "form_id": "small", "version": "3"}],
    }


def refusal(form: Any) -> list[dict[str, str]]:
    with pytest.raises(FormRejected) as refused:
        publish(form)
    assert refused.value.status == 422
    assert refused.value.code == "form_rejected"
    return refused.value.problems


def test_a_form_compiles_to_fields_in_order_with_groups_languages_and_choices() -> None:
    form = publish(small_form())
    assert (form.form_id, form.version, form.title) == ("small", "3", "Small")
    assert [(item.name, item.type, item.group) for item in form.fields] == [
        ("trip", "group", ()),
        ("age", "integer", ("trip",)),
        ("symptoms", "select_multiple", ("trip",)),
        ("count", "calculate", ()),
    ]
    assert [(lang.code, lang.name, lang.direction) for lang in form.languages] == [
        ("en", "English (en)", "ltr"),
        ("ar", "Arabic (ar)", "rtl"),
    ]
    age = form.field("age")
    assert age.label == {"en": "Age", "ar": "العمر"}
    assert age.constraint == ". >= 0 and . < 130"
    assert age.required == "yes"
    assert form.field("symptoms").choices == "symptom"
    assert [choice.name for choice in form.choice_lists["symptom"]] == ["fever", "cough"]
    assert form.field("count").calculation == "count-selected(${symptoms})"


def test_the_twelve_language_form_publishes() -> None:
    form = publish(sample_form())
    assert form.language_codes == [name[-3:-1] for name in LANGUAGES]
    assert form.language("ar").direction == "rtl"
    assert len(form.fields) >= 40


def test_the_definition_is_deterministic_json_with_a_content_hash() -> None:
    first, second = publish(small_form()), publish(small_form())
    assert first.to_json() == second.to_json()
    assert len(first.content_hash) == 64
    again = FormDefinition.from_json(first.to_json())
    assert again == first
    assert again.content_hash == first.content_hash


def test_a_change_is_a_new_version_and_a_version_cannot_be_edited() -> None:
    original = publish(small_form())
    changed = small_form()
    changed["survey"][1]["constraint"] = ". >= 0 and . < 120"
    assert publish(changed).content_hash != original.content_hash
    with pytest.raises(ValueError, match="frozen"):
        original.field("age").__setattr__("constraint", "true()")
    tampered = original.to_json().replace(b"130", b"120")
    with pytest.raises(ValueError, match="content_hash"):
        FormDefinition.from_json(tampered)


def xlsx(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(column for row in rows for column in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_and_the_same_sheets_as_json_publish_the_same_definition() -> None:
    assert publish(xlsx(small_form())).content_hash == publish(small_form()).content_hash


def test_xlsx_that_is_not_a_workbook_is_refused() -> None:
    problems = refusal(b"PK\x03\x04 not really a workbook")
    assert problems[0]["code"] == "pyxform"


def test_pyxform_refusal_is_passed_on_with_its_message() -> None:
    form = small_form()
    del form["survey"][3]  # the end group
    problems = refusal(form)
    assert problems[0]["code"] == "pyxform"
    assert "Unmatched 'begin_group'" in problems[0]["message"]


def test_each_missing_translation_is_named() -> None:
    form = small_form()
    del form["survey"][1]["hint::Arabic (ar)"]
    del form["survey"][2][AR]
    del form["choices"][1][AR]
    form["survey"][1]["required_message::English (en)"] = "Say your age"
    problems = refusal(form)
    missing = sorted(
        (p.get("field") or f"{p['choice_list']}/{p['choice']}", p["column"], p["language"])
        for p in problems
        if p["code"] == "missing_translation"
    )
    assert missing == [
        ("age", "hint", "Arabic (ar)"),
        ("age", "required_message", "Arabic (ar)"),
        ("symptom/cough", "label", "Arabic (ar)"),
        ("symptoms", "label", "Arabic (ar)"),
    ]
    assert len(problems) == 4


def test_a_function_off_the_whitelist_is_named_with_its_field() -> None:
    form = small_form()
    form["survey"][4]["calculation"] = "pulldata('hospitals', 'name', 'id', ${age})"
    form["survey"][1]["constraint"] = ". > 0 and foo(.)"
    problems = refusal(form)
    named = sorted((p["field"], p["column"], p["function"]) for p in problems)
    assert named == [("age", "constraint", "foo"), ("count", "calculation", "pulldata")]
    assert all(p["code"] == "function_not_allowed" for p in problems)


@pytest.mark.parametrize("kind", ["geopoint", "image", "begin repeat", "range", "barcode"])
def test_types_outside_the_subset_are_refused(kind: str) -> None:
    form = small_form()
    row: dict[str, Any] = {"type": kind, "name": "extra", EN: "x", AR: "x"}
    form["survey"].insert(4, row)
    if kind == "begin repeat":
        form["survey"].insert(5, {"type": "end repeat"})
    problems = refusal(form)
    assert any(p["code"] == "unsupported_type" and p["field"] == "extra" for p in problems)


@pytest.mark.parametrize(
    ("column", "value"),
    [("choice_filter", "x = 1"), ("read_only", "yes"), ("guidance_hint::English (en)", "x")],
)
def test_columns_outside_the_subset_are_refused(column: str, value: str) -> None:
    form = small_form()
    form["survey"][2][column] = value
    problems = refusal(form)
    assert any(p["code"] == "unsupported_column" and p["field"] == "symptoms" for p in problems)


def test_languages_must_carry_a_code() -> None:
    form = small_form()
    for row in form["survey"] + form["choices"]:
        for column in [c for c in row if c.endswith("(ar)")]:
            row[column.replace(" (ar)", "")] = row.pop(column)
    problems = refusal(form)
    assert {p["code"] for p in problems} == {"language_without_code"}
    assert problems[0]["language"] == "Arabic"

    unnamed = {"survey": [{"type": "text", "name": "t", "label": "Name"}]}
    assert refusal(unnamed)[0]["code"] == "language_not_named"
    named = {
        "survey": [{"type": "text", "name": "t", "label": "Name"}],
        "settings": [{"default_language": "English (en)"}],
    }
    assert publish(named).field("t").label == {"en": "Name"}


def test_names_are_unique_in_the_whole_form() -> None:
    form = small_form()
    form["survey"][3:3] = [{"type": "text", "name": "city", EN: "City", AR: "المدينة"}]
    form["survey"][5:5] = [
        {"type": "begin group", "name": "other", EN: "o", AR: "o"},
        {"type": "text", "name": "city", EN: "City", AR: "المدينة"},
        {"type": "end group"},
    ]
    problems = refusal(form)
    assert [(p["code"], p["field"]) for p in problems] == [("duplicate_name", "city")]


def test_expressions_that_cannot_work_are_refused_at_publish() -> None:
    cases = {
        "cycle": {"type": "calculate", "name": "loop", "calculation": "${loop} + 1"},
        "invalid_expression": {
            "type": "text",
            "name": "code",
            EN: "c",
            AR: "c",
            "constraint": "regex(., '[')",
        },
        "unknown_reference": {
            "type": "text",
            "name": "other",
            EN: "c",
            AR: "c",
            "relevant": "${trip} = 'x'",
        },
    }
    for code, row in cases.items():
        form = small_form()
        form["survey"].append(row)
        problems = refusal(form)
        assert [p["code"] for p in problems] == [code], problems


@pytest.mark.parametrize(
    "sheets",
    [
        {"survey": "not rows"},
        {"survey": [["type", "name"]]},
        {"survey": [{"type": "text", "name": "t", EN: {"nested": 1}}]},
        {"survey": [{"type": "text", "name": "t", EN: "x"}], "external_choices": []},
        {"survey": []},
    ],
)
def test_malformed_json_sheets_are_refused(sheets: dict[str, Any]) -> None:
    assert refusal(copy.deepcopy(sheets))
