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


class Labeller:
    """A form's texts in one language, looked up by name: what labelling many answers needs
    (an export labels ~35 answers of each of 18,400 declarations). Built once per form
    content and language (`labeller`)."""

    def __init__(self, form: FormDefinition, code: str) -> None:
        fallback = form.default_language
        self.fields: dict[str, FormField] = {item.name: item for item in form.fields}
        self.questions = {
            item.name: item.label.get(code) or item.label.get(fallback) or item.name
            for item in form.fields
        }
        self.choices = {
            list_name: {c.name: c.label.get(code) or c.label.get(fallback) or c.name for c in items}
            for list_name, items in form.choice_lists.items()
        }

    def question(self, name: str) -> str:
        """The field's label, else in the form's default language, else its name (a
        calculation, or a field the form does not have)."""
        return self.questions.get(name, name)

    def text(self, name: str, value: Any) -> str:
        """An answer as text: select answers by their choices' labels (select_multiple joined
        by `SEPARATOR`, in the order answered; a name the list lacks as itself), a list's
        items joined, anything else as written; no answer is the empty text."""
        if value is None:
            return ""
        item = self.fields.get(name)
        if item is not None and item.choices:
            labels = self.choices.get(item.choices, {})
            if item.type == "select_one" or not isinstance(value, list | str):
                values = [str(value)]
            else:
                values = value if isinstance(value, list) else value.split()
            return SEPARATOR.join(labels.get(str(v), str(v)) for v in values)
        if isinstance(value, list):
            return SEPARATOR.join(str(v) for v in value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)


_LABELLERS: dict[tuple[str, str], Labeller] = {}
_LABELLERS_KEPT = 64


def labeller(form: FormDefinition, code: str) -> Labeller:
    """The form's `Labeller` in language `code`, kept per process (a form's content does not
    change under its hash)."""
    key = (form.content_hash or str(id(form)), code)
    found = _LABELLERS.get(key)
    if found is None:
        if len(_LABELLERS) >= _LABELLERS_KEPT:
            _LABELLERS.clear()
        found = _LABELLERS[key] = Labeller(form, code)
    return found


def question_label(form: FormDefinition, name: str, code: str) -> str:
    """The field's label in language `code` (see `Labeller.question`)."""
    return labeller(form, code).question(name)


def answer_text(form: FormDefinition, name: str, value: Any, code: str) -> str:
    """An answer as text in language `code` (see `Labeller.text`)."""
    return labeller(form, code).text(name, value)


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
