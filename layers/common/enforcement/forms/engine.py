"""A form's expressions over a set of answers: relevance, calculations, then required and
constraint. The order of evaluation is the fields' dependencies (a field after the fields its
`relevant` and `calculation` read, and after its group), computed once per form.

A field is relevant when its `relevant` holds and so does every enclosing group's. A field that
is not relevant has no value: expressions see it empty, it is never required, never checked,
and its answer is dropped. A calculation is always the backend's own.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock
from typing import Any

from elementpath import XPathContext

from enforcement.forms.model import FormDefinition, FormField
from enforcement.forms.odk import BLANK, TODAY_VARIABLE, odk_date
from enforcement.forms.xpath import (
    Compiled,
    ExpressionError,
    compile_expression,
    evaluate,
    new_context,
    truth,
    value_of,
)

_PLAN_CACHE_SIZE = 64


@dataclass(frozen=True)
class Plan:
    """A form ready to evaluate: its fields in dependency order and every expression parsed."""

    definition: FormDefinition
    order: tuple[FormField, ...]
    parent: dict[str, str | None]
    relevant: dict[str, Compiled]
    calculation: dict[str, Compiled]
    required: dict[str, Compiled]
    constraint: dict[str, Compiled]


@dataclass
class Evaluation:
    """What the expressions decided: which fields are relevant, every field's value as the
    expressions see it (answers typed, calculations computed), and any expression that failed
    (name, column, message)."""

    relevant: dict[str, bool]
    values: dict[str, Any]
    context: XPathContext
    errors: list[tuple[str, str, str]] = field(default_factory=list)


_plans: OrderedDict[str, Plan] = OrderedDict()
_plans_lock = Lock()


def plan_of(definition: FormDefinition) -> Plan:
    """The form's plan, made once per process and form version (by content hash)."""
    key = definition.content_hash
    if not key:
        return _make_plan(definition)
    with _plans_lock:
        plan = _plans.get(key)
        if plan is not None:
            _plans.move_to_end(key)
            return plan
    plan = _make_plan(definition)
    with _plans_lock:
        _plans[key] = plan
        while len(_plans) > _PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return plan


def _make_plan(definition: FormDefinition) -> Plan:
    order, cycle = evaluation_order(definition)
    if cycle:
        raise ExpressionError("relevance or calculation depends on itself: " + " → ".join(cycle))
    relevant: dict[str, Compiled] = {}
    calculation: dict[str, Compiled] = {}
    required: dict[str, Compiled] = {}
    constraint: dict[str, Compiled] = {}
    for item in definition.fields:
        if item.relevant:
            relevant[item.name] = compile_expression(item.relevant)
        if item.calculation:
            calculation[item.name] = compile_expression(item.calculation)
        required_text = item.required_expression()
        if required_text and item.answered:
            required[item.name] = compile_expression(required_text)
        if item.constraint and item.answered:
            constraint[item.name] = compile_expression(item.constraint)
    parent = {item.name: (item.group[-1] if item.group else None) for item in definition.fields}
    return Plan(definition, order, parent, relevant, calculation, required, constraint)


def _dependencies(item: FormField) -> list[str]:
    names: list[str] = [item.group[-1]] if item.group else []
    for text in (item.relevant, item.calculation):
        if text:
            names.extend(compile_expression(text).references)
    return names


def evaluation_order(definition: FormDefinition) -> tuple[tuple[FormField, ...], tuple[str, ...]]:
    """The fields with every field after those it depends on, in survey order otherwise; and
    a cycle (names, first repeated at the end) when there is one, else ()."""
    by_name = {item.name: item for item in definition.fields}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    order: list[FormField] = []
    path: list[str] = []

    def visit(name: str) -> tuple[str, ...]:
        if state.get(name) == 2 or name not in by_name:
            return ()
        if state.get(name) == 1:
            return (*path[path.index(name) :], name)
        state[name] = 1
        path.append(name)
        for dependency in _dependencies(by_name[name]):
            cycle = visit(dependency)
            if cycle:
                return cycle
        path.pop()
        state[name] = 2
        order.append(by_name[name])
        return ()

    for item in definition.fields:
        cycle = visit(item.name)
        if cycle:
            return (), cycle
    return tuple(order), ()


def evaluate_form(plan: Plan, typed: Mapping[str, Any], today: dt.date) -> Evaluation:
    """Relevance and values of every field, for answers already of their types (see
    `answers.typed_answer`)."""
    context = new_context({TODAY_VARIABLE: odk_date(today)})
    variables: dict[str, Any] = context.variables
    relevant: dict[str, bool] = {}
    result = Evaluation(relevant, variables, context)
    for item in plan.order:
        name = item.name
        parent = plan.parent[name]
        shown = relevant[parent] if parent is not None else True
        expression = plan.relevant.get(name)
        if shown and expression is not None:
            shown = _holds(result, name, "relevant", expression, True)
        relevant[name] = shown
        if not shown:
            variables[name] = BLANK
        elif name in plan.calculation:
            try:
                variables[name] = evaluate(plan.calculation[name], context)
            except ExpressionError as error:
                result.errors.append((name, "calculation", str(error)))
                variables[name] = BLANK
        elif item.answered:
            variables[name] = value_of(item.type, typed.get(name))
        else:
            variables[name] = BLANK
    return result


def failures(plan: Plan, evaluation: Evaluation) -> Iterator[tuple[FormField, str]]:
    """(field, "required" | "constraint") for each relevant answered field that fails, in
    survey order: required when it is empty and `required` holds; constraint when it has an
    answer and `constraint` does not hold (`.` is the answer)."""
    for item in plan.definition.fields:
        name = item.name
        if not item.answered or not evaluation.relevant.get(name, False):
            continue
        value = evaluation.values.get(name, BLANK)
        if value is BLANK:
            expression = plan.required.get(name)
            if expression is not None and _holds(evaluation, name, "required", expression, True):
                yield item, "required"
        else:
            expression = plan.constraint.get(name)
            if expression is not None and not _holds(
                evaluation, name, "constraint", expression, False, item=value
            ):
                yield item, "constraint"


def _holds(
    evaluation: Evaluation,
    name: str,
    column: str,
    expression: Compiled,
    on_error: bool,
    item: Any = BLANK,
) -> bool:
    """The expression's truth; `on_error` when it fails (recorded): a relevance that fails
    shows the field, a required that fails requires it, a constraint that fails refuses."""
    try:
        return truth(evaluate(expression, evaluation.context, item))
    except ExpressionError as error:
        evaluation.errors.append((name, column, str(error)))
        return on_error


def sample_answer(definition: FormDefinition, item: FormField) -> Any:
    """A plausible answer of the field's type (publish's trial run)."""
    if item.type == "integer":
        return 1
    if item.type == "decimal":
        return Decimal("1.5")
    if item.type == "date":
        return dt.date(2000, 1, 1)
    if item.type in ("select_one", "select_multiple"):
        choices = definition.choice_lists.get(item.choices or "", ())
        first = choices[0].name if choices else "a"
        return first if item.type == "select_one" else [first]
    return "a"


def dry_run(definition: FormDefinition) -> list[tuple[str, str, str]]:
    """Every expression error on an empty form and on a form with every field answered:
    (field, column, message), each once. What the engine cannot evaluate is refused at publish
    rather than met by a traveller."""
    plan = _make_plan(definition)
    today = dt.date(2026, 1, 1)
    filled = {item.name: sample_answer(definition, item) for item in definition.fields}
    errors: dict[tuple[str, str, str], None] = {}
    for typed in ({}, filled):
        evaluation = evaluate_form(plan, typed, today)
        list(failures(plan, evaluation))
        for item in definition.fields:
            if item.default and ("(" in item.default or "${" in item.default):
                try:
                    evaluate(compile_expression(item.default), evaluation.context)
                except ExpressionError as failed:
                    evaluation.errors.append((item.name, "default", str(failed)))
        for found in evaluation.errors:
            errors.setdefault(found, None)
    return list(errors)
