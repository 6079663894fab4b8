"""The compiled form: what publishing makes of an XLSForm, stored as canonical JSON.

A definition is immutable: its `content_hash` is SHA-256 of its canonical JSON (keys sorted,
no whitespace, ASCII with `\\uXXXX` escapes; every value is text, a list or an object, so the
bytes are the same everywhere). A changed form is a new definition with another hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

FieldType = Literal[
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "date",
    "text",
    "calculate",
    "note",
    "group",
]

#: Types whose answer the traveller gives (the others are computed or only shown).
ANSWERED: frozenset[str] = frozenset(
    {"select_one", "select_multiple", "integer", "decimal", "date", "text"}
)

#: The texts of a field that must exist in every language once they exist in one.
TEXT_COLUMNS: tuple[str, ...] = ("label", "hint", "constraint_message", "required_message")

#: Texts per language code.
Texts = dict[str, str]


class Language(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str  # as the XLSForm writes it: "English (en)"
    direction: Literal["ltr", "rtl"]


class Choice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    label: Texts


class FormField(BaseModel):
    """A question, calculation, note or group, in the order of the survey sheet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: FieldType
    group: tuple[str, ...] = ()  # names of the enclosing groups, outermost first
    label: Texts = Field(default_factory=dict)
    hint: Texts = Field(default_factory=dict)
    constraint_message: Texts = Field(default_factory=dict)
    required_message: Texts = Field(default_factory=dict)
    choices: str | None = None  # list_name of a select
    relevant: str | None = None
    constraint: str | None = None
    required: str | None = None  # as written: "yes", "no" or an expression
    calculation: str | None = None
    default: str | None = None
    appearance: str | None = None

    @property
    def answered(self) -> bool:
        return self.type in ANSWERED

    def required_expression(self) -> str | None:
        """`required` as an expression: None when never required."""
        text = (self.required or "").strip()
        lowered = text.lower()
        if lowered in ("", "no", "false", "false()"):
            return None
        if lowered in ("yes", "true", "true()"):
            return "true()"
        return text


class FormDefinition(BaseModel):
    """A published form version. `content_hash` covers every other field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    form_id: str
    version: str  # settings.version as written ("" when absent)
    title: str
    languages: tuple[Language, ...]
    default_language: str  # a code
    fields: tuple[FormField, ...]
    choice_lists: dict[str, tuple[Choice, ...]]
    content_hash: str = ""
    _by_name: dict[str, FormField] | None = PrivateAttr(default=None)

    def canonical_json(self) -> bytes:
        """The definition without its hash, canonical: what the hash is of."""
        return canonical(self.model_dump(mode="json", exclude={"content_hash"}))

    def with_hash(self) -> FormDefinition:
        digest = hashlib.sha256(self.canonical_json()).hexdigest()
        return self.model_copy(update={"content_hash": digest})

    def to_json(self) -> bytes:
        """What to store: canonical JSON of the whole definition, hash included."""
        return canonical(self.model_dump(mode="json"))

    @classmethod
    def from_json(cls, data: bytes | str) -> FormDefinition:
        """A stored definition read back; refused when its hash does not match its content."""
        definition = cls.model_validate_json(data)
        if definition.with_hash().content_hash != definition.content_hash:
            raise ValueError("the form definition does not match its content_hash")
        return definition

    def field(self, name: str) -> FormField:
        """The field named `name`; KeyError when there is none."""
        if self._by_name is None:
            self._by_name = {item.name: item for item in self.fields}
        return self._by_name[name]

    def language(self, wanted: str) -> Language:
        """The language named by its code (`ja`, case-insensitive) or by its XLSForm name.
        Raises KeyError when the form does not have it."""
        lowered = wanted.strip().lower()
        for language in self.languages:
            if language.code.lower() == lowered or language.name.lower() == lowered:
                return language
        raise KeyError(wanted)

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
