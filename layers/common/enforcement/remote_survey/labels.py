"""A declaration's answers shown in a reader's language (pure).

Select answers are stored as choice names (codes), so they translate themselves: the label of
each is read from the form's choice list in the language asked for. Questions are labelled
with the form's label in that language; calculations the backend computed are listed too.
Used for an officer's scan (in the officer's language), and for anything else that shows
answers to a person (diffs, exports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from enforcement import health
from enforcement.forms import FormDefinition, FormField
from enforcement.forms.answers import language_of

#: The fields of the arrival form a summary reads.
SYMPTOMS = "symptoms"
TEMPERATURE = "temperature"
HAS_FEVER = "has_fever"


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
class LabelledAnswer:
    name: str
    type: str
    group: tuple[str, ...]
    label: str
    value: Any  # as stored: a choice name, a list of them, a number as text, a date
    value_label: str | list[str] | None  # the chosen choices' labels (selects only)


def labelled(
    form: FormDefinition,
    answers: Mapping[str, Any],
    computed: Mapping[str, Any] | None,
    lang: str,
) -> list[LabelledAnswer]:
    """Every answered or computed field, in the form's order, labelled in `lang` (a code of
    the form, or its XLSForm name; 422 `language_not_in_form` otherwise)."""
    code = language_of(form, lang)
    values = {**(computed or {}), **answers}
    shown: list[LabelledAnswer] = []
    for item in form.fields:
        if item.name not in values or values[item.name] in (None, "", []):
            continue
        value = values[item.name]
        shown.append(
            LabelledAnswer(
                name=item.name,
                type=item.type,
                group=item.group,
                label=labeller(form, code).question(item.name),
                value=value,
                value_label=choice_labels(form, item.choices, value, code),
            )
        )
    return shown


def choice_labels(
    form: FormDefinition, list_name: str | None, value: Any, code: str
) -> str | list[str] | None:
    """The label in `code` of a choice name (or of each of a list of them); None for a field
    without choices. A name the list does not have is shown as itself."""
    if not list_name:
        return None
    labels = labeller(form, code).choices.get(list_name, {})
    if isinstance(value, list):
        return [labels.get(str(name), str(name)) for name in value]
    return labels.get(str(value), str(value))


@dataclass(frozen=True)
class HealthSummary:
    symptoms: list[str]  # choice names, "none" left out
    symptom_labels: list[str]
    temperature: str | None
    has_fever: str | None


def health_summary(
    form: FormDefinition, answers: Mapping[str, Any], computed: Mapping[str, Any] | None, lang: str
) -> HealthSummary:
    """What an officer reads first: the symptoms declared (labelled in `lang`), the measured
    temperature and whether the form computed a fever."""
    code = language_of(form, lang)
    raw = answers.get(SYMPTOMS) or []
    symptoms = health.symptoms_of(
        [str(n) for n in (raw if isinstance(raw, list) else str(raw).split())]
    )
    try:
        list_name = form.field(SYMPTOMS).choices
    except KeyError:
        list_name = None
    labels = choice_labels(form, list_name, symptoms, code) if list_name else symptoms
    temperature = answers.get(TEMPERATURE)
    fever = (computed or {}).get(HAS_FEVER)
    return HealthSummary(
        symptoms=symptoms,
        symptom_labels=list(labels) if isinstance(labels, list) else [],
        temperature=None if temperature in (None, "") else str(temperature),
        has_fever=None if fever in (None, "") else str(fever),
    )
