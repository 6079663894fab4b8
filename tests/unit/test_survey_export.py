"""Exports of declarations: headers and select answers in the chosen language, document
numbers masked unless asked whole, and no cell a spreadsheet would run as a formula, in CSV
and XLSX alike."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

import pytest
from enforcement import forms
from enforcement.remote_survey import export, labels
from enforcement.remote_survey.models import Declaration
from openpyxl import load_workbook


@pytest.fixture(scope="module")
def form() -> forms.FormDefinition:
    source = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    return forms.publish(json.loads(source.read_text(encoding="utf-8")))


def declaration(n: int, **answers: Any) -> Declaration:
    return Declaration(
        f"dc-{n:016x}",
        flight_number="MU5101",
        arrival_date="2026-12-01",
        form_id="arrival_health_declaration",
        form_version=1,
        version=1,
        submitted_at="2026-12-01T08:00:00.000Z",
        review="received",
        outcome="release",
        answers={"surname": "LI", "document_number": "E12345678", **answers},
        computed={"has_symptoms": "no", "has_fever": "no"},
    )


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "=1\x00"]


def build(form: forms.FormDefinition, lang: str, *, full: bool = False) -> export.Table:
    rows = [
        declaration(1, sex="F", symptoms=["fever", "dry_cough"], temperature="38.2"),
        *(declaration(2 + i, surname=text, address=text) for i, text in enumerate(HOSTILE)),
    ]
    versions = {("arrival_health_declaration", 1): form}
    return export.table(rows, versions, lang, full_numbers=full)


def test_headers_and_answers_in_the_chosen_language(form: forms.FormDefinition) -> None:
    data = build(form, "zh")
    assert data.header[: len(export.FIXED)] == list(export.FIXED)
    column = {name: i for i, name in enumerate(data.header)}
    assert {"姓", "性别", "证件号码", "has_fever"} <= set(column)
    assert "intro" not in column
    assert "个人信息" not in column
    first = data.rows[0]
    assert first[column["性别"]] == "女"
    symptoms = labels.question_label(form, "symptoms", "zh")
    assert first[column[symptoms]] == "发热; 干咳"
    assert first[column["has_fever"]] == "no"
    en = build(form, "en")
    assert en.rows[0][en.header.index("Sex")] == "Female"


def test_document_numbers_are_masked_unless_asked_whole(form: forms.FormDefinition) -> None:
    masked, whole = build(form, "en"), build(form, "en", full=True)
    column = masked.header.index("Document number")
    assert {row[column] for row in masked.rows} == {"******678"}
    assert {row[column] for row in whole.rows} == {"E12345678"}


def test_no_cell_starts_a_formula(form: forms.FormDefinition) -> None:
    data = build(form, "en")
    surname = data.header.index("Surname")
    cells = [row[surname] for row in data.rows[1:]]
    assert cells == [
        '\'=HYPERLINK("http://x","y")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'=1",
    ]
    for row in data.rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_round_trip(form: forms.FormDefinition) -> None:
    data = build(form, "ja")
    body = export.to_csv(data)
    assert body.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert read == [data.header, *data.rows]


def test_xlsx_holds_text_only(form: forms.FormDefinition) -> None:
    data = build(form, "ar")
    book = load_workbook(io.BytesIO(export.to_xlsx(data, "MU5101 2026-12-01")))
    sheet = book["MU5101 2026-12-01"]
    values = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert values == [data.header, *data.rows]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.parametrize(
    ("value", "cell"),
    [(None, ""), (36.6, "36.6"), (-1, "'-1"), ("a\x07b", "ab"), ("Ёж", "Ёж"), ("=", "'=")],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert export.safe_cell(value) == cell
