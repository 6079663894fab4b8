"""Plates (GA 36-2018): real plates of every kind read, each refusal with its reason, the
normalisation, and the OCR neighbours (property tests against the confusion pairs written out
here, independently of the module's table) and the one-batch lookup."""

from __future__ import annotations

import pytest
from enforcement.ticketing import plates
from enforcement.ticketing.plates import Plate, PlateRefused, match, neighbours, parse_plate
from hypothesis import given, settings
from hypothesis import strategies as st

ORDINARY = ("ordinary_small", "ordinary_large")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("鲁F12345", ORDINARY),  # Yantai
        ("浙B·AB987", ORDINARY),
        ("苏A1P234", ORDINARY),
        ("京C·A1234", ORDINARY),
        ("粤BD12345", ("new_energy_small",)),
        ("京AD80234", ("new_energy_small",)),
        ("沪AFA1234", ("new_energy_small",)),
        ("辽D46234F", ("new_energy_large",)),
        ("鲁F12345D", ("new_energy_large",)),
        ("鲁F1234挂", ("trailer",)),
        ("鲁FA234挂", ("trailer",)),
        ("鲁F2345学", ("coach",)),
        ("京A0001警", ("police",)),
        ("鲁F0123警", ("police",)),
        ("粤Z·7C59港", ("hk_macau",)),
        ("粤Z1234澳", ("hk_macau",)),
        ("使224-009", ("embassy",)),
        ("使196013", ("embassy",)),
        ("沪A1234领", ("consulate",)),
    ],
)
def test_real_plates_of_every_kind(text: str, kinds: tuple[str, ...]) -> None:
    plate = parse_plate(text)
    assert plate.kinds == kinds
    assert plate.kind == (kinds[0] if len(kinds) == 1 else None)
    assert parse_plate(plate.number) == plate  # the stored form reads back as itself


def test_every_kind_is_covered_by_the_table_above() -> None:
    seen = {"ordinary_small", "ordinary_large", "new_energy_small", "new_energy_large", "trailer"}
    seen |= {"coach", "police", "hk_macau", "embassy", "consulate"}
    assert set(plates.PLATE_KINDS) == seen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "plate_bad_format"),
        (" · ", "plate_bad_format"),
        ("鲁" * 40, "plate_bad_format"),
        ("鲁F12345678", "plate_bad_format"),
        ("鲁F1234$", "plate_bad_character"),
        ("鲁F1234\U0001f600", "plate_bad_character"),
        ("台A12345", "plate_bad_character"),
        ("使22400", "plate_embassy_shape"),
        ("使A24009", "plate_embassy_shape"),
        ("使2240091", "plate_embassy_shape"),
        ("AF12345", "plate_unknown_province"),
        ("港F12345", "plate_unknown_province"),
        ("鲁F1234", "plate_bad_length"),
        ("鲁F1234567", "plate_bad_length"),
        ("鲁112345", "plate_bad_issuer"),
        ("鲁I12345", "plate_bad_issuer"),
        ("鲁O12345", "plate_bad_issuer"),
        ("鲁F1234O", "plate_letter_i_or_o"),
        ("鲁FI2345", "plate_letter_i_or_o"),
        ("鲁FD1O345", "plate_letter_i_or_o"),
        ("鲁F12警34", "plate_kind_character_misplaced"),
        ("鲁F1234使", "plate_kind_character_misplaced"),
        ("鲁F挂1234", "plate_kind_character_misplaced"),
        ("鲁F123鲁5", "plate_bad_serial"),
        ("鲁F12345警", "plate_bad_length"),
        ("鲁F1234港", "plate_hk_macau_issuer"),
        ("粤B1234澳", "plate_hk_macau_issuer"),
        ("沪A12B4领", "plate_consulate_serial"),
        ("鲁FA12345", "plate_new_energy_letter"),
        ("鲁F1234DD", "plate_new_energy_letter"),
        ("鲁FD1234A", "plate_new_energy_letter"),
        ("鲁FDA12B4", "plate_new_energy_letter"),
        ("鲁F123456", "plate_new_energy_letter"),  # 6 digits: neither small nor large
    ],
)
def test_refused_plates_name_why(text: str, code: str) -> None:
    with pytest.raises(PlateRefused) as refused:
        parse_plate(text)
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, "plate", 422)
    assert refused.value.message


@pytest.mark.parametrize(
    "text",
    [
        " 鲁f·12345 ",
        "鲁\uff26\uff11\uff12\uff13\uff14\uff15",  # full-width letters and digits
        "鲁F\u300012345",  # ideographic space
        "鲁F-12345",
        "鲁F\u30fb12345",
        "魯F12345",  # Traditional
    ],
)
def test_normalisation(text: str) -> None:
    assert parse_plate(text).number == "鲁F12345"


def test_traditional_kind_characters() -> None:
    assert parse_plate("粵Z1234港").number == "粤Z1234港"
    assert parse_plate("鲁F1234學").kind == "coach"


def test_the_kind_named_by_the_registry_must_fit_the_characters() -> None:
    assert parse_plate("鲁F12345", "ordinary_large").kind == "ordinary_large"
    assert parse_plate("鲁F12345", "ordinary_small").kind == "ordinary_small"
    for text, kind in [("鲁F12345", "new_energy_small"), ("鲁F1234警", "coach")]:
        with pytest.raises(PlateRefused) as refused:
            parse_plate(text, kind)  # type: ignore[arg-type]
        assert refused.value.code == "plate_kind_mismatch"


def test_plate_type_codes() -> None:
    assert plates.kind_of_plate_type("02") == "ordinary_small"
    assert plates.kind_of_plate_type("01") == "ordinary_large"
    assert plates.kind_of_plate_type("52") == "new_energy_small"
    assert plates.kind_of_plate_type(" police ") == "police"
    for bad in ("99", "", "blue"):
        with pytest.raises(ValueError, match="not a plate type"):
            plates.kind_of_plate_type(bad)


def test_province_of_a_plate() -> None:
    assert parse_plate("鲁F12345").province == "鲁"
    assert parse_plate("使224009").province is None


# ---------------------------------------------------------------- OCR confusions

# The confusions as the issue lists them, each way: 0/O/D, 1/I, 8/B, 2/Z, 5/S.
PAIRS = {("0", "O"), ("0", "D"), ("O", "D"), ("1", "I"), ("8", "B"), ("2", "Z"), ("5", "S")}
CONFUSED = PAIRS | {(b, a) for a, b in PAIRS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("鲁B12345", ("鲁B1Z345", "鲁B1234S")),
        ("鲁B1234O", ("鲁B12340", "鲁B1234D")),  # read with an O: not a plate, two candidates
        ("粤BD1234S", ("粤BD12345",)),  # S where a new-energy plate has a digit
        ("京A8OO1警", ()),  # two Os: every single change still leaves one
        ("使224009", ()),  # the first character never changes, the digits have no valid twin
    ],
)
def test_neighbours_examples(text: str, expected: tuple[str, ...]) -> None:
    assert neighbours(text) == expected


def _oracle(number: str) -> set[str]:
    """Every valid plate one listed confusion away, by brute force over the plate alphabet."""
    alphabet = plates.DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = set()
    for i in range(1, len(number)):
        for c in alphabet:
            if (number[i], c) in CONFUSED:
                candidate = number[:i] + c + number[i + 1 :]
                if plates.is_valid(candidate):
                    out.add(candidate)
    return out


serial_char = st.sampled_from(plates.SERIAL)
digit = st.sampled_from(plates.DIGITS)
province = st.sampled_from(plates.PROVINCES)
issuer = st.sampled_from(plates.LETTERS)
ne = st.sampled_from("DF")


def _join(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


valid_plates = st.one_of(
    _join(province, issuer, *[serial_char] * 5),
    _join(province, issuer, ne, serial_char, *[digit] * 4),
    _join(province, issuer, *[digit] * 5, ne),
    _join(province, issuer, *[serial_char] * 4, st.sampled_from("挂学警")),
    _join(st.just("粤Z"), *[serial_char] * 4, st.sampled_from("港澳")),
    _join(st.just("使"), *[digit] * 6),
    _join(province, issuer, *[digit] * 4, st.just("领")),
)


@settings(max_examples=400, deadline=None)
@given(valid_plates)
def test_every_neighbour_is_valid_and_one_confusion_away(number: str) -> None:
    assert parse_plate(number).number == number
    found = neighbours(number)
    assert len(found) == len(set(found)) <= 5
    for other in found:
        assert plates.is_valid(other)
        assert len(other) == len(number)
        assert other[0] == number[0]
        differ = [(a, b) for a, b in zip(number, other, strict=True) if a != b]
        assert len(differ) == 1
        assert differ[0] in CONFUSED
    assert set(found) == _oracle(number)


@st.composite
def misread(draw: st.DrawFn) -> str:
    """A valid plate with some characters replaced by confusable ones, O and I among them."""
    chars = list(draw(valid_plates))
    for i in draw(st.lists(st.integers(1, len(chars) - 1), max_size=3)):
        chars[i] = draw(st.sampled_from("0OD1I8B2Z5S"))
    return "".join(chars)


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        misread(),
        st.text(alphabet=plates.PROVINCES[:3] + "使挂警0OD1I8B2Z5SAF9", min_size=1, max_size=9),
    )
)
def test_any_text_has_at_most_7_neighbours_and_one_batch_of_keys(text: str) -> None:
    try:
        found = neighbours(text)
    except PlateRefused:
        return
    assert len(found) <= plates.MAX_NEIGHBOURS == 7
    assert all(plates.is_valid(n) for n in found)
    try:
        keys = plates.lookup_keys(text)
    except PlateRefused:
        assert found == ()
        return
    assert len(keys) <= 1 + plates.MAX_NEIGHBOURS <= 100  # one BatchGetItem


def test_the_most_neighbours_of_a_valid_plate() -> None:
    assert neighbours("鲁B00000") == ("鲁BD0000", "鲁B0D000", "鲁B00D00", "鲁B000D0", "鲁B0000D")
    assert neighbours("鲁B1234O") == ("鲁B12340", "鲁B1234D")  # an O: only its own place


class Registry:
    """A batch read over a set of plates, counting its calls."""

    def __init__(self, *registered: str) -> None:
        self.registered = set(registered)
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, keys: object) -> set[str]:
        batch = tuple(keys)  # type: ignore[call-overload]
        self.calls.append(batch)
        return {k for k in batch if k in self.registered}


def test_match_answers_the_plate_itself_when_registered() -> None:
    registry = Registry("鲁B12345", "鲁B1Z345")
    found = match(" 鲁b·12345 ", registry)
    assert (found.query, found.exact, found.candidates) == ("鲁B12345", "鲁B12345", ())
    assert registry.calls == [("鲁B12345", "鲁B1Z345", "鲁B1234S")]


def test_match_answers_the_registered_neighbours_when_the_plate_is_unknown() -> None:
    registry = Registry("鲁B1Z345", "鲁B99999")
    found = match("鲁B12345", registry)
    assert (found.exact, found.candidates) == (None, ("鲁B1Z345",))
    assert len(registry.calls) == 1


def test_match_on_an_ocr_read_that_is_no_plate() -> None:
    registry = Registry("鲁B1234D", "鲁B12340")
    found = match("鲁B1234O", registry)
    assert (found.query, found.exact) == ("鲁B1234O", None)
    assert found.candidates == ("鲁B12340", "鲁B1234D")
    assert registry.calls == [("鲁B12340", "鲁B1234D")]


def test_match_refuses_a_text_with_no_plate_near_it_without_reading() -> None:
    registry = Registry()
    with pytest.raises(PlateRefused) as refused:
        match("鲁F1234", registry)
    assert refused.value.code == "plate_bad_length"
    assert registry.calls == []


def test_plate_is_a_value() -> None:
    assert parse_plate("鲁F12345") == Plate("鲁F12345", ORDINARY, None)
