"""The manifest CSV parser: a good file in its layout (BOM or not, columns in any order) gives
the flight and its passengers; a bad one is refused whole, each bad line named with its field;
a property test cuts one field out of any line of a generated manifest and finds that line
named."""

from __future__ import annotations

import pytest
from enforcement.remote_survey import manifests
from enforcement.remote_survey.manifests import ManifestRefused
from hypothesis import given
from hypothesis import strategies as st

GOOD = (
    "flight_number,origin,departure_airport,arrival_date,scheduled_on_block,actual_on_block\n"
    "nh0921,jpn,NRT,2026-12-01,2026-12-01T12:35:00+08:00,2026-12-01T04:41:00Z\n"
    "name,document_number,seat,nationality\n"
    "YAMADA/HANAKO,E12345678,32A,JPN\n"
    '"ERIKSSON/ANNA MARIA",l898902c3,,\n'
    "\n"
)


def refusal(text: str | bytes) -> dict[int, set[str]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ManifestRefused) as caught:
        manifests.parse(data)
    lines: dict[int, set[str]] = {}
    for problem in caught.value.problems:
        lines.setdefault(problem.line, set()).add(problem.code)
    return lines


def test_a_good_manifest() -> None:
    for data in (
        GOOD.encode(),
        b"\xef\xbb\xbf" + GOOD.encode(),
        GOOD.replace("\n", "\r\n").encode(),
    ):
        manifest = manifests.parse(data)
        assert manifest.flight_number == "NH921"
        assert manifest.origin == "JPN"
        assert manifest.scheduled_on_block == "2026-12-01T04:35:00Z"
        assert manifest.actual_on_block == "2026-12-01T04:41:00Z"
        assert [(p.line, p.document_number, p.seat) for p in manifest.passengers] == [
            (4, "E12345678", "32A"),
            (5, "L898902C3", None),
        ]
        assert manifest.passengers[1].name == "ERIKSSON/ANNA MARIA"


def test_columns_in_another_order_and_case() -> None:
    text = (
        "Arrival_Date,flight_number,origin,departure_airport,scheduled_on_block,actual_on_block\n"
        "2026-12-01,MU5102,JPN,,2026-12-01T04:35:00Z,\n"
        "seat,name,nationality,document_number\n"
        "1A,LI/LEI,CHN,E99999999\n"
    )
    manifest = manifests.parse(text.encode())
    assert manifest.departure_airport is None
    assert manifest.actual_on_block is None
    assert manifest.passengers[0].seat == "1A"


def test_every_bad_line_is_named_and_nothing_is_kept() -> None:
    lines = GOOD.splitlines()
    bad = "\n".join(
        [
            lines[0],
            "NH921,JP,NRT,2026-12-01,2026-12-01T04:35:00,",
            lines[2],
            "YAMADA/HANAKO,E12345678,32A,JPN",
            "SATO/KEN,E12345678,33B,JPN",
            "TANAKA/YU,E1,999ZZ,JP",
            "SUZUKI/AI,E7777777,12C",
        ]
    )
    assert refusal(bad) == {
        2: {"bad_origin", "bad_time"},
        5: {"duplicate_document_number"},
        6: {"bad_document_number", "bad_seat", "bad_nationality"},
        7: {"wrong_field_count"},
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"flight_number,origin\n", {1: {"too_short"}}),
        (GOOD.replace("nationality\n", "nation\n").encode(), {3: {"bad_header"}}),
        (GOOD.encode().replace(b"YAMADA", b"YAM\xff"), {4: {"not_utf8"}}),
        (
            GOOD.replace("HANAKO,", 'HA"NAKO,').replace("YAMADA/", '"YAMADA/') + "x",
            {4: {"bad_csv"}},
        ),
        (
            GOOD.replace("2026-12-01T04:41:00Z", "2026-12-09T04:41:00Z").encode(),
            {2: {"time_far_from_arrival"}},
        ),
    ],
)
def test_refusals(data: str | bytes, expected: dict[int, set[str]]) -> None:
    assert refusal(data) == expected


def test_too_many_passengers() -> None:
    rows = "".join(f"P{n}/X,E{n:08d},,\n" for n in range(manifests.MAX_PASSENGERS + 1))
    # line 4 and 5 hold two passengers, 6 is blank: the 1,001st passenger is on line 1,005
    assert refusal(GOOD + rows) == {1_005: {"too_many_passengers"}}


passenger = st.tuples(
    st.sampled_from(["YAMADA/HANAKO", "LI/LEI", "O'BRIEN/SEAN", "DE LA CRUZ/MARIA"]),
    st.integers(10_000_000, 99_999_999).map(lambda n: f"E{n}"),
    st.tuples(st.integers(1, 99), st.sampled_from("ABCDEFGHJK")).map(lambda s: f"{s[0]}{s[1]}"),
    st.sampled_from(["JPN", "CHN", "", "KOR"]),
)


@given(
    people=st.lists(passenger, min_size=1, max_size=12, unique_by=lambda p: p[1]),
    data=st.data(),
)
def test_any_line_with_a_field_cut_is_named(
    people: list[tuple[str, ...]], data: st.DataObject
) -> None:
    lines = GOOD.splitlines()[:3] + [",".join(p) for p in people]
    manifests.parse("\n".join(lines).encode())  # the whole file is good
    index = data.draw(st.sampled_from([1, *range(3, len(lines))]))
    fields = lines[index].split(",")
    cut = data.draw(st.integers(0, len(fields) - 1))
    lines[index] = ",".join(fields[:cut] + fields[cut + 1 :])
    assert index + 1 in refusal("\n".join(lines))
