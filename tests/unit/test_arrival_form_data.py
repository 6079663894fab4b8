"""The example arrival health declaration, an XLSForm kept as JSON sheets: pyxform converts it
without a warning, every translatable cell is there in all twelve languages and written in that
language's script (a pasted English cell is caught), choice lists are sound, expressions name
only existing fields and whitelisted functions. Each checker is shown to catch a breach."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest
from pyxform.xls2xform import convert

Form = dict[str, list[dict[str, str]]]

LANGUAGES = {
    "zh": "Chinese",
    "en": "English",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "ar": "Arabic",
    "vi": "Vietnamese",
}
COLUMNS = {code: f"{name} ({code})" for code, name in LANGUAGES.items()}
FUNCTIONS = {"selected", "count-selected", "string-length", "regex", "today", "if", "coalesce",
             "not"}  # fmt: skip
UNLABELLED = {"calculate", "end_group", "end group"}
EXPRESSIONS = ("relevant", "constraint", "calculation")

HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
OTHER_SCRIPTS = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I
)


def load() -> Form:
    path = resources.files("enforcement.remote_survey.forms") / "arrival_health_declaration.json"
    form: Form = json.loads(path.read_text(encoding="utf-8"))
    return form


FORM = load()


def translatable(row: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"label": {code: text}, "hint": {...}, ...} for the row's `column::Language (code)` cells."""
    found: dict[str, dict[str, str]] = {}
    for key, value in row.items():
        if "::" in key:
            column, language = key.split("::", 1)
            match = re.fullmatch(r"(.+) \(([a-z]{2})\)", language)
            code = match.group(2) if match else language
            found.setdefault(column, {})[code] = value
    return found


# ------------------------------------------------------------------ the checkers


def missing_translations(form: Form) -> list[str]:
    problems = []
    for sheet in ("survey", "choices"):
        for row in form[sheet]:
            where = f"{sheet} {row.get('list_name', '')} {row['name']}".replace("  ", " ")
            cells = translatable(row)
            needed = set(cells)
            if sheet == "choices" or row["type"] not in UNLABELLED:
                needed.add("label")
            if row.get("constraint"):
                needed.add("constraint_message")
            if row.get("required") == "yes":
                needed.add("required_message")
            for column in sorted(needed):
                for name in COLUMNS.values():
                    key = f"{column}::{name}"
                    if not str(row.get(key, "")).strip():
                        problems.append(f"{where}: {key} missing")
            for column in cells:
                for key in row:
                    if (
                        key.startswith(f"{column}::")
                        and key.split("::", 1)[1] not in COLUMNS.values()
                    ):
                        problems.append(f"{where}: {key} is not one of the twelve languages")
    return problems


def script_problems(form: Form) -> list[str]:
    problems = []
    texts: dict[str, list[tuple[str, str]]] = {code: [] for code in LANGUAGES}
    for sheet in ("survey", "choices"):
        for row in form[sheet]:
            for column, by_code in translatable(row).items():
                english = by_code.get("en", "")
                for code, text in by_code.items():
                    where = f"{row['name']} {column}::{code}"
                    texts.setdefault(code, []).append((where, text))
                    latin = code in {"fr", "de", "es", "it", "pt", "vi"}
                    if latin and len(text.split()) >= 3 and text == english:
                        problems.append(f"{where}: the English text")
    rules = {
        "zh": lambda t: HAN.search(t) and not KANA.search(t) and not HANGUL.search(t),
        "ja": lambda t: KANA.search(t) or HAN.search(t),
        "ko": lambda t: HANGUL.search(t),
        "ru": lambda t: CYRILLIC.search(t),
        "ar": lambda t: ARABIC.search(t),
    }
    for code, items in texts.items():
        rule = rules.get(code, lambda t: LATIN.search(t) and not OTHER_SCRIPTS.search(t))
        problems += [
            f"{where}: not in {LANGUAGES[code]}'s script" for where, t in items if not rule(t)
        ]
    # Japanese shares Han with Chinese: most of its cells carry kana (a pasted Chinese column fails)
    kana = sum(1 for _, t in texts["ja"] if KANA.search(t))
    if kana < 0.6 * len(texts["ja"]):
        problems.append(f"Japanese: only {kana} of {len(texts['ja'])} cells have kana")
    words = [(w, t) for w, t in texts["vi"] if len(t.split()) >= 2]
    marked = sum(1 for _, t in words if VIETNAMESE.search(t))
    if marked < 0.9 * len(words):
        problems.append(f"Vietnamese: only {marked} of {len(words)} phrases have its letters")
    return problems


def choice_problems(form: Form) -> list[str]:
    problems = []
    lists = Counter((row["list_name"], row["name"]) for row in form["choices"])
    problems += [f"choice {name!r} twice in {lst}" for (lst, name), n in lists.items() if n > 1]
    defined = {row["list_name"] for row in form["choices"]}
    used = set()
    for row in form["survey"]:
        parts = row["type"].split()
        if parts[0] in {"select_one", "select_multiple"}:
            used.add(parts[1])
            if parts[1] not in defined:
                problems.append(f"{row['name']}: no choice list {parts[1]}")
    problems += [f"choice list {name} is used by no question" for name in defined - used]
    problems += [
        f"choice name {row['name']!r} has a space"
        for row in form["choices"]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", row["name"])
    ]
    return problems


def expression_problems(form: Form) -> list[str]:
    problems = []
    names = {row["name"] for row in form["survey"]}
    for row in form["survey"]:
        for column in EXPRESSIONS:
            expression = row.get(column, "")
            literal_free = re.sub(r"'[^']*'", "''", expression)
            for function in re.findall(r"([A-Za-z][\w-]*)\s*\(", literal_free):
                if function not in FUNCTIONS:
                    problems.append(f"{row['name']} {column}: function {function}() not allowed")
            for ref in re.findall(r"\$\{([^}]*)\}", expression):
                if ref not in names:
                    problems.append(f"{row['name']} {column}: no field {ref}")
    return problems


# ------------------------------------------------------------------ the form


def test_pyxform_converts_it_without_a_warning() -> None:
    warnings: list[str] = []
    result = convert(xlsform=copy.deepcopy(FORM), warnings=warnings, validate=False)
    assert warnings == []
    assert "<h:title>Arrival health declaration</h:title>" in result.xform
    for name in COLUMNS.values():
        assert f'<translation lang="{name}"' in result.xform
    # the symptom constraint, as pyxform writes it into the XForm
    assert "constraint=\"not(selected(., 'none') and count-selected(.) &gt; 1)\"" in result.xform


def test_settings() -> None:
    (settings,) = FORM["settings"]
    assert settings["form_id"] == "arrival_health_declaration"
    assert settings["version"].isdigit()
    assert settings["default_language"] in COLUMNS.values()


def test_every_translatable_cell_is_there_in_all_twelve_languages() -> None:
    assert missing_translations(FORM) == []


def test_each_language_is_written_in_its_own_script() -> None:
    assert script_problems(FORM) == []


def test_choice_lists_are_sound() -> None:
    assert choice_problems(FORM) == []


def test_expressions_use_whitelisted_functions_and_existing_fields() -> None:
    assert expression_problems(FORM) == []


def test_the_fields_of_the_entry_health_declaration_card_are_there() -> None:
    rows = {row["name"]: row for row in FORM["survey"]}
    for field in ("surname", "given_names", "sex", "date_of_birth", "nationality",
                  "document_type", "document_number", "flight_number", "seat_number",
                  "countries_visited", "contact_confirmed", "contact_symptomatic", "symptoms",
                  "temperature", "medicine_taken", "medicines", "address", "phone"):  # fmt: skip
        assert field in rows, field
    symptoms = {row["name"] for row in FORM["choices"] if row["list_name"] == "symptoms"}
    assert symptoms == {
        "fever", "fatigue", "dry_cough", "sputum", "headache", "sore_throat",
        "shortness_of_breath", "difficulty_breathing", "chest_tightness",
        "conjunctival_congestion", "diarrhoea", "vomiting", "rash", "unexplained_bleeding", "none",
    }  # fmt: skip
    countries = [row["name"] for row in FORM["choices"] if row["list_name"] == "countries"]
    assert 30 <= len(countries) <= 61
    assert "other" in countries
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in countries if c != "other")
    assert rows["countries_visited"]["type"] == "select_multiple countries"
    assert rows["medicines"]["relevant"] == "${medicine_taken} = 'yes'"
    assert rows["temperature"]["constraint"] == ". >= 34 and . <= 43"
    assert any(row["type"] == "begin_group" for row in FORM["survey"])
    assert any(row["type"] == "calculate" for row in FORM["survey"])
    assert any(row["type"] == "note" for row in FORM["survey"])


# ------------------------------------------------------------------ the checkers can fail


def broken(edit: Any) -> Form:
    form = copy.deepcopy(FORM)
    edit(form)
    return form


def row_named(form: Form, name: str) -> dict[str, str]:
    return next(row for row in form["survey"] if row["name"] == name)


def test_a_missing_or_empty_translation_is_caught() -> None:
    def drop(form: Form) -> None:
        del row_named(form, "temperature")["hint::Arabic (ar)"]
        row_named(form, "phone")["constraint_message::Korean (ko)"] = " "
        form["choices"][0]["label::Vietnamese (vi)"] = ""

    assert missing_translations(broken(drop)) == [
        "survey temperature: hint::Arabic (ar) missing",
        "survey phone: constraint_message::Korean (ko) missing",
        "choices yes_no yes: label::Vietnamese (vi) missing",
    ]


def test_a_pasted_english_or_chinese_cell_is_caught() -> None:
    def paste(form: Form) -> None:
        row = row_named(form, "intro")
        row["label::Arabic (ar)"] = row["label::English (en)"]
        row["label::German (de)"] = row["label::English (en)"]
        form["choices"][0]["label::Korean (ko)"] = "Yes"

    problems = script_problems(broken(paste))
    assert any("intro label::ar" in p for p in problems)
    assert any("intro label::de: the English text" in p for p in problems)
    assert any(p.startswith("yes label::ko") for p in problems)

    def chinese_for_japanese(form: Form) -> None:
        for row in form["survey"] + form["choices"]:
            for key in [k for k in row if k.endswith("(ja)")]:
                row[key] = row[key.replace("Japanese (ja)", "Chinese (zh)")]

    assert any(
        p.startswith("Japanese: only") for p in script_problems(broken(chinese_for_japanese))
    )


def test_duplicate_choices_and_unknown_functions_or_fields_are_caught() -> None:
    def spoil(form: Form) -> None:
        form["choices"].append(dict(form["choices"][0]))
        row_named(form, "address")["constraint"] = "string-length(.) > 4 and matches(., 'x')"
        row_named(form, "medicines")["relevant"] = "${medicine} = 'yes'"

    assert choice_problems(broken(spoil)) == ["choice 'yes' twice in yes_no"]
    assert sorted(expression_problems(broken(spoil))) == [
        "address constraint: function matches() not allowed",
        "medicines relevant: no field medicine",
    ]


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_has_a_column(code: str) -> None:
    intro = row_named(FORM, "intro")
    assert intro[f"label::{COLUMNS[code]}"].strip()
