"""The submit check: `check(form, answers, lang)` → every problem at once, per field, in the
traveller's language. The mini-program's own checks are a convenience; this one decides.

Answers are JSON values keyed by field name: integer a JSON integer (or its digits as text),
decimal a number (or its text), date `YYYY-MM-DD`, select_one a choice's name,
select_multiple a list of choice names (or ODK's space-separated text), text a string. An
empty string, null or an empty list is no answer. Answers to calculations and notes are
ignored (a calculation is always computed here); answers to fields hidden by `relevant` are
dropped, never required, never checked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from enforcement.errors import Unprocessable
from enforcement.forms import languages
from enforcement.forms.engine import Evaluation, evaluate_form, failures, plan_of
from enforcement.forms.model import FormDefinition, FormField
from enforcement.forms.xpath import plain

#: ODK's integers are 32-bit.
INTEGER_RANGE = (-(2**31), 2**31 - 1)
MAX_TEXT_CHARS = 2_000
_INTEGER_TEXT = re.compile(r"^[+-]?\d{1,10}$")
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LanguageNotInForm(Unprocessable):
    def __init__(self, form: FormDefinition, wanted: str) -> None:
        super().__init__(
            "language_not_in_form",
            f"the form has no language {wanted!r}; it has {', '.join(form.language_codes)}",
            details={"languages": form.language_codes},
        )


@dataclass(frozen=True)
class Problem:
    """One field's problem: `code` is required, constraint, not_integer, not_decimal,
    not_date, not_in_choices, not_text or unknown_field; `message` is in the asked language."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class CheckResult:
    """`problems` in survey order (unknown fields last), at most one per field; `answers` what
    to keep: the relevant answers in their JSON form and every relevant calculation's value;
    `dropped` the fields whose answers were ignored because `relevant` hides them;
    `expression_errors` (field, column, message) for the log: a form defect, never the
    traveller's."""

    problems: tuple[Problem, ...]
    answers: dict[str, Any]
    dropped: tuple[str, ...]
    expression_errors: tuple[tuple[str, str, str], ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def language_of(form: FormDefinition, lang: str) -> str:
    """The code of the form's language named `lang` (code or XLSForm name)."""
    try:
        return form.language(lang).code
    except KeyError:
        raise LanguageNotInForm(form, lang) from None


def check(
    form: FormDefinition,
    answers: Mapping[str, Any],
    lang: str,
    *,
    today: dt.date | None = None,
) -> CheckResult:
    """Every problem of `answers` at once. `today` is the date `today()` means (the port's
    local date; UTC's when not given)."""
    code = language_of(form, lang)
    plan = plan_of(form)
    typed: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    unknown: list[Problem] = []
    for name, answer in answers.items():
        try:
            item = form.field(name)
        except KeyError:
            unknown.append(Problem(name, "unknown_field", languages.message("unknown_field", code)))
            continue
        if not item.answered:
            continue
        value, problem = typed_answer(form, item, answer)
        if problem is not None:
            problems[name] = Problem(name, problem, _type_message(problem, code))
        elif value is not None:
            typed[name] = value
    evaluation = evaluate_form(plan, typed, today or dt.datetime.now(dt.UTC).date())
    dropped = tuple(
        name
        for name in answers
        if name in plan.parent
        and not evaluation.relevant.get(name, True)
        and not _empty(answers[name])
    )
    for name in dropped:
        problems.pop(name, None)  # a hidden field's answer is dropped, whatever it was
    for item, failure in failures(plan, evaluation):
        if item.name in problems:
            continue  # the type problem says more
        problems[item.name] = Problem(item.name, failure, _message(item, failure, code))
    ordered = [problems[item.name] for item in form.fields if item.name in problems]
    return CheckResult(
        problems=(*ordered, *unknown),
        answers=_kept(form, evaluation, typed),
        dropped=dropped,
        expression_errors=tuple(evaluation.errors),
    )


def typed_answer(form: FormDefinition, item: FormField, answer: Any) -> tuple[Any, str | None]:
    """(value of the field's type or None for no answer, problem code or None)."""
    if _empty(answer):
        return None, None
    kind = item.type
    if kind == "integer":
        return _integer(answer)
    if kind == "decimal":
        return _decimal(answer)
    if kind == "date":
        return _date(answer)
    if kind == "text":
        if isinstance(answer, str) and len(answer) <= MAX_TEXT_CHARS:
            return answer, None
        return None, "not_text"
    names = {choice.name for choice in form.choice_lists.get(item.choices or "", ())}
    if kind == "select_one":
        if isinstance(answer, str) and answer.strip() in names:
            return answer.strip(), None
        return None, "not_in_choices"
    codes = answer.split() if isinstance(answer, str) else answer
    if (
        isinstance(codes, list)
        and all(isinstance(code, str) and code in names for code in codes)
        and len(set(codes)) == len(codes)
    ):
        return list(codes), None
    return None, "not_in_choices"


def _empty(answer: Any) -> bool:
    return answer is None or answer == [] or (isinstance(answer, str) and not answer.strip())


def _integer(answer: Any) -> tuple[int | None, str | None]:
    if isinstance(answer, bool):
        return None, "not_integer"
    if isinstance(answer, str) and _INTEGER_TEXT.match(answer.strip()):
        answer = int(answer.strip())
    if isinstance(answer, float) and answer.is_integer():
        answer = int(answer)
    if isinstance(answer, int) and INTEGER_RANGE[0] <= answer <= INTEGER_RANGE[1]:
        return answer, None
    return None, "not_integer"


def _decimal(answer: Any) -> tuple[Decimal | None, str | None]:
    if isinstance(answer, bool):
        return None, "not_decimal"
    if isinstance(answer, int | float):
        if isinstance(answer, float) and not math.isfinite(answer):
            return None, "not_decimal"
        answer = repr(answer) if isinstance(answer, float) else str(answer)
        if "e" in answer.lower():
            return None, "not_decimal"
    if isinstance(answer, str) and _DECIMAL_TEXT.match(answer.strip()):
        try:
            return Decimal(answer.strip()), None
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    return None, "not_decimal"


def _date(answer: Any) -> tuple[dt.date | None, str | None]:
    if isinstance(answer, str) and _DATE_TEXT.match(answer.strip()):
        try:
            return dt.date.fromisoformat(answer.strip()), None
        except ValueError:
            pass
    return None, "not_date"


def _type_message(problem: str, code: str) -> str:
    if problem == "not_text":
        return languages.message(problem, code, max=MAX_TEXT_CHARS)
    return languages.message(problem, code)


def _message(item: FormField, failure: str, code: str) -> str:
    texts = item.required_message if failure == "required" else item.constraint_message
    return texts.get(code) or languages.message(failure, code)


def _kept(form: FormDefinition, evaluation: Evaluation, typed: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for item in form.fields:
        name = item.name
        if not evaluation.relevant.get(name, False):
            continue
        if item.type == "calculate":
            kept[name] = plain(evaluation.values.get(name))
        elif item.answered and name in typed:
            value = typed[name]
            if isinstance(value, dt.date):
                kept[name] = value.isoformat()
            elif isinstance(value, Decimal):
                kept[name] = str(value)
            else:
                kept[name] = value
    return kept
