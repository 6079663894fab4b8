"""ODK expressions: parsed once, judged against the whitelist, evaluated.

An expression is written as in XLSForm: `${name}` names another field's answer, `.` the
field's own. Before parsing, each `${name}` (outside string literals) becomes the variable
`($name)`; nothing else of the text is rewritten. The parser and the values are ODK's dialect
on elementpath (`enforcement.forms.odk`); the tree a parse gives may hold only literals,
variables, `.`, operators and whitelisted functions (no paths).

`compile_expression` parses once and keeps the result per process (`functools.lru_cache`):
a form's expressions are parsed on first use, then only evaluated.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from elementpath import XPathContext
from elementpath.datatypes import AbstractDateTime, UntypedAtomic
from elementpath.exceptions import ElementPathError
from elementpath.xpath_tokens import XPathToken

from enforcement.forms.odk import (
    BLANK,
    PARSER,
    odk_date,
    single,
)

#: `${name}` in an XLSForm expression.
REFERENCE = re.compile(r"\$\{([^}]*)\}")
_STRING_OR_REFERENCE = re.compile(r"'[^']*'|\"[^\"]*\"|\$\{([^}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

#: Every function an expression may call: XPath's own that ODK forms use, and ODK's.
#: A form calling anything else is refused at publish, naming the function and the field.
WHITELIST: frozenset[str] = frozenset(
    {
        # logic and choices
        "if",
        "coalesce",
        "not",
        "true",
        "false",
        "boolean",
        "selected",
        "count-selected",
        "selected-at",
        # text
        "string",
        "string-length",
        "concat",
        "contains",
        "starts-with",
        "ends-with",
        "substring",
        "substring-before",
        "substring-after",
        "normalize-space",
        "translate",
        "regex",
        # numbers
        "number",
        "int",
        "round",
        "floor",
        "ceiling",
        "abs",
        # dates
        "today",
        "date",
        "decimal-date-time",
    }
)

#: Token symbols an expression may contain besides whitelisted functions: literals, the
#: `${…}` variables, `.`, parentheses, commas, arithmetic, comparison and logic. No paths.
_ALLOWED_SYMBOLS: frozenset[str] = frozenset(
    {
        "(string)",
        "(integer)",
        "(decimal)",
        "(float)",
        "$",
        ".",
        "(",
        ",",
        "+",
        "-",
        "*",
        "div",
        "mod",
        "idiv",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "and",
        "or",
        "if",
    }
)


class ExpressionError(ValueError):
    """An expression that cannot be used: its text says why (syntax, a function, a path).
    `function` names a function off the whitelist."""

    def __init__(self, message: str, function: str | None = None) -> None:
        super().__init__(message)
        self.function = function


@dataclass(frozen=True)
class Compiled:
    """A parsed expression: the text as written, the fields it reads, the functions it calls."""

    text: str
    root: XPathToken
    references: tuple[str, ...]
    functions: tuple[str, ...]


def references_of(text: str) -> tuple[str, ...]:
    """The `${name}` references outside string literals, each once, in order."""
    seen: dict[str, None] = {}
    for match in _STRING_OR_REFERENCE.finditer(text):
        if match.group(1) is not None:
            seen.setdefault(match.group(1).strip(), None)
    return tuple(seen)


def _to_variables(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)
        name = name.strip()
        if not _NAME.match(name):
            raise ExpressionError(f"${{{name}}} is not a field name")
        return f"(${name})"

    return _STRING_OR_REFERENCE.sub(replace, text)


def _walk(token: XPathToken) -> Iterator[XPathToken]:
    yield token
    if token.symbol != "$":
        for child in token:
            yield from _walk(child)


_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?)\s*\(")
_OPERATOR_WORDS = frozenset({"and", "or", "div", "mod", "idiv", "if"})


def functions_called(text: str) -> tuple[str, ...]:
    """Names written as calls (`name(`), outside string literals: what the whitelist judges,
    also when the engine would not know the name at all."""
    names: dict[str, None] = {}
    for part in re.split(r"'[^']*'|\"[^\"]*\"|\$\{[^}]*\}", text):
        for match in _FUNCTION_CALL.finditer(part):
            start = match.start()
            if start and (part[start - 1].isalnum() or part[start - 1] in "_.-$"):
                continue
            name = match.group(1)
            if name not in _OPERATOR_WORDS:
                names.setdefault(name, None)
    return tuple(names)


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> Compiled:
    """Parse once per process. Raises ExpressionError naming a function off the whitelist, a
    path, or the parser's syntax error."""
    functions = functions_called(text)
    outside = [name for name in functions if name not in WHITELIST]
    if outside:
        raise ExpressionError(f"function {outside[0]}() is not allowed", outside[0])
    try:
        root = PARSER.parse(_to_variables(text))
    except (ElementPathError, ArithmeticError, ValueError, TypeError) as error:
        raise ExpressionError(f"invalid expression: {error}") from None
    for token in _walk(root):
        symbol = token.symbol
        if "function" in str(token.label):
            if symbol not in WHITELIST:
                raise ExpressionError(f"function {symbol}() is not allowed", symbol)
        elif symbol not in _ALLOWED_SYMBOLS:
            raise ExpressionError(
                f"{symbol!r} is not allowed: refer to fields as ${{name}}, not by paths"
            )
    return Compiled(text, root, references_of(text), functions)


def new_context(variables: Mapping[str, Any]) -> XPathContext:
    """A dynamic context to evaluate many expressions in: its `variables` dict may be updated
    between evaluations (elementpath converts variables once, at construction: the costly
    part of a fresh context)."""
    return XPathContext(root=None, item=BLANK, variables=dict(variables))


def evaluate(
    compiled: Compiled, variables: Mapping[str, Any] | XPathContext, item: Any = BLANK
) -> Any:
    """The expression's value. `variables` maps field names (and `__today`) to values made
    by `value_of`, or is a context from `new_context`; `item` is `.`. Raises ExpressionError
    when the engine fails."""
    if isinstance(variables, XPathContext):
        context = variables
        context.item = item
    else:
        context = XPathContext(root=None, item=item, variables=dict(variables))
    try:
        return compiled.root.evaluate(context)
    except (ElementPathError, ArithmeticError, ValueError, TypeError) as error:
        raise ExpressionError(f"{compiled.text}: {error}") from None


def truth(value: Any) -> bool:
    """XPath's effective boolean value, as `boolean()`."""
    if isinstance(value, list):
        if not value:
            return False
        if len(value) > 1:
            return True
        value = value[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | decimal.Decimal):
        return value != 0
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str | UntypedAtomic):
        return str(value) != ""
    return True


def value_of(kind: str, answer: Any) -> Any:
    """An answer as an expression sees it (see the module's docstring). `answer` is already
    of its type: int, Decimal, datetime.date, str, or a list of codes."""
    if answer is None or answer == "" or answer == []:
        return BLANK
    if kind == "date" and isinstance(answer, dt.date):
        return odk_date(answer)
    if kind == "select_multiple" and isinstance(answer, list | tuple):
        return " ".join(answer)
    return answer


def plain(value: Any) -> Any:
    """An expression's result as JSON: a number, text, true/false, a date as YYYY-MM-DD,
    None for nothing (an empty sequence, NaN, an empty string)."""
    value = single(value) if isinstance(value, list) else value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, AbstractDateTime):
        text = str(value)
        return text or None
    text = str(value)
    return text if text != "" else None
