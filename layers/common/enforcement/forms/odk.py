"""ODK's dialect of XPath on elementpath: the parser, its values and its functions.

`OdkParser` is elementpath's XPath 2.0 parser (used in XPath 1.0 compatibility mode) with
ODK's functions added and three changes, all made on this parser's own symbol table (never on
elementpath's): `if(c, a, b)` beside XPath 2.0's `if (c) then a else b`; `+` and `-` that count
a date as its day number, as JavaRosa does; comparisons that are false (`!=` true) where an
operand cannot be cast, as XPath 1.0's NaN, instead of an error at submit.

Values, as ODK Collect (JavaRosa) has them: an unanswered field is `BLANK` (the empty string,
NaN where a number is wanted); a date is an `OdkDate` (an `xs:date` whose number is its days
since 1970-01-01); a select_multiple answer is its codes separated by spaces.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from functools import lru_cache
from typing import Any

from elementpath import XPath2Parser
from elementpath.datatypes import Date
from elementpath.exceptions import ElementPathError
from elementpath.xpath_tokens import XPathFunction, XPathToken

EPOCH = dt.date(1970, 1, 1)
TODAY_VARIABLE = "__today"


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
                a, b = _number(single(left)), _number(single(right))
                if isinstance(a, float) or isinstance(b, float):
                    a, b = float(a), float(b)
                return a + b if symbol == "+" else a - b  # type: ignore[operator]
        return base.evaluate(self, context)

    setattr(token_class, "evaluate", evaluate)  # noqa: B010


def single(value: Any) -> Any:
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
