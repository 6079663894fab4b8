"""The MRZ of travel documents (ICAO 9303 TD3 and TD1): the ICAO specimens, each refusal, and
property tests on generated zones.

Generated zones take their check digits from the `mrz` package (a GPL-3 test oracle, a dev
dependency only), so a wrong weight or alphabet value in our parser cannot hide behind a
generator that shares it. What the properties assert:

- a generated valid zone parses back to exactly the fields it was made from;
- one character replaced by another of A-Z 0-9 `<`:
  * at a position some check digit covers, when the two characters' values differ modulo 10:
    refused with `mrz_check_digit`, naming every check that must fail there (the field's own
    check and the composite);
  * otherwise (names, sex, states, document code: positions no check digit covers; or a
    replacement of equal value modulo 10, such as 0 / A / K / U / `<`, which the 7-3-1 sum
    cannot see): refused, or read with some field changed, and only the fields at that
    position — never silently the same document.
"""

from __future__ import annotations

import ast
import dataclasses
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from enforcement.identity import DocumentRefused, MrzDocument, parse_mrz
from enforcement.identity.check_digits import icao_check_digit, mrz_value
from hypothesis import given, settings
from hypothesis import strategies as st
from mrz.base.functions import hash_string
from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker

TODAY = date(2026, 12, 1)
ALNUM = string.ascii_uppercase + string.digits
ALPHABET = ALNUM + "<"
ROOT = Path(__file__).resolve().parents[2]

# ICAO Doc 9303 Part 4, Appendix A (TD3) and Part 5, Appendix A (TD1, and the long number)
SPECIMEN_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
SPECIMEN_TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
SPECIMEN_TD1_LONG_NUMBER = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)


# ------------------------------------------------------------------ specimens


def test_the_td3_specimen_reads_in_full() -> None:
    doc = parse_mrz(SPECIMEN_TD3, today=TODAY)
    assert doc == MrzDocument(
        format="TD3",
        document_code="P",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        document_number="L898902C3",
        nationality="UTO",
        date_of_birth=date(1974, 8, 12),
        sex="F",
        expiry_date=date(2012, 4, 15),
        expired=True,
        optional_data="ZE184226B",
        optional_data_2="",
    )


def test_the_td1_specimen_reads_in_full() -> None:
    doc = parse_mrz("\n".join(SPECIMEN_TD1), today=TODAY)
    assert (doc.format, doc.document_code, doc.document_number) == ("TD1", "I", "D23145890")
    assert (doc.surname, doc.given_names, doc.sex) == ("ERIKSSON", "ANNA MARIA", "F")
    assert (doc.date_of_birth, doc.expiry_date) == (date(1974, 8, 12), date(2012, 4, 15))
    assert (doc.issuing_state, doc.nationality, doc.optional_data) == ("UTO", "UTO", "")


def test_a_td1_document_number_longer_than_nine_runs_on_in_the_optional_data() -> None:
    doc = parse_mrz(SPECIMEN_TD1_LONG_NUMBER, today=TODAY)
    assert doc.document_number == "D23145890734"
    assert (doc.surname, doc.given_names, doc.sex) == ("STEVENSON", "PETER JOHN", "M")
    assert (doc.date_of_birth, doc.expiry_date, doc.optional_data) == (
        date(1934, 7, 12),
        date(1995, 7, 12),
        "",
    )
    # its check digit (9) is over all 12 characters: a wrong one is refused by that name
    altered = (SPECIMEN_TD1_LONG_NUMBER[0].replace("7349", "7348"), *SPECIMEN_TD1_LONG_NUMBER[1:])
    with pytest.raises(DocumentRefused) as refused:
        parse_mrz(altered, today=TODAY)
    assert refused.value.fields == ("document_number", "composite")


def test_the_specimen_check_digits_are_those_of_the_7_3_1_rule() -> None:
    assert icao_check_digit("L898902C3") == 6
    assert icao_check_digit("740812") == 2
    assert icao_check_digit("120415") == 9
    assert icao_check_digit("ZE184226B<<<<<") == 1
    assert icao_check_digit("L898902C36" + "7408122" + "120415" + "9ZE184226B<<<<<1") == 0
    assert icao_check_digit("D23145890734") == 9
    assert [mrz_value(c) for c in "09AZ<"] == [0, 9, 10, 35, 0]


# ------------------------------------------------------------------ each refusal


def refusal(lines: str | tuple[str, ...] | list[str]) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as refused:
        parse_mrz(lines, today=TODAY)
    assert refused.value.status == 422
    return refused.value


def replaced(lines: tuple[str, ...], line: int, position: int, char: str) -> tuple[str, ...]:
    row = lines[line]
    return (*lines[:line], row[:position] + char + row[position + 1 :], *lines[line + 1 :])


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (replaced(SPECIMEN_TD3, 1, 9, "7"), "document_number"),
        (replaced(SPECIMEN_TD3, 1, 19, "3"), "date_of_birth"),
        (replaced(SPECIMEN_TD3, 1, 27, "8"), "expiry_date"),
        (replaced(SPECIMEN_TD3, 1, 42, "2"), "personal_number"),
        (replaced(SPECIMEN_TD3, 1, 43, "1"), "composite"),
        (replaced(SPECIMEN_TD1, 0, 14, "6"), "document_number"),
        (replaced(SPECIMEN_TD1, 1, 6, "1"), "date_of_birth"),
        (replaced(SPECIMEN_TD1, 1, 14, "1"), "expiry_date"),
        (replaced(SPECIMEN_TD1, 1, 29, "7"), "composite"),
        (replaced(SPECIMEN_TD1, 0, 20, "X"), "composite"),  # optional data: composite only
    ],
)
def test_a_wrong_check_digit_names_its_field(lines: tuple[str, ...], field: str) -> None:
    refused = refusal(lines)
    assert (refused.code, refused.field) == ("mrz_check_digit", field)
    assert refused.body()["details"]["fields"][0] == field


def test_a_check_digit_that_is_not_a_digit_is_a_wrong_check_digit() -> None:
    assert refusal(replaced(SPECIMEN_TD3, 1, 19, "<")).fields == ("date_of_birth", "composite")


def test_an_unused_personal_number_may_carry_a_filler_or_zero_as_its_check() -> None:
    line2 = "L898902C36UTO7408122F1204159" + "<" * 14 + "{}{}"
    composite = icao_check_digit("L898902C36" + "7408122" + "1204159" + "<" * 14 + "0")
    for check in "<0":
        doc = parse_mrz((SPECIMEN_TD3[0], line2.format(check, composite)), today=TODAY)
        assert doc.optional_data == ""


@pytest.mark.parametrize(
    "lines",
    [
        SPECIMEN_TD3[:1],
        (SPECIMEN_TD3[0], SPECIMEN_TD3[1][:-1]),
        (*SPECIMEN_TD1[:2], SPECIMEN_TD1[2] + "<"),
        (*SPECIMEN_TD3, SPECIMEN_TD3[1]),
        "",
        "P" * 10_000,
        ["<" * 44] * 40,
    ],
)
def test_a_zone_of_the_wrong_shape_is_refused(lines: tuple[str, ...] | str) -> None:
    assert refusal(lines).code == "mrz_bad_length"


@pytest.mark.parametrize("char", [" ", "«", "\u0131", "ß", "é", "-", "\uff10", "\u0130"])
def test_characters_outside_the_mrz_alphabet_are_refused(char: str) -> None:
    refused = refusal(replaced(SPECIMEN_TD3, 0, 10, char))
    assert refused.code == "mrz_bad_characters"
    assert "line 1, position 11" in refused.message


def test_lowercase_from_an_ocr_reads_as_the_same_letters() -> None:
    lowered = [line.lower() for line in SPECIMEN_TD3]
    assert parse_mrz(lowered, today=TODAY) == parse_mrz(SPECIMEN_TD3, today=TODAY)
    # and surrounding whitespace and line breaks, as an OCR or a reader sends them
    text = "  " + SPECIMEN_TD3[0] + " \r\n\n" + SPECIMEN_TD3[1] + "\n"
    assert parse_mrz(text, today=TODAY) == parse_mrz(SPECIMEN_TD3, today=TODAY)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (replaced(SPECIMEN_TD3, 0, 0, "V"), "mrz_unsupported_document"),  # a visa (MRV-A)
        (replaced(SPECIMEN_TD1, 0, 0, "P"), "mrz_unsupported_document"),
    ],
)
def test_other_documents_are_refused_by_name(lines: tuple[str, ...], code: str) -> None:
    refused = refusal(lines)
    assert (refused.code, refused.field) == (code, "document_code")


def zone_td3(line1: str, number: str, nationality: str, born: str, sex: str, expiry: str) -> tuple:
    """A TD3 with every check digit right, from its fields (check digits by the oracle)."""
    part = number + hash_string(number), born + hash_string(born), expiry + hash_string(expiry)
    optional = "<" * 14 + "0"
    composite = hash_string(part[0] + part[1] + part[2] + optional)
    return line1, part[0] + nationality + part[1] + sex + part[2] + optional + composite


@pytest.mark.parametrize(
    ("zone", "code", "field"),
    [
        (zone_td3(SPECIMEN_TD3[0], "L898902C3", "UTO", "741312", "F", "120415"), "mrz_bad_date",
         "date_of_birth"),
        (zone_td3(SPECIMEN_TD3[0], "L898902C3", "UTO", "740812", "F", "120431"), "mrz_bad_date",
         "expiry_date"),
        (zone_td3(SPECIMEN_TD3[0], "L898902C3", "UTO", "74O812", "F", "120415"), "mrz_bad_date",
         "date_of_birth"),
        (zone_td3(SPECIMEN_TD3[0], "L898902C3", "UTO", "740812", "Q", "120415"), "mrz_bad_field",
         "sex"),
        (zone_td3(SPECIMEN_TD3[0], "L898902C3", "U1O", "740812", "F", "120415"), "mrz_bad_field",
         "nationality"),
        (zone_td3(SPECIMEN_TD3[0], "L89<902C3", "UTO", "740812", "F", "120415"), "mrz_bad_field",
         "document_number"),
        (zone_td3(SPECIMEN_TD3[0], "<<<<<<<<<", "UTO", "740812", "F", "120415"), "mrz_bad_field",
         "document_number"),
        (zone_td3("P<UTO" + "<" * 39, "L898902C3", "UTO", "740812", "F", "120415"),
         "mrz_bad_field", "name"),
        (zone_td3("P<UTOERIKSS0N<<ANNA" + "<" * 25, "L898902C3", "UTO", "740812", "F", "120415"),
         "mrz_bad_field", "name"),
        (zone_td3("P<U<O" + SPECIMEN_TD3[0][5:], "L898902C3", "UTO", "740812", "F", "120415"),
         "mrz_bad_field", "issuing_state"),
    ],
)  # fmt: skip
def test_fields_of_the_wrong_form_are_refused_by_name(zone: tuple, code: str, field: str) -> None:
    refused = refusal(zone)
    assert (refused.code, refused.field) == (code, field)


# ------------------------------------------------------------------ dates


def test_two_digit_years_birth_never_in_the_future_expiry_within_fifty_years() -> None:
    def read(born: str, expiry: str) -> MrzDocument:
        return parse_mrz(
            zone_td3(SPECIMEN_TD3[0], "L898902C3", "UTO", born, "F", expiry), today=TODAY
        )

    assert read("261201", "361130").date_of_birth == date(2026, 12, 1)  # born today
    assert read("261202", "361130").date_of_birth == date(1926, 12, 2)  # tomorrow: a century ago
    assert read("000229", "361130").date_of_birth == date(2000, 2, 29)
    doc = read("740812", "361130")
    assert (doc.expiry_date, doc.expired) == (date(2036, 11, 30), False)
    assert read("740812", "751231").expiry_date == date(2075, 12, 31)
    assert read("740812", "770101").expiry_date == date(1977, 1, 1)
    assert read("740812", "261130").expired is True
    assert read("740812", "261201").expired is False  # valid through its expiry date


def test_an_expired_document_is_flagged_not_refused() -> None:
    doc = parse_mrz(SPECIMEN_TD3, today=TODAY)
    assert doc.expired is True
    assert parse_mrz(SPECIMEN_TD3, today=date(2012, 4, 15)).expired is False


# ------------------------------------------------------------------ generated zones


@dataclass(frozen=True)
class Generated:
    lines: tuple[str, ...]
    expected: MrzDocument
    must_name: dict[tuple[int, int], frozenset[str]]  # checks that must fail, per position
    may_change: dict[tuple[int, int], frozenset[str]]  # fields a change there may alter


def check(data: str) -> str:
    return hash_string(data)


def state() -> st.SearchStrategy[str]:
    return st.text(string.ascii_uppercase, min_size=1, max_size=3).map(lambda s: s.ljust(3, "<"))


@st.composite
def names(draw: st.DrawFn, width: int) -> tuple[str, str, str]:
    word = st.text(string.ascii_uppercase, min_size=1, max_size=8)
    surname = draw(st.lists(word, min_size=1, max_size=3))
    given = draw(st.lists(word, min_size=0, max_size=3))
    field = "<".join(surname) + ("<<" + "<".join(given) if given else "")
    field = field[:width]  # a truncated name reads as truncated
    primary, _, secondary = field.partition("<<")
    read = (
        " ".join(w for w in primary.split("<") if w),
        " ".join(w for w in secondary.split("<") if w),
    )
    return field.ljust(width, "<"), *read


def dates() -> tuple[st.SearchStrategy[date], st.SearchStrategy[date]]:
    born = st.dates(TODAY.replace(year=TODAY.year - 99), TODAY)
    expiry = st.dates(date(TODAY.year - 49, 1, 1), date(TODAY.year + 49, 12, 31))
    return born, expiry


def positions(line: int, start: int, stop: int, value: frozenset[str], into: dict) -> None:
    for column in range(start, stop):
        into[(line, column)] = value


@st.composite
def td3_zones(draw: st.DrawFn) -> Generated:
    code = "P" + draw(st.sampled_from("<DS"))
    issuing, nationality = draw(state()), draw(state())
    name, surname, given = draw(names(39))
    number = draw(st.text(ALNUM, min_size=1, max_size=9))
    born_s, expiry_s = dates()
    born, expiry = draw(born_s), draw(expiry_s)
    sex = draw(st.sampled_from("MFX<"))
    personal = draw(st.text(ALNUM, max_size=14))
    personal_field = personal.ljust(14, "<")
    personal_check = draw(st.sampled_from("<0")) if not personal else check(personal_field)
    b, e = born.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    n = number.ljust(9, "<")
    covered = n + check(n) + b + check(b) + e + check(e) + personal_field + personal_check
    line2 = n + check(n) + nationality + b + check(b) + sex + e + check(e)
    line2 += personal_field + personal_check + check(covered)
    expected = MrzDocument(
        format="TD3",
        document_code=code.rstrip("<"),
        issuing_state=issuing.rstrip("<"),
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=nationality.rstrip("<"),
        date_of_birth=born,
        sex="X" if sex == "<" else sex,
        expiry_date=expiry,
        expired=expiry < TODAY,
        optional_data=personal,
        optional_data_2="",
    )
    must: dict[tuple[int, int], frozenset[str]] = {}
    may: dict[tuple[int, int], frozenset[str]] = {}
    positions(0, 0, 2, frozenset(), must)
    positions(0, 0, 2, frozenset({"document_code"}), may)
    positions(0, 2, 5, frozenset({"issuing_state"}), may)
    positions(0, 5, 44, frozenset({"surname", "given_names"}), may)
    for start, stop, name_, field in (
        (0, 10, "document_number", {"document_number"}),
        (13, 20, "date_of_birth", {"date_of_birth"}),
        (21, 28, "expiry_date", {"expiry_date", "expired"}),
        (28, 43, "personal_number", {"optional_data"}),
    ):
        positions(1, start, stop, frozenset({name_, "composite"}), must)
        positions(1, start, stop, frozenset(field), may)
    positions(1, 9, 10, frozenset(), may)
    positions(1, 19, 20, frozenset(), may)
    positions(1, 27, 28, frozenset(), may)
    positions(1, 42, 43, frozenset(), may)  # '<' and '0' both stand for an unused number
    positions(1, 43, 44, frozenset({"composite"}), must)
    positions(1, 43, 44, frozenset(), may)
    positions(1, 10, 13, frozenset({"nationality"}), may)
    positions(1, 20, 21, frozenset({"sex"}), may)
    return Generated((code + issuing + name, line2), expected, must, may)


@st.composite
def td1_zones(draw: st.DrawFn) -> Generated:
    code = draw(st.sampled_from("IAC")) + draw(st.sampled_from("<" + string.ascii_uppercase))
    issuing, nationality = draw(state()), draw(state())
    name, surname, given = draw(names(30))
    long_number = draw(st.booleans())
    if long_number:
        number = draw(st.text(ALNUM, min_size=10, max_size=21))
        run_on = number[9:] + check(number) + "<"
        optional = draw(st.text(ALNUM, max_size=15 - len(run_on)))
        line1_tail = number[:9] + "<" + (run_on + optional).ljust(15, "<")
    else:
        number = draw(st.text(ALNUM, min_size=1, max_size=9))
        optional = draw(st.text(ALPHABET, max_size=15).map(lambda s: s.rstrip("<")))
        line1_tail = number.ljust(9, "<") + check(number.ljust(9, "<")) + optional.ljust(15, "<")
    optional_2 = draw(st.text(ALPHABET, max_size=11).map(lambda s: s.rstrip("<")))
    born_s, expiry_s = dates()
    born, expiry = draw(born_s), draw(expiry_s)
    sex = draw(st.sampled_from("MFX<"))
    b, e = born.strftime("%y%m%d"), expiry.strftime("%y%m%d")
    line2_head = b + check(b) + sex + e + check(e) + nationality + optional_2.ljust(11, "<")
    composite = check(line1_tail + b + check(b) + e + check(e) + optional_2.ljust(11, "<"))
    lines = (code + issuing + line1_tail, line2_head + composite, name)
    expected = MrzDocument(
        format="TD1",
        document_code=code.rstrip("<"),
        issuing_state=issuing.rstrip("<"),
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=nationality.rstrip("<"),
        date_of_birth=born,
        sex="X" if sex == "<" else sex,
        expiry_date=expiry,
        expired=expiry < TODAY,
        optional_data=optional,
        optional_data_2=optional_2,
    )
    must: dict[tuple[int, int], frozenset[str]] = {}
    may: dict[tuple[int, int], frozenset[str]] = {}
    positions(0, 0, 2, frozenset({"document_code"}), may)
    positions(0, 2, 5, frozenset({"issuing_state"}), may)
    positions(0, 5, 14, frozenset({"document_number", "composite"}), must)
    positions(0, 5, 14, frozenset({"document_number"}), may)
    # from the number's check digit (or the long number's marker) on, a change may move where
    # the number ends: only the composite, over the raw characters, surely sees it
    positions(0, 14, 30, frozenset({"composite"}), must)
    positions(0, 14, 30, frozenset({"document_number", "optional_data"}), may)
    positions(1, 0, 7, frozenset({"date_of_birth", "composite"}), must)
    positions(1, 0, 7, frozenset({"date_of_birth"}), may)
    positions(1, 7, 8, frozenset({"sex"}), may)
    positions(1, 8, 15, frozenset({"expiry_date", "composite"}), must)
    positions(1, 8, 15, frozenset({"expiry_date", "expired"}), may)
    positions(1, 15, 18, frozenset({"nationality"}), may)
    positions(1, 18, 29, frozenset({"composite"}), must)
    positions(1, 18, 29, frozenset({"optional_data_2"}), may)
    positions(1, 29, 30, frozenset({"composite"}), must)
    positions(1, 29, 30, frozenset(), may)
    positions(2, 0, 30, frozenset({"surname", "given_names"}), may)
    return Generated(lines, expected, must, may)


zones = st.one_of(td3_zones(), td1_zones())


@settings(max_examples=200, deadline=None)
@given(zones)
def test_any_generated_zone_reads_back_its_fields(zone: Generated) -> None:
    assert parse_mrz(zone.lines, today=TODAY) == zone.expected
    assert parse_mrz("\n".join(zone.lines), today=TODAY) == zone.expected


@st.composite
def altered(draw: st.DrawFn) -> tuple[Generated, tuple[int, int], str, tuple[str, ...]]:
    zone = draw(zones)
    line = draw(st.integers(0, len(zone.lines) - 1))
    column = draw(st.integers(0, len(zone.lines[line]) - 1))
    old = zone.lines[line][column]
    new = draw(st.sampled_from(ALPHABET.replace(old, "")))
    return zone, (line, column), old, replaced(zone.lines, line, column, new)


def changed_fields(a: MrzDocument, b: MrzDocument) -> set[str]:
    return {f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)}


@settings(max_examples=600, deadline=None)
@given(altered())
def test_one_altered_character_is_refused_or_never_silently_the_same(
    case: tuple[Generated, tuple[int, int], str, tuple[str, ...]],
) -> None:
    zone, at, old, lines = case
    new = lines[at[0]][at[1]]
    must_name = zone.must_name.get(at, frozenset())
    if must_name and mrz_value(new) % 10 != mrz_value(old) % 10:
        refused = refusal(lines)
        assert refused.code == "mrz_check_digit"
        assert must_name <= set(refused.fields), (at, old, new, refused.fields)
        return
    try:
        doc = parse_mrz(lines, today=TODAY)
    except DocumentRefused:
        return  # refused: not taken as the same document
    changed = changed_fields(doc, zone.expected)
    assert changed <= zone.may_change[at], (at, old, new, changed)
    same_meaning = {old, new} == {"<", "X"} and zone.may_change[at] == {"sex"}
    if zone.may_change[at] and not same_meaning:
        assert changed, (at, old, new)


# ------------------------------------------------------------------ the oracle


ORACLE_NAMES = {
    "document number hash": "document_number",
    "birth date hash": "date_of_birth",
    "expiry date hash": "expiry_date",
    "optional data hash": "personal_number",
    "final hash": "composite",
}


def our_failed_checks(lines: tuple[str, ...]) -> set[str]:
    try:
        parse_mrz(lines, today=TODAY)
    except DocumentRefused as refused:
        return set(refused.fields) if refused.code == "mrz_check_digit" else set()
    return set()


def oracle_failed_checks(lines: tuple[str, ...]) -> set[str]:
    checker_type = TD3CodeChecker if len(lines) == 2 else TD1CodeChecker
    checker = checker_type("\n".join(lines))
    return {ORACLE_NAMES[name] for name, ok in checker.report.falses if name in ORACLE_NAMES}


@st.composite
def oracle_cases(draw: st.DrawFn) -> tuple[str, ...]:
    """A generated zone (TD1: with a number of at most 9, which the oracle reads), then maybe
    one character of its checked part altered."""
    zone = draw(zones.filter(lambda z: len(z.lines) == 2 or z.lines[0][14] != "<"))
    if draw(st.booleans()):
        return zone.lines
    line = 1 if len(zone.lines) == 2 else draw(st.sampled_from([0, 1]))
    column = draw(st.integers(5 if line == 0 else 0, len(zone.lines[line]) - 1))
    old = zone.lines[line][column]
    new = draw(st.sampled_from(ALPHABET.replace(old, "")))
    if len(zone.lines) == 3 and (line, column, new) == (0, 14, "<"):
        return zone.lines  # that would mark a long number, which the oracle does not read
    return replaced(zone.lines, line, column, new)


@settings(max_examples=300, deadline=None)
@given(oracle_cases())
def test_our_check_digit_verdicts_are_the_oracles(lines: tuple[str, ...]) -> None:
    assert our_failed_checks(lines) == oracle_failed_checks(lines)


@given(st.text(ALPHABET, max_size=50))
def test_our_check_digit_is_the_oracles(data: str) -> None:
    assert str(icao_check_digit(data)) == hash_string(data)


# ------------------------------------------------------------------ the oracle stays in tests


def oracle_imports(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(name == "mrz" or name.startswith("mrz.") for name in names):
                found.append(str(path.relative_to(root)))
    return found


def test_the_gpl_oracle_is_imported_by_no_runtime_code() -> None:
    for runtime in ("layers", "functions", "infra"):
        assert oracle_imports(ROOT / runtime) == [], runtime


def test_the_oracle_import_rule_sees_an_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from mrz.checker.td3 import TD3CodeChecker\n")
    (tmp_path / "b.py").write_text("def f():\n    import mrz\n")
    (tmp_path / "c.py").write_text("from enforcement.identity import mrz\n")
    assert oracle_imports(tmp_path) == ["a.py", "b.py"]
