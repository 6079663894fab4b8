"""The submit check: every problem at once, per field, in the asked language; hidden answers
dropped; calculations the backend's own. Property tests over generated forms and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from enforcement.forms import FormDefinition, check, publish
from enforcement.forms.answers import MAX_TEXT_CHARS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.forms import TODAY, measure, sample_answers, sample_form

EN, ZH = "label::English (en)", "label::Chinese (zh)"


def texts(column: str, en: str, zh: str) -> dict[str, str]:
    return {f"{column}::English (en)": en, f"{column}::Chinese (zh)": zh}


FORM: FormDefinition = publish(
    {
        "survey": [
            {
                "type": "integer",
                "name": "age",
                **texts("label", "Age", "年龄"),
                "required": "yes",
                "constraint": ". >= 0 and . < 130",
                **texts("constraint_message", "0 to 129", "0 至 129"),
                **texts("required_message", "Your age", "请填写年龄"),
            },
            {
                "type": "decimal",
                "name": "temperature",
                **texts("label", "Temperature", "体温"),
                "required": "yes",
                "constraint": ". >= 34 and . <= 43",
            },
            {
                "type": "date",
                "name": "arrival",
                **texts("label", "Arrival", "入境日期"),
                "required": "yes",
                "constraint": ". <= today()",
            },
            {
                "type": "select_one yes_no",
                "name": "symptomatic",
                **texts("label", "Symptoms?", "有无症状"),
                "required": "yes",
            },
            {
                "type": "begin group",
                "name": "detail",
                **texts("label", "Detail", "详情"),
                "relevant": "${symptomatic} = 'yes'",
            },
            {
                "type": "select_multiple symptom",
                "name": "symptoms",
                **texts("label", "Which", "哪些"),
                "required": "yes",
            },
            {
                "type": "date",
                "name": "onset",
                **texts("label", "Onset", "发病日期"),
                "relevant": "selected(${symptoms}, 'fever')",
                "required": "yes",
                "constraint": ". <= ${arrival}",
            },
            {"type": "end group"},
            {
                "type": "text",
                "name": "contact_name",
                **texts("label", "Contact", "接触者"),
                "required": "${age} < 18",
            },
            {
                "type": "calculate",
                "name": "fever",
                "calculation": "if(${temperature} >= 37.3 or selected(${symptoms}, 'fever'), "
                "'yes', 'no')",
            },
            {
                "type": "calculate",
                "name": "days_since_arrival",
                "calculation": "today() - ${arrival}",
            },
        ],
        "choices": [
            {"list_name": "yes_no", "name": "yes", **texts("label", "Yes", "是")},
            {"list_name": "yes_no", "name": "no", **texts("label", "No", "否")},
            {"list_name": "symptom", "name": "fever", **texts("label", "Fever", "发热")},
            {"list_name": "symptom", "name": "cough", **texts("label", "Cough", "咳嗽")},
        ],
    }
)

GOOD = {
    "age": 30,
    "temperature": 36.6,
    "arrival": "2026-11-30",
    "symptomatic": "yes",
    "symptoms": ["fever"],
    "onset": "2026-11-28",
}


def problems(answers: dict[str, Any], lang: str = "en") -> dict[str, tuple[str, str]]:
    result = check(FORM, answers, lang, today=TODAY)
    return {p.field: (p.code, p.message) for p in result.problems}


def test_a_complete_submission_passes_and_calculations_are_computed_here() -> None:
    result = check(FORM, {**GOOD, "fever": "no", "days_since_arrival": 99}, "en", today=TODAY)
    assert result.ok
    assert result.answers == {
        "age": 30,
        "temperature": "36.6",
        "arrival": "2026-11-30",
        "symptomatic": "yes",
        "symptoms": ["fever"],
        "onset": "2026-11-28",
        "fever": "yes",  # the client said "no": never trusted
        "days_since_arrival": 1,
    }


def test_every_problem_at_once_in_the_asked_language() -> None:
    answers = {"temperature": 50, "arrival": "2026-12-05", "symptomatic": "yes", "age": 12}
    assert problems(answers, "zh") == {
        "temperature": ("constraint", "此答案不符合要求。"),
        "arrival": ("constraint", "此答案不符合要求。"),
        "symptoms": ("required", "此项为必填项。"),
        "contact_name": ("required", "此项为必填项。"),
    }
    assert problems({**GOOD, "age": None}, "zh") == {"age": ("required", "请填写年龄")}
    assert problems({**GOOD, "age": 130}, "en") == {"age": ("constraint", "0 to 129")}


@pytest.mark.parametrize(
    ("field", "answer", "code"),
    [
        ("age", "twelve", "not_integer"),
        ("age", 12.5, "not_integer"),
        ("age", True, "not_integer"),
        ("age", 2**31, "not_integer"),
        ("temperature", "hot", "not_decimal"),
        ("temperature", float("inf"), "not_decimal"),
        ("temperature", [37], "not_decimal"),
        ("arrival", "2026-02-30", "not_date"),
        ("arrival", "30/11/2026", "not_date"),
        ("arrival", 20261130, "not_date"),
        ("symptomatic", "maybe", "not_in_choices"),
        ("symptomatic", ["yes"], "not_in_choices"),
        ("symptoms", ["fever", "flu"], "not_in_choices"),
        ("symptoms", ["fever", "fever"], "not_in_choices"),
        ("contact_name", 5, "not_text"),
        ("contact_name", "x" * (MAX_TEXT_CHARS + 1), "not_text"),
    ],
    ids=lambda value: str(value)[:20],
)
def test_answers_of_the_wrong_type(field: str, answer: Any, code: str) -> None:
    found = problems({**GOOD, "age": 17, "contact_name": "Li", field: answer}, "zh")
    assert found[field][0] == code
    # onset's constraint (`. <= ${arrival}`) fails too when the arrival has no valid value
    assert set(found) == ({field, "onset"} if field == "arrival" else {field})


def test_accepted_spellings_of_answers() -> None:
    answers = {**GOOD, "age": "30", "temperature": "36.6", "symptoms": "fever cough"}
    result = check(FORM, answers, "en", today=TODAY)
    assert result.ok
    assert result.answers["age"] == 30
    assert result.answers["symptoms"] == ["fever", "cough"]


def test_an_answer_hidden_by_relevant_is_dropped_and_never_required() -> None:
    answers = {**GOOD, "symptomatic": "no", "symptoms": ["nonsense"], "onset": "garbage"}
    result = check(FORM, answers, "en", today=TODAY)
    assert result.ok
    assert set(result.dropped) == {"symptoms", "onset"}
    assert "symptoms" not in result.answers
    assert "onset" not in result.answers
    assert result.answers["fever"] == "no"  # a hidden answer does not feed a calculation


def test_a_group_hides_its_children_and_a_field_its_own_relevance() -> None:
    no_fever = {**GOOD, "symptoms": ["cough"]}
    del no_fever["onset"]
    assert check(FORM, no_fever, "en", today=TODAY).ok
    assert problems({**GOOD, "onset": "2026-12-01"}) == {
        "onset": ("constraint", "This answer is not allowed.")
    }


def test_unknown_fields_are_named() -> None:
    assert problems({**GOOD, "passport_scan": "x"}) == {
        "passport_scan": ("unknown_field", "This question is not in the form.")
    }


def test_today_is_the_callers_date() -> None:
    late = {**GOOD, "arrival": "2026-12-03"}
    assert "arrival" in problems(late)
    assert check(FORM, late, "en", today=dt.date(2026, 12, 3)).ok


def test_the_twelve_language_sample_passes_in_each_language() -> None:
    form = publish(sample_form())
    for code in form.language_codes:
        assert check(form, sample_answers(), code, today=TODAY).ok, code


# -- properties -----------------------------------------------------------------------------

GATES = ("a", "b", "c")


@st.composite
def gated_forms(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """Integer questions, each required (always, or by an expression), hidden by a relevance
    over three gate answers, possibly nested in a group with its own relevance."""
    conditions = st.sampled_from(
        [
            "${g%s} = 'yes'",
            "${g%s} != 'yes'",
            "${g%s} = 'no' or ${gb} = 'yes'",
            "not(${g%s} = 'yes') and ${gc} != ''",
            "selected(${g%s}, 'yes')",
        ]
    )
    survey: list[dict[str, str]] = [
        {"type": "select_one yes_no", "name": f"g{gate}", EN: gate, ZH: gate} for gate in GATES
    ]
    relevance: dict[str, str] = {}
    for n in range(draw(st.integers(1, 6))):
        condition = draw(conditions) % draw(st.sampled_from(GATES))
        row = {"type": "integer", "name": f"q{n}", EN: f"q{n}", ZH: f"q{n}", "relevant": condition,
               "required": draw(st.sampled_from(["yes", "true()", "${ga} != 'maybe'"])),
               "constraint": ". > 0"}  # fmt: skip
        if draw(st.booleans()):
            group_condition = draw(conditions) % draw(st.sampled_from(GATES))
            survey += [
                {"type": "begin group", "name": f"grp{n}", EN: "g", ZH: "g",
                 "relevant": group_condition},
                row,
                {"type": "end group"},
            ]  # fmt: skip
            relevance[f"q{n}"] = f"({group_condition}) and ({condition})"
        else:
            survey.append(row)
            relevance[f"q{n}"] = condition
    choices = [{"list_name": "yes_no", "name": name, EN: name, ZH: name} for name in ("yes", "no")]
    return {"survey": survey, "choices": choices}, relevance


answer_values = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=3), st.just([]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gated_forms(),
    st.fixed_dictionaries({f"g{gate}": st.sampled_from([None, "yes", "no"]) for gate in GATES}),
    st.dictionaries(st.sampled_from([f"q{n}" for n in range(6)]), answer_values),
)
def test_an_answer_hidden_by_relevant_is_never_required_nor_checked(
    generated: tuple[dict[str, Any], dict[str, str]],
    gates: dict[str, str | None],
    answers: dict[str, Any],
) -> None:
    sheets, relevance = generated
    form = publish(sheets)
    answers = {name: value for name, value in answers.items() if name in relevance}
    result = check(form, {**gates, **answers}, "zh", today=TODAY)
    flagged = {p.field for p in result.problems}
    gate_values = {f"g{g}": (gates[f"g{g}"] or "") for g in GATES}
    for name, condition in relevance.items():
        if not _holds(condition, gate_values):
            assert name not in flagged, (name, condition, result.problems)
            assert name not in result.answers
        elif answers.get(name) in (None, "", []):
            assert name in flagged  # shown and required: the check does see it
    assert check(form, {**gates, **answers}, "zh", today=TODAY) == result


def _holds(condition: str, gates: dict[str, str]) -> bool:
    """An independent reading of the generated conditions (plain Python, no XPath)."""
    python = condition
    for name, value in gates.items():
        python = python.replace(f"${{{name}}}", repr(value))
    python = python.replace("selected(", "_selected(").replace("!=", "≠").replace("=", "==")
    python = python.replace("≠", "!=").replace("not(", "not (")
    return bool(eval(python, {"_selected": lambda a, b: b in a.split()}))  # noqa: S307


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*GOOD, "fever", "unknown", "contact_name"]),
        st.one_of(
            answer_values,
            st.sampled_from(["yes", "no", "2026-11-30", "fever cough", ["fever"], 36.6, 130]),
        ),
    ),
    st.sampled_from(["en", "zh"]),
)
def test_check_is_deterministic(answers: dict[str, Any], lang: str) -> None:
    first = check(FORM, answers, lang, today=TODAY)
    again = check(FormDefinition.from_json(FORM.to_json()), dict(answers), lang, today=TODAY)
    assert first == again


def test_the_benchmark_measures_a_passing_submission() -> None:
    """`benchmarks.forms.measure` (called by `make bench`) checks a submission that passes in
    every language of its form; the figures themselves are never asserted."""
    figures = measure(repeats=2)
    assert figures["fields"] >= 40
    assert figures["languages"] == 12
    assert figures["expressions"] == 58
