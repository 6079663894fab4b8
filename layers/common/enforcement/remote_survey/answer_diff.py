"""The difference between two versions of a declaration's answers, labelled in a language of
the form (`labels`). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from enforcement.forms import FormDefinition
from enforcement.remote_survey.labels import answer_text, question_label


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
