"""What a mini-program needs to draw a form in one language: the questions (groups nested),
their choices, labels, hints and messages in that language, and the expressions as written,
for the phone's own convenience checks (the backend checks again on submit)."""

from __future__ import annotations

from typing import Any

from enforcement.forms import languages
from enforcement.forms.answers import MAX_TEXT_CHARS, language_of
from enforcement.forms.model import FormDefinition, FormField

_EXPRESSIONS = ("relevant", "constraint", "required", "calculation", "default", "appearance")
_TEXTS = ("label", "hint", "constraint_message", "required_message")


def render(form: FormDefinition, lang: str) -> dict[str, Any]:
    """The form in `lang` (a code such as `ja`, or the XLSForm name `Japanese (ja)`).

    `{form_id, version, content_hash, title, language, direction ("rtl" for Arabic and other
    right-to-left languages), languages: [codes], messages: {problem code: text},
    questions: [...]}`; a question has `name`, `type` and, where the form has them, the texts
    in that language, `choices: [{name, label}]`, the expressions as written; a group has
    `children`. Keys the form leaves empty are left out."""
    code = language_of(form, lang)
    root: list[dict[str, Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in form.fields:
        question = _question(form, item, code)
        siblings = groups[item.group[-1]] if item.group else root
        siblings.append(question)
        if item.type == "group":
            groups[item.name] = question["children"] = []
    return {
        "form_id": form.form_id,
        "version": form.version,
        "content_hash": form.content_hash,
        "title": form.title,
        "language": code,
        "direction": languages.direction(code),
        "languages": form.language_codes,
        "messages": {
            name: languages.message(name, code, max=MAX_TEXT_CHARS)
            if name == "not_text"
            else languages.message(name, code)
            for name in languages.MESSAGES
        },
        "questions": root,
    }


def _question(form: FormDefinition, item: FormField, code: str) -> dict[str, Any]:
    question: dict[str, Any] = {"name": item.name, "type": item.type}
    for column in _TEXTS:
        text = getattr(item, column).get(code)
        if text:
            question[column] = text
    for column in _EXPRESSIONS:
        value = getattr(item, column)
        if value:
            question[column] = value
    if item.choices:
        question["choices"] = [
            {"name": choice.name, "label": choice.label.get(code, "")}
            for choice in form.choice_lists.get(item.choices, ())
        ]
    return question
