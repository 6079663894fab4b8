"""A declaration's answers as a person reads them, in a language of the form: questions by
their label, select answers by their choices' labels (answers are stored as choice names, so
they translate themselves), and the difference between two versions. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from enforcement.forms import FormDefinition, FormField

#: Between the labels of a select_multiple answer.
SEPARATOR = "; "


def question_label(form: FormDefinition, name: str, code: str) -> str:
    """The field's label in language `code`, else in the form's default language, else its
    name (a calculation or a field the form no longer has)."""
    try:
        item = form.field(name)
    except KeyError:
        return name
    return item.label.get(code) or item.label.get(form.default_language) or name


def _choice_label(form: FormDefinition, item: FormField, value: str, code: str) -> str:
    for choice in form.choice_lists.get(item.choices or "", ()):
        if choice.name == value:
            return choice.label.get(code) or choice.label.get(form.default_language) or value
    return value


def answer_text(form: FormDefinition, name: str, value: Any, code: str) -> str:
    """An answer as text in language `code`: select answers by their choices' labels
    (select_multiple joined by `SEPARATOR`, in the order answered), a list's items joined,
    anything else as written; no answer is the empty text."""
    if value is None:
        return ""
    try:
        item: FormField | None = form.field(name)
    except KeyError:
        item = None
    if item is not None and item.choices:
        values = value if isinstance(value, list) else str(value).split()
        if item.type == "select_one":
            values = [str(value)]
        return SEPARATOR.join(_choice_label(form, item, str(v), code) for v in values)
    if isinstance(value, list):
        return SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(frozen=True)
class Change:
    """One answer that differs between two versions: `kind` added (no answer before),
    removed (no answer after) or changed; the values as stored and as labelled."""

    field: str
    kind: str
    label: str
    before: Any
    after: Any
    before_text: str
    after_text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "kind": self.kind,
            "label": self.label,
            "before": self.before,
            "after": self.after,
            "before_text": self.before_text,
            "after_text": self.after_text,
        }


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _same(a: Any, b: Any) -> bool:
    """Equal answers: a select_multiple's choices in any order are the same answer."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b)


def diff(
    form: FormDefinition, before: Mapping[str, Any], after: Mapping[str, Any], code: str
) -> list[Change]:
    """Every answer that differs from `before` to `after`, in the form's survey order (fields
    the form does not name last, by name), labelled in language `code` of `form` (the later
    version's form). An empty answer (null, "", []) is no answer."""
    order = {item.name: i for i, item in enumerate(form.fields)}
    names = sorted(
        {*before, *after}, key=lambda name: (name not in order, order.get(name, 0), name)
    )
    changes: list[Change] = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if _empty(old) and _empty(new):
            continue
        if _empty(old):
            kind = "added"
        elif _empty(new):
            kind = "removed"
        elif _same(old, new):
            continue
        else:
            kind = "changed"
        changes.append(
            Change(
                field=name,
                kind=kind,
                label=question_label(form, name, code),
                before=None if _empty(old) else old,
                after=None if _empty(new) else new,
                before_text=answer_text(form, name, None if _empty(old) else old, code),
                after_text=answer_text(form, name, None if _empty(new) else new, code),
            )
        )
    return changes
