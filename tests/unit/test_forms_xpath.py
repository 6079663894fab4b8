"""ODK expressions on elementpath: a table of expressions and their values, the whitelist,
and what the engine refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from elementpath import XPath2Parser, XPathContext
from enforcement.forms import odk, xpath
from enforcement.forms.odk import BLANK, odk_date
from enforcement.forms.xpath import ExpressionError, compile_expression

TODAY = dt.date(2026, 12, 1)


def value(text: str, item: Any = BLANK, **variables: Any) -> Any:
    variables[odk.TODAY_VARIABLE] = odk_date(TODAY)
    return xpath.plain(xpath.evaluate(compile_expression(text), variables, item))


D = odk_date

# (expression, `.`, ${variables}, expected value)
TABLE: list[tuple[str, Any, dict[str, Any], Any]] = [
    # arithmetic and comparison, with XPath 1.0's empty answers
    ("1 + 2 * 3", BLANK, {}, 7),
    ("7 div 2", BLANK, {}, 3.5),
    ("7 mod 3", BLANK, {}, 1),
    ("${a} + ${b}", BLANK, {"a": 1, "b": Decimal("1.5")}, 2.5),
    ("${a} > 18", BLANK, {"a": 20}, True),
    ("${a} > 18", BLANK, {"a": BLANK}, False),
    ("${a} <= 18", BLANK, {"a": BLANK}, False),
    ("${a} + 1", BLANK, {"a": BLANK}, None),
    ("${a} = ''", BLANK, {"a": BLANK}, True),
    ("${a} != ''", BLANK, {"a": BLANK}, False),
    ("${a} != ''", BLANK, {"a": "x"}, True),
    ("${t} >= 37.3", BLANK, {"t": Decimal("37.3")}, True),
    ("${t} >= 37.3", BLANK, {"t": Decimal("37.2")}, False),
    (". >= 0 and . < 130", 45, {}, True),
    (". >= 0 and . < 130", 130, {}, False),
    ("${a} = 'yes' or ${b} = 'yes'", BLANK, {"a": "no", "b": "yes"}, True),
    ("not(${a} = 'yes')", BLANK, {"a": "yes"}, False),
    ("true() and not(false())", BLANK, {}, True),
    # choices
    ("selected(${s}, 'fever')", BLANK, {"s": "cough fever"}, True),
    ("selected(${s}, 'feve')", BLANK, {"s": "cough fever"}, False),
    ("selected(${s}, 'fever')", BLANK, {"s": BLANK}, False),
    ("count-selected(${s})", BLANK, {"s": "cough fever rash"}, 3),
    ("count-selected(${s})", BLANK, {"s": BLANK}, 0),
    ("count-selected(.) <= 2", "a b", {}, True),
    ("selected-at(${s}, 1)", BLANK, {"s": "cough fever"}, "fever"),
    ("selected-at(${s}, 5)", BLANK, {"s": "cough fever"}, None),
    # text
    ("string-length(.)", "héllo", {}, 5),
    ("string-length(${a})", BLANK, {"a": BLANK}, 0),
    ("regex(., '^[A-Z0-9]{5,9}$')", "E1234567", {}, True),
    ("regex(., '^[A-Z0-9]{5,9}$')", "e1234567", {}, False),
    ("regex(., '[0-9]')", "ab3", {}, True),
    ("concat(${a}, '-', ${b})", BLANK, {"a": "CA", "b": 981}, "CA-981"),
    ("contains(${a}, 'if(')", BLANK, {"a": "x if( y"}, True),
    ("substring(${a}, 1, 2)", BLANK, {"a": "CA981"}, "CA"),
    # if and coalesce
    ("if(${a} > 1, 'big', 'small')", BLANK, {"a": 5}, "big"),
    ("if(${a} > 1, 'big', 'small')", BLANK, {"a": BLANK}, "small"),
    ("if (${a} > 1) then 'big' else 'small'", BLANK, {"a": 0}, "small"),
    ("if(${a} = 'yes', if(${b} = 'yes', 2, 1), 0)", BLANK, {"a": "yes", "b": "yes"}, 2),
    ("coalesce(${a}, 'none')", BLANK, {"a": BLANK}, "none"),
    ("coalesce(${a}, 'none')", BLANK, {"a": "x"}, "x"),
    # numbers
    ("int(7.9)", BLANK, {}, 7),
    ("int(-7.9)", BLANK, {}, -7),
    ("round(2.5)", BLANK, {}, 3),
    ("number('12') + 1", BLANK, {}, 13),
    ("abs(-3)", BLANK, {}, 3),
    # dates: JavaRosa's day numbers in arithmetic and comparisons
    ("today()", BLANK, {}, "2026-12-01"),
    ("${d} < today()", BLANK, {"d": D(dt.date(2020, 1, 1))}, True),
    ("${d} < today()", BLANK, {"d": BLANK}, False),
    (". <= today()", D(dt.date(2026, 12, 2)), {}, False),
    ("today() - ${d}", BLANK, {"d": D(dt.date(2026, 11, 20))}, 11),
    ("today() - ${d} <= 14", BLANK, {"d": D(dt.date(2026, 11, 20))}, True),
    ("today() - ${d} <= 14", BLANK, {"d": D(dt.date(2026, 11, 1))}, False),
    ("${a} - ${d}", BLANK, {"a": D(dt.date(2026, 1, 11)), "d": D(dt.date(2026, 1, 1))}, 10),
    ("date(today() - 14)", BLANK, {}, "2026-11-17"),
    ("date(${d} + 1)", BLANK, {"d": D(dt.date(2026, 2, 28))}, "2026-03-01"),
    ("date('2026-03-05') > ${d}", BLANK, {"d": D(dt.date(2026, 3, 4))}, True),
    ("decimal-date-time(${d})", BLANK, {"d": D(dt.date(1970, 1, 11))}, 10),
    ("decimal-date-time('1970-01-02')", BLANK, {}, 1),
    ("int((today() - ${d}) div 365.25)", BLANK, {"d": D(dt.date(1985, 3, 14))}, 41),
    ("${d} = '2020-01-01'", BLANK, {"d": D(dt.date(2020, 1, 1))}, True),
    (". >= ${d}", D(dt.date(2026, 3, 1)), {"d": D(dt.date(2026, 2, 1))}, True),
]


@pytest.mark.parametrize(("text", "item", "variables", "expected"), TABLE)
def test_expression_values(text: str, item: Any, variables: dict[str, Any], expected: Any) -> None:
    assert value(text, item, **variables) == expected


@pytest.mark.parametrize(
    ("text", "function"),
    [
        ("foo(1)", "foo"),
        ("doc('file:///etc/passwd')", "doc"),
        ("unparsed-text('x')", "unparsed-text"),
        ("environment-variable('HOME')", "environment-variable"),
        ("${a} > 1 and pulldata('x', 'y', 'z', 'w')", "pulldata"),
        ("once(today())", "once"),
        ("current-date()", "current-date"),
        ("count(${a})", "count"),
    ],
)
def test_functions_off_the_whitelist_are_refused_by_name(text: str, function: str) -> None:
    with pytest.raises(ExpressionError) as refused:
        compile_expression(text)
    assert refused.value.function == function
    assert f"{function}()" in str(refused.value)


@pytest.mark.parametrize("text", ["/data/age > 2", "age > 2", "${a}[1]", "../x", "@id = 1"])
def test_paths_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text)


@pytest.mark.parametrize("text", ["1 +", "if(${a}, 1)", "(${a}", "'unclosed"])
def test_syntax_errors_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match="invalid expression"):
        compile_expression(text)


def test_names_inside_string_literals_are_not_calls_nor_references() -> None:
    compiled = compile_expression("concat('foo(', \"${x}\", ${a})")
    assert compiled.references == ("a",)
    assert compiled.functions == ("concat",)


def test_an_expression_is_parsed_once_per_process() -> None:
    text = "${a} > 1 and ${b} < 2 and 3 = 3"
    assert compile_expression(text) is compile_expression(text)


def test_elementpath_itself_is_left_as_it_was() -> None:
    """The ODK functions live in the engine's own parser; XPath 2.0's `date()` constructor and
    `if` expression are unchanged for any other user of elementpath."""
    compile_expression("date(1) = date(1) and if(1, 2, 3) = 2 and int(1.5) = 1")
    plain = XPath2Parser()
    context = XPathContext(root=None, item="")
    built_in = plain.parse("date('2026-01-02')").evaluate(context)
    assert str(built_in) == "2026-01-02"
    assert not isinstance(built_in, odk.OdkDate)
    assert plain.parse("if (1) then 2 else 3").evaluate(context) == 2
    with pytest.raises(Exception, match=r"XPST0017|unknown function"):
        plain.parse("selected('a b', 'a')")


def test_truth_is_xpath_boolean() -> None:
    for item, expected in [
        (True, True),
        (False, False),
        (0, False),
        (2, True),
        (float("nan"), False),
        ("", False),
        ("false", True),
        ([], False),
        (BLANK, False),
    ]:
        assert xpath.truth(item) is expected, item
