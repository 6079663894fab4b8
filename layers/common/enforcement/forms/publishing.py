"""Publishing: an XLSForm (`.xlsx` bytes, or the same sheets as JSON) → a `FormDefinition`.

pyxform parses and checks it first (`pyxform.xls2xform.convert`, no ODK Validate: that needs
Java); a form it refuses is refused with its message. Then the project's own rules, all
reported at once, each naming what it concerns:

- the accepted subset: question types, columns, one name per field in the whole form;
- every label, hint, constraint and required message, and every choice label, in every
  language the form declares (pyxform only warns); a language is named with its code,
  `label::English (en)`;
- every expression parses, calls only whitelisted functions (`xpath.WHITELIST`), refers to
  fields of the form, and evaluates without error on an empty and on a filled-in form;
- no field's relevance or calculation depends on itself.

Pure: no I/O. The caller stores `definition.to_json()`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from enforcement.forms import languages as lang
from enforcement.forms.engine import dry_run, evaluation_order
from enforcement.forms.model import (
    ANSWERED,
    TEXT_COLUMNS,
    Choice,
    FormDefinition,
    FormField,
    Language,
)
from enforcement.forms.sheets import FormRejected, problem, read_sheets
from enforcement.forms.xpath import ExpressionError, compile_expression

#: pyxform's names of the accepted question types → ours.
TYPES: dict[str, str] = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "text": "text",
    "calculate": "calculate",
    "note": "note",
    "group": "group",
}
#: Keys of pyxform's element dict that the subset uses; any other is a column it does not.
_ELEMENT_KEYS = frozenset(
    {
        "type", "name", "label", "hint", "bind", "children", "choices", "itemset",
        "list_name", "parameters", "default", "_dynamic_default", "actions", "control",
    }
)  # fmt: skip
_BIND_COLUMNS = {
    "relevant": "relevant",
    "constraint": "constraint",
    "jr:constraintMsg": "constraint_message",
    "required": "required",
    "jr:requiredMsg": "required_message",
    "calculate": "calculation",
}
#: pyxform keys → the XLSForm column to name in a refusal.
_COLUMN_OF = {"readonly": "read_only", "guidance_hint": "guidance_hint", "media": "media"}


def publish(source: bytes | Mapping[str, Any]) -> FormDefinition:
    """Parse and check an XLSForm; the compiled definition, or FormRejected naming every
    problem."""
    sheets = read_sheets(source)
    try:
        result = convert(sheets, warnings=[], validate=False)
    except (PyXFormError, ValueError, KeyError, TypeError, IndexError) as error:
        raise FormRejected([problem("pyxform", f"pyxform: {error}")]) from None
    if result._pyxform is None:  # pragma: no cover - pyxform always sets it
        raise FormRejected([problem("pyxform", "pyxform returned no form")])
    return _Compiler(result._pyxform).compile()


class _Compiler:
    """pyxform's JSON form → FormDefinition, collecting every problem on the way."""

    def __init__(self, pyxform: dict[str, Any]) -> None:
        self.pyxform = pyxform
        self.problems: list[dict[str, str]] = []
        self.default_language = str(pyxform.get("default_language") or "")
        self.language_names: dict[str, None] = {}

    def compile(self) -> FormDefinition:
        raw = list(self._fields(self._children(self.pyxform), ()))
        self._check_names(raw)
        lists = self._choice_lists(raw)
        languages = self._languages()
        if not languages:
            raise FormRejected(self.problems)
        codes = {language.name: language.code for language in languages}
        fields = tuple(self._field(item, codes) for item in raw)
        choice_lists = {
            name: tuple(
                Choice(name=choice["name"], label=_by_code(choice["label"], codes))
                for choice in choices
            )
            for name, choices in lists.items()
        }
        self._check_translations(fields, choice_lists, languages)
        default = codes.get(self.default_language, languages[0].code)
        definition = FormDefinition(
            form_id=str(self.pyxform.get("id_string") or ""),
            version=str(self.pyxform.get("version") or ""),
            title=str(self.pyxform.get("title") or ""),
            languages=languages,
            default_language=default,
            fields=fields,
            choice_lists=choice_lists,
        )
        self._check_expressions(definition)
        if self.problems:
            raise FormRejected(self.problems)
        return definition.with_hash()

    # -- structure ---------------------------------------------------------------------------

    def _children(self, element: dict[str, Any]) -> list[dict[str, Any]]:
        children = list(element.get("children") or [])
        if element is self.pyxform and children and _is_meta(children[-1]):
            children.pop()  # pyxform's own meta/instanceID, not the author's
        return children

    def _fields(
        self, children: list[dict[str, Any]], group: tuple[str, ...]
    ) -> Iterator[dict[str, Any]]:
        for element in children:
            name = str(element.get("name") or "")
            kind = TYPES.get(str(element.get("type")))
            if kind is None:
                self.problems.append(
                    problem(
                        "unsupported_type",
                        f"field {name!r}: type {element.get('type')!r} is not supported "
                        "(select_one, select_multiple, integer, decimal, date, text, "
                        "calculate, note, begin/end group)",
                        field=name,
                    )
                )
                continue
            self._check_columns(element, name, kind)
            yield {**element, "_kind": kind, "_group": group}
            if kind == "group":
                yield from self._fields(self._children(element), (*group, name))

    def _check_columns(self, element: dict[str, Any], name: str, kind: str) -> None:
        columns = [key for key in element if key not in _ELEMENT_KEYS]
        bind = element.get("bind") or {}
        columns += [key for key in bind if key not in _BIND_COLUMNS]
        if element.get("parameters"):
            columns.append("parameters")
        control = element.get("control") or {}
        columns += [key for key in control if key != "appearance"]
        for column in columns:
            self.problems.append(
                problem(
                    "unsupported_column",
                    f"field {name!r}: column {_COLUMN_OF.get(column, column)!r} is not supported",
                    field=name,
                    column=_COLUMN_OF.get(column, column),
                )
            )
        if kind not in ANSWERED:
            for key, column in (
                ("constraint", "constraint"),
                ("required", "required"),
                ("jr:constraintMsg", "constraint_message"),
                ("jr:requiredMsg", "required_message"),
            ):
                if key in bind and not (key == "required" and _never(bind[key])):
                    self.problems.append(
                        problem(
                            "unsupported_column",
                            f"field {name!r}: a {kind} has no {column}",
                            field=name,
                            column=column,
                        )
                    )
        if "calculate" in bind and kind != "calculate":
            self.problems.append(
                problem(
                    "unsupported_column",
                    f"field {name!r}: only a calculate has a calculation",
                    field=name,
                    column="calculation",
                )
            )

    def _check_names(self, raw: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for element in raw:
            name = element["name"]
            if name in seen:
                self.problems.append(
                    problem(
                        "duplicate_name",
                        f"field name {name!r} is used twice: names are unique in the whole form",
                        field=name,
                    )
                )
            seen.add(name)

    def _choice_lists(self, raw: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        every: dict[str, Any] = self.pyxform.get("choices") or {}
        lists: dict[str, list[dict[str, Any]]] = {}
        for element in raw:
            list_name = element.get("list_name")
            if element["_kind"] in ("select_one", "select_multiple") and list_name:
                lists[list_name] = [
                    {**choice, "label": self._texts(choice.get("label"), list_name, "label")}
                    for choice in every.get(list_name, [])
                ]
                for choice in every.get(list_name, []):
                    extra = [key for key in choice if key not in ("name", "label")]
                    for column in extra:
                        self.problems.append(
                            problem(
                                "unsupported_column",
                                f"choice list {list_name!r}: column {column!r} is not supported",
                                choice_list=list_name,
                                column=column,
                            )
                        )
        for element in raw:
            for key, column in (("label", "label"), ("hint", "hint")):
                element[key] = self._texts(element.get(key), element["name"], column)
            bind = element.get("bind") or {}
            for key, column in (
                ("jr:constraintMsg", "constraint_message"),
                ("jr:requiredMsg", "required_message"),
            ):
                bind[key] = self._texts(bind.get(key), element["name"], column)
        return lists

    def _texts(self, value: Any, owner: str, column: str) -> dict[str, str]:
        """A translatable cell as {language name: text}; notes every language seen."""
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            if not self.default_language:
                self._no_language(owner, column)
                return {}
            value = {self.default_language: value}
        texts: dict[str, str] = {}
        for name, text in dict(value).items():
            if name == "default":
                self._no_language(owner, column)
                continue
            if str(text).strip():
                self.language_names.setdefault(str(name), None)
                texts[str(name)] = str(text)
        return texts

    def _no_language(self, owner: str, column: str) -> None:
        found = problem(
            "language_not_named",
            f"{owner!r}: column {column!r} names no language; write {column}::English (en)",
            field=owner,
            column=column,
        )
        if found not in self.problems:
            self.problems.append(found)

    def _languages(self) -> tuple[Language, ...]:
        languages: list[Language] = []
        codes: dict[str, str] = {}
        for name in self.language_names:
            code = lang.code_of(name)
            if code is None:
                self.problems.append(
                    problem(
                        "language_without_code",
                        f"language {name!r} has no code: write it as 'Name (code)', "
                        "e.g. 'English (en)'",
                        language=name,
                    )
                )
                continue
            if code.lower() in codes:
                self.problems.append(
                    problem(
                        "language_code_twice",
                        f"languages {codes[code.lower()]!r} and {name!r} have one code",
                        language=name,
                    )
                )
                continue
            codes[code.lower()] = name
            languages.append(Language(code=code, name=name, direction=lang.direction(code)))
        if not languages and not self.problems:
            self.problems.append(problem("no_language", "the form has no labels"))
        return tuple(languages)

    def _field(self, element: dict[str, Any], codes: dict[str, str]) -> FormField:
        bind = element.get("bind") or {}
        kind = element["_kind"]
        default = element.get("default")
        return FormField(
            name=element["name"],
            type=kind,
            group=element["_group"],
            label=_by_code(element["label"], codes),
            hint=_by_code(element["hint"], codes),
            constraint_message=_by_code(bind.get("jr:constraintMsg") or {}, codes),
            required_message=_by_code(bind.get("jr:requiredMsg") or {}, codes),
            choices=element.get("list_name") if kind.startswith("select") else None,
            relevant=_text_or_none(bind.get("relevant")),
            constraint=_text_or_none(bind.get("constraint")),
            required=_text_or_none(bind.get("required")),
            calculation=_text_or_none(bind.get("calculate")),
            default=_text_or_none(default),
            appearance=_text_or_none((element.get("control") or {}).get("appearance")),
        )

    # -- the project's rules -----------------------------------------------------------------

    def _check_translations(
        self,
        fields: tuple[FormField, ...],
        choice_lists: dict[str, tuple[Choice, ...]],
        languages: tuple[Language, ...],
    ) -> None:
        for item in fields:
            for column in TEXT_COLUMNS:
                texts: dict[str, str] = getattr(item, column)
                must = bool(texts) or (
                    column == "label" and item.type not in ("calculate", "group")
                )
                if must:
                    for language in languages:
                        if language.code not in texts:
                            self.problems.append(
                                problem(
                                    "missing_translation",
                                    f"field {item.name!r}: {column} has no {language.name} text",
                                    field=item.name,
                                    column=column,
                                    language=language.name,
                                )
                            )
        for list_name, choices in choice_lists.items():
            for choice in choices:
                for language in languages:
                    if language.code not in choice.label:
                        self.problems.append(
                            problem(
                                "missing_translation",
                                f"choice {choice.name!r} of list {list_name!r}: "
                                f"label has no {language.name} text",
                                choice_list=list_name,
                                choice=choice.name,
                                column="label",
                                language=language.name,
                            )
                        )

    def _check_expressions(self, definition: FormDefinition) -> None:
        names = {item.name: item for item in definition.fields}
        compiled_ok = True
        for item in definition.fields:
            for column, text in _expressions(item):
                try:
                    compiled = compile_expression(text)
                except ExpressionError as error:
                    compiled_ok = False
                    about = {"field": item.name, "column": column}
                    if error.function:
                        about["function"] = error.function
                    code = "function_not_allowed" if error.function else "invalid_expression"
                    self.problems.append(
                        problem(code, f"field {item.name!r}, {column}: {error}", **about)
                    )
                    continue
                for reference in compiled.references:
                    target = names.get(reference)
                    if target is None or target.type == "group":
                        compiled_ok = False
                        self.problems.append(
                            problem(
                                "unknown_reference",
                                f"field {item.name!r}, {column}: ${{{reference}}} is not a "
                                "field with a value",
                                field=item.name,
                                column=column,
                            )
                        )
        if not compiled_ok or self.problems:
            return  # the trial run needs a form that is otherwise sound
        cycle = evaluation_order(definition)[1]
        if cycle:
            self.problems.append(
                problem(
                    "cycle",
                    "relevance or calculation depends on itself: " + " → ".join(cycle),
                    field=cycle[0],
                )
            )
            return
        for name, column, message in dry_run(definition):
            self.problems.append(
                problem(
                    "expression_error",
                    f"field {name!r}, {column}: {message}",
                    field=name,
                    column=column,
                )
            )


def _expressions(item: FormField) -> Iterator[tuple[str, str]]:
    for column in ("relevant", "constraint", "calculation"):
        text = getattr(item, column)
        if text:
            yield column, text
    required = item.required_expression()
    if required:
        yield "required", required
    if item.default and _looks_dynamic(item.default):
        yield "default", item.default


def _looks_dynamic(default: str) -> bool:
    """pyxform's rule: a default with a call or a reference is an expression."""
    return "(" in default or "${" in default


def _is_meta(element: dict[str, Any]) -> bool:
    return element.get("name") == "meta" and (element.get("control") or {}).get("bodyless") is True


def _never(required: Any) -> bool:
    return str(required).strip().lower() in ("", "no", "false", "false()")


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _by_code(texts: dict[str, str], codes: dict[str, str]) -> dict[str, str]:
    return {codes[name]: text for name, text in texts.items() if name in codes}
