"""ODK expressions on a real XPath engine: elementpath's XPath 2.0 parser in XPath 1.0
compatibility mode, with the ODK functions of the whitelist added.

An expression is written as in XLSForm: `${name}` names another field's answer, `.` the
field's own. Before parsing, each `${name}` (outside string literals) becomes the variable
`($name)`; nothing else of the text is rewritten. Values follow JavaRosa's (ODK Collect's)
rules: an unanswered field is an empty string that counts as NaN in a comparison or sum; a
date is an `xs:date` that counts as its number of days since 1970-01-01 in arithmetic and in
`<`, `>` (so `today() - ${arrival} <= 14` works as on the phone); a select_multiple answer is
its codes separated by spaces.

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

from elementpath import XPath2Parser, XPathContext
from elementpath.datatypes import AbstractDateTime, Date, UntypedAtomic
from elementpath.exceptions import ElementPathError
from elementpath.xpath_tokens import XPathFunction, XPathToken

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

EPOCH = dt.date(1970, 1, 1)
TODAY_VARIABLE = "__today"


class ExpressionError(ValueError):
    """An expression that cannot be used: its text says why (syntax, a function, a path).
    `function` names a function off the whitelist."""

    def __init__(self, message: str, function: str | None = None) -> None:
        super().__init__(message)
        self.function = function


class Blank(str):
    """An unanswered (or hidden) field: the empty string, NaN in numeric comparisons."""

    __slots__ = ()

    def __float__(self) -> float:
        return math.nan


BLANK = Blank("")


class OdkDate(Date):
    """An `xs:date` that, like JavaRosa's dates, is its day count where a number is wanted."""

    def __float__(self) -> float:
        return float(days_of(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other.strip()
        return bool(super().__eq__(other))

    def __hash__(self) -> int:
        return super().__hash__()


def days_of(value: Date) -> int:
    return (dt.date(value.year, value.month, value.day) - EPOCH).days


def odk_date(day: dt.date) -> OdkDate:
    return OdkDate(day.year, day.month, day.day)


def date_of_days(days: float) -> OdkDate:
    return odk_date(EPOCH + dt.timedelta(days=math.floor(days)))


class OdkParser(XPath2Parser):
    """XPath 2.0 in 1.0 compatibility mode, plus ODK's functions and `if(c, a, b)`."""


_method = OdkParser.method


def _function(name: str, nargs: int) -> type[XPathFunction]:
    """A function token of this parser only: a name XPath 2.0 already has (its `date` and
    `int` constructors) is replaced here, never in elementpath's own table."""
    if name in OdkParser.symbol_table:
        OdkParser.unregister(name)
    return OdkParser.function(name, nargs=nargs)


def _text(token: XPathToken, context: Any, index: int) -> str:
    value = token.get_argument(context, index=index)
    return "" if value is None else token.string_value(value)


def _number(value: Any) -> float | int | decimal.Decimal:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, Date):
        return days_of(value)
    try:
        return float(str(value).strip() or "nan")
    except ValueError:
        return math.nan


@_method(_function("selected", nargs=2))
def evaluate__selected(self: XPathFunction, context: Any = None) -> bool:
    return _text(self, context, 1).strip() in _text(self, context, 0).split()


@_method(_function("count-selected", nargs=1))
def evaluate__count_selected(self: XPathFunction, context: Any = None) -> int:
    return len(_text(self, context, 0).split())


@_method(_function("selected-at", nargs=2))
def evaluate__selected_at(self: XPathFunction, context: Any = None) -> str:
    codes = _text(self, context, 0).split()
    at = _number(self.get_argument(context, index=1))
    if isinstance(at, float) and not math.isfinite(at):
        return ""
    return codes[int(at)] if 0 <= int(at) < len(codes) else ""


@_method(_function("regex", nargs=2))
def evaluate__regex(self: XPathFunction, context: Any = None) -> bool:
    return _compiled_regex(_text(self, context, 1)).search(_text(self, context, 0)) is not None


@lru_cache(maxsize=256)
def _compiled_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None


@_method(_function("coalesce", nargs=2))
def evaluate__coalesce(self: XPathFunction, context: Any = None) -> Any:
    for index in (0, 1):
        value = self.get_argument(context, index=index)
        if value is not None and self.string_value(value) != "":
            return value
    return BLANK


@_method(_function("today", nargs=0))
def evaluate__today(self: XPathFunction, context: Any = None) -> OdkDate:
    today = context.variables.get(TODAY_VARIABLE) if context is not None else None
    return today if isinstance(today, OdkDate) else odk_date(dt.date.today())


@_method(_function("int", nargs=1))
def evaluate__int(self: XPathFunction, context: Any = None) -> float | int:
    number = _number(self.get_argument(context, index=0))
    if isinstance(number, float) and not math.isfinite(number):
        return number
    return int(number)  # toward zero, as ODK's int()


@_method(_function("date", nargs=1))
def evaluate__date(self: XPathFunction, context: Any = None) -> OdkDate | Blank:
    value = self.get_argument(context, index=0)
    if isinstance(value, Date):
        return odk_date(dt.date(value.year, value.month, value.day))
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return date_of_days(float(value)) if math.isfinite(value) else BLANK
    text = "" if value is None else self.string_value(value).strip()
    try:
        return odk_date(dt.date.fromisoformat(text[:10]))
    except ValueError:
        return BLANK


@_method(_function("decimal-date-time", nargs=1))
def evaluate__decimal_date_time(self: XPathFunction, context: Any = None) -> float:
    value = self.get_argument(context, index=0)
    if isinstance(value, Date):
        return float(days_of(value))
    text = "" if value is None else self.string_value(value).strip()
    try:
        return float((dt.date.fromisoformat(text[:10]) - EPOCH).days)
    except ValueError:
        return math.nan


# `if` is a keyword of XPath 2.0 (`if (c) then a else b`); ODK writes `if(c, a, b)`.
_XPATH_IF = OdkParser.symbol_table["if"]
OdkParser.unregister("if")
OdkParser.register("if", bases=(_XPATH_IF,), label="expression", lbp=20, rbp=20)


@_method("if")
def nud__if(self: XPathToken) -> XPathToken:
    if self.parser.next_token.symbol != "(":
        return self.as_name()
    self.parser.advance("(")
    self[:] = (self.parser.expression(5),)
    if self.parser.next_token.symbol == ",":
        self.parser.advance(",")
        self[1:] = (self.parser.expression(5),)
        self.parser.advance(",")
        self[2:] = (self.parser.expression(5),)
        self.parser.advance(")")
    else:
        self.parser.advance(")")
        self.parser.advance("then")
        self[1:] = (self.parser.expression(5),)
        self.parser.advance("else")
        self[2:] = (self.parser.expression(5),)
    return self


def _arithmetic(symbol: str) -> None:
    """`+` and `-` with JavaRosa's dates: a date counts as its day number."""
    base = OdkParser.symbol_table[symbol]
    OdkParser.unregister(symbol)
    token_class = OdkParser.register(symbol, bases=(base,), label="operator")

    def evaluate(self: XPathToken, context: Any = None) -> Any:
        if len(self) == 2:
            left = self[0].evaluate(context)
            right = self[1].evaluate(context)
            if isinstance(left, Date) or isinstance(right, Date):
                a, b = _number(_single(left)), _number(_single(right))
                if isinstance(a, float) or isinstance(b, float):
                    a, b = float(a), float(b)
                return a + b if symbol == "+" else a - b  # type: ignore[operator]
        return base.evaluate(self, context)

    setattr(token_class, "evaluate", evaluate)  # noqa: B010


def _single(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else BLANK
    return value


_arithmetic("+")
_arithmetic("-")


def _comparison(symbol: str) -> None:
    """A comparison whose operand cannot be cast (an empty date, a word against a number)
    is false, as with XPath 1.0's NaN (`!=` true), never an error at submit."""
    base = OdkParser.symbol_table[symbol]
    OdkParser.unregister(symbol)
    token_class = OdkParser.register(symbol, bases=(base,), label="operator")

    def evaluate(self: XPathToken, context: Any = None) -> Any:
        try:
            return base.evaluate(self, context)
        except (ElementPathError, ValueError, TypeError):
            if len(self) != 2:
                raise
            return symbol == "!="

    setattr(token_class, "evaluate", evaluate)  # noqa: B010


for _symbol in ("=", "!=", "<", "<=", ">", ">="):
    _comparison(_symbol)

PARSER = OdkParser(compatibility_mode=True)


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
    value = _single(value) if isinstance(value, list) else value
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
