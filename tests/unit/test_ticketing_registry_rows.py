"""The registries' CSV rows: good rows typed, each bad row with its line, field and reason, the
good rows of a file kept beside the bad ones; the file refused as a whole only for its size, its
encoding, its header or no header at all."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from enforcement.ticketing.registry_csv import BadRow, Problem, RegistryFileRefused
from enforcement.ticketing.registry_rows import (
    DriverRecord,
    VehicleRecord,
    ViolationRecord,
    file_order,
    read_drivers,
    read_vehicles,
    read_violations,
    stale,
)

TODAY = date(2026, 12, 1)
VEHICLE_HEADER = (
    "plate,plate_type,vehicle_type,owner,registration_status,inspection_due,insurance_expiry,flags"
)
DRIVER_HEADER = "licence_number,name,classes,first_issued,valid_from,valid_to,status,points"
# GB 11643-1999's weights and check characters, written out as the standard prints them.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def resident_id(body17: str) -> str:
    return body17 + CHECK[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def csv_bytes(header: str, *rows: str, newline: str = "\n") -> bytes:
    return newline.join([header, *rows]).encode("utf-8") + newline.encode()


def problems(row: VehicleRecord | DriverRecord | BadRow) -> list[tuple[str | None, str]]:
    assert isinstance(row, BadRow), row
    return [(p.field, p.code) for p in row.problems]


# ---------------------------------------------------------------- vehicles


def test_good_vehicle_rows_are_typed_and_normalised() -> None:
    data = csv_bytes(
        VEHICLE_HEADER,
        "鲁F12345,02,small_car,张伟,registered,2027-03-31,2026-12-31,",
        " 鲁f·12345d ,51,heavy_truck,烟台运输有限公司,registered,2026-06-30,2027-01-15,"
        "seized|stolen",
        '粤Z1234港,26,small_car,"CHAN, Tai Man",registered,2027-01-01,2027-01-01,',
    )
    rows = list(read_vehicles(data))
    assert rows == [
        VehicleRecord(
            line=2,
            plate="鲁F12345",
            plate_kind="ordinary_small",
            vehicle_type="small_car",
            owner="张伟",
            registration_status="registered",
            inspection_due=date(2027, 3, 31),
            insurance_expiry=date(2026, 12, 31),
            flags=(),
        ),
        VehicleRecord(
            line=3,
            plate="鲁F12345D",
            plate_kind="new_energy_large",
            vehicle_type="heavy_truck",
            owner="烟台运输有限公司",
            registration_status="registered",
            inspection_due=date(2026, 6, 30),
            insurance_expiry=date(2027, 1, 15),
            flags=("stolen", "seized"),
        ),
        VehicleRecord(
            line=4,
            plate="粤Z1234港",
            plate_kind="hk_macau",
            vehicle_type="small_car",
            owner="CHAN, Tai Man",
            registration_status="registered",
            inspection_due=date(2027, 1, 1),
            insurance_expiry=date(2027, 1, 1),
            flags=(),
        ),
    ]
    assert list(read_vehicles(data)) == rows  # the same file reads the same


def vehicle(**cells: str) -> str:
    """A vehicle row: a good one, with `cells` changed (written by the csv module)."""
    row = dict(
        plate="鲁F12345",
        plate_type="02",
        vehicle_type="small_car",
        owner="李娜",
        registration_status="registered",
        inspection_due="2027-01-01",
        insurance_expiry="2027-01-01",
        flags="",
    )
    return _csv_line([*(row | cells).values()])


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (vehicle(plate="鲁F1234O"), [("plate", "plate_letter_i_or_o")]),
        (vehicle(plate_type="99"), [("plate_type", "unknown_value")]),
        (vehicle(plate="鲁F12345D"), [("plate", "plate_kind_mismatch")]),  # type 02: blue
        (vehicle(plate="粤Z1234澳", plate_type="26"), [("plate", "plate_kind_mismatch")]),  # 26: HK
        (vehicle(vehicle_type="hovercraft"), [("vehicle_type", "unknown_value")]),
        (vehicle(owner=" "), [("owner", "missing")]),
        (vehicle(owner="李" * 65), [("owner", "too_long")]),
        (vehicle(owner="李\x07娜"), [("owner", "bad_characters")]),
        (vehicle(registration_status="impounded"), [("registration_status", "unknown_value")]),
        (vehicle(inspection_due="2027-02-30"), [("inspection_due", "bad_date")]),
        (vehicle(inspection_due="2027/01/01"), [("inspection_due", "bad_date")]),
        (vehicle(insurance_expiry="2027-W01-1"), [("insurance_expiry", "bad_date")]),
        (vehicle(insurance_expiry="1899-12-31"), [("insurance_expiry", "bad_date")]),
        (vehicle(flags="towed"), [("flags", "unknown_value")]),
        (vehicle(flags="stolen|stolen"), [("flags", "unknown_value")]),
        (
            vehicle(plate="鲁F1234", plate_type="77", owner="", inspection_due=""),
            [
                ("plate_type", "unknown_value"),
                ("plate", "plate_bad_length"),
                ("owner", "missing"),
                ("inspection_due", "missing"),
            ],
        ),
        (vehicle().rsplit(",", 1)[0], [(None, "row_columns")]),
        (vehicle() + ",", [(None, "row_columns")]),
    ],
)
def test_each_bad_vehicle_row_names_its_fields_and_the_good_rows_are_kept(
    row: str, expected: list[tuple[str | None, str]]
) -> None:
    rows = list(
        read_vehicles(
            csv_bytes(VEHICLE_HEADER, vehicle(plate="鲁F54321"), row, vehicle(plate="鲁F54322"))
        )
    )
    assert [r.line for r in rows] == [2, 3, 4]
    assert isinstance(rows[0], VehicleRecord)
    assert isinstance(rows[2], VehicleRecord)
    assert problems(rows[1]) == expected
    assert all(isinstance(p, Problem) and p.reason for p in rows[1].problems)  # type: ignore[union-attr]


def test_a_plate_twice_in_a_file_is_a_bad_row_naming_the_first() -> None:
    row = "鲁F12345,02,small_car,张伟,registered,2027-03-31,2026-12-31,"
    rows = list(
        read_vehicles(
            csv_bytes(
                VEHICLE_HEADER,
                row,
                row.replace("02", "01"),  # the same characters on a yellow plate: another vehicle
                row.replace("鲁F12345", "鲁F·12345"),
            )
        )
    )
    assert [type(r).__name__ for r in rows] == ["VehicleRecord", "VehicleRecord", "BadRow"]
    assert problems(rows[2]) == [("plate", "duplicate_in_file")]
    assert isinstance(rows[2], BadRow)
    assert rows[2].problems[0].reason == "the same as line 2"


def test_line_numbers_count_blank_lines_and_quoted_line_breaks() -> None:
    data = csv_bytes(
        VEHICLE_HEADER,
        "",
        '鲁F11111,02,small_car,"two',
        'lines",registered,2027-01-01,2027-01-01,',
        "鲁F22222,02,small_car,王强,registered,2027-01-01,2027-01-01,",
        "鲁F2222O,02,small_car,王强,registered,2027-01-01,2027-01-01,",
        newline="\r\n",
    )
    rows = list(read_vehicles(data))
    assert [r.line for r in rows] == [3, 5, 6]
    assert problems(rows[0]) == [("owner", "bad_characters")]
    assert isinstance(rows[1], VehicleRecord)
    assert problems(rows[2]) == [("plate", "plate_letter_i_or_o")]


def test_a_byte_order_mark_is_skipped() -> None:
    data = csv_bytes(VEHICLE_HEADER, "鲁F12345,02,small_car,张伟,registered,2027-03-31,2026-12-31,")
    assert list(read_vehicles(b"\xef\xbb\xbf" + data)) == list(read_vehicles(data))


@pytest.mark.parametrize(
    ("middle", "code"),
    [
        (vehicle(plate="鲁F22222", owner="王强").encode("gbk"), "row_not_utf8"),
        ('鲁F22222,02,small_car,"王"强,registered,2027-01-01,2027-01-01,'.encode(), "row_bad_csv"),
    ],
)
def test_a_row_bad_as_a_whole_and_the_rows_around_it_kept(middle: bytes, code: str) -> None:
    first, last = vehicle(plate="鲁F11111"), vehicle(plate="鲁F33333")
    data = csv_bytes(VEHICLE_HEADER, first) + middle + b"\n" + last.encode() + b"\n"
    rows = list(read_vehicles(data))
    assert [r.line for r in rows] == [2, 3, 4]
    assert problems(rows[1]) == [(None, code)]
    assert isinstance(rows[0], VehicleRecord)
    assert isinstance(rows[2], VehicleRecord)


def test_an_unterminated_quote_at_the_end_is_a_bad_row() -> None:
    data = csv_bytes(
        VEHICLE_HEADER,
        "鲁F11111,02,small_car,张伟,registered,2027-01-01,2027-01-01,",
        '鲁F22222,02,small_car,"王强,registered,2027-01-01,2027-01-01,',
        "鲁F33333,02,small_car,李娜,registered,2027-01-01,2027-01-01,",
    )
    rows = list(read_vehicles(data))
    assert isinstance(rows[0], VehicleRecord)
    assert problems(rows[1]) == [(None, "row_bad_csv")]
    assert isinstance(rows[1], BadRow)
    assert rows[1].problems[0].reason.startswith("lines 3-4")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "registry_empty"),
        (b"\n\n", "registry_empty"),
        (b"\xef\xbb\xbf", "registry_empty"),
        (
            VEHICLE_HEADER.replace("owner", "own\xe9r").encode("latin-1") + b"\n",
            "registry_not_utf8",
        ),
        (VEHICLE_HEADER.replace(",flags", "").encode() + b"\n", "registry_bad_header"),
        ((VEHICLE_HEADER + ",colour").encode() + b"\n", "registry_bad_header"),
        (VEHICLE_HEADER.replace("flags", "owner").encode() + b"\n", "registry_bad_header"),
        (DRIVER_HEADER.encode() + b"\n", "registry_bad_header"),
        (b'"plate,plate_type\n', "registry_bad_csv"),
    ],
)
def test_a_file_refused_as_a_whole_before_any_row(data: bytes, code: str) -> None:
    with pytest.raises(RegistryFileRefused) as refused:
        read_vehicles(data)  # refused on the call, not on the first row
    assert (refused.value.code, refused.value.status) == (code, 422)


def test_the_bad_header_message_names_what_is_wrong() -> None:
    header = VEHICLE_HEADER.replace("flags", "owner") + ",colour"
    with pytest.raises(RegistryFileRefused) as refused:
        read_vehicles(header.encode() + b"\n")
    assert "missing: flags" in refused.value.message
    assert "unknown: colour" in refused.value.message
    assert "repeated: owner" in refused.value.message


def test_the_header_may_come_in_any_order() -> None:
    columns = VEHICLE_HEADER.split(",")
    header = ",".join(reversed(columns))
    row = _csv_line(list(reversed(next(csv.reader([vehicle(owner="张伟")])))))
    (record,) = read_vehicles(csv_bytes(header, row))
    assert isinstance(record, VehicleRecord)
    assert (record.plate, record.owner) == ("鲁F12345", "张伟")


def test_a_file_over_the_size_cap_is_refused() -> None:
    data = csv_bytes(VEHICLE_HEADER, "鲁F12345,02,small_car,张伟,registered,2027-03-31,2026-12-31,")
    assert list(read_vehicles(data, max_bytes=len(data)))
    with pytest.raises(RegistryFileRefused) as refused:
        read_vehicles(data, max_bytes=len(data) - 1)
    assert refused.value.code == "registry_file_too_large"


# ---------------------------------------------------------------- drivers

WANG = resident_id("37060219850612123")  # born 1985-06-12


def test_good_driver_rows_are_typed() -> None:
    data = csv_bytes(
        DRIVER_HEADER,
        "11010519491231002x,王芳,C1,1975-03-01,2021-03-01,长期,valid,3",
        f" {WANG} ,王强,a2d,2005-07-01,2023-07-01,2029-07-01,full_points,12",
    )
    rows = list(read_drivers(data, today=TODAY))
    assert rows == [
        DriverRecord(
            line=2,
            licence_number="11010519491231002X",
            name="王芳",
            classes=("C1",),
            first_issued=date(1975, 3, 1),
            valid_from=date(2021, 3, 1),
            valid_to=None,
            status="valid",
            points=3,
            date_of_birth=date(1949, 12, 31),
        ),
        DriverRecord(
            line=3,
            licence_number=WANG,
            name="王强",
            classes=("A2", "D"),
            first_issued=date(2005, 7, 1),
            valid_from=date(2023, 7, 1),
            valid_to=date(2029, 7, 1),
            status="full_points",
            points=12,
            date_of_birth=date(1985, 6, 12),
        ),
    ]


def _altered(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def driver(**cells: str) -> str:
    """A driver row: a good one, with `cells` changed."""
    row = dict(
        licence_number=WANG,
        name="王强",
        classes="C1",
        first_issued="2005-07-01",
        valid_from="2023-07-01",
        valid_to="2029-07-01",
        status="valid",
        points="0",
    )
    return _csv_line([*(row | cells).values()])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            driver(licence_number=_altered(WANG)),
            [("licence_number", "resident_id_check_character")],
        ),
        (driver(licence_number=WANG[:14]), [("licence_number", "resident_id_bad_format")]),
        (
            driver(licence_number=resident_id("37060220270101123")),  # born after today
            [("licence_number", "resident_id_bad_date")],
        ),
        (driver(name=""), [("name", "missing")]),
        (driver(classes="C7"), [("classes", "licence_bad_classes")]),
        (driver(first_issued="2024-07-01"), [("first_issued", "bad_dates")]),  # after valid_from
        (driver(valid_to="2023-07-01"), [("valid_to", "bad_dates")]),
        (driver(first_issued="1980-07-01"), [("first_issued", "bad_dates")]),  # before birth
        (driver(valid_to="forever"), [("valid_to", "bad_date")]),
        (driver(status="lost"), [("status", "unknown_value")]),
        (driver(points="-1"), [("points", "bad_points")]),
        (driver(points="12.5"), [("points", "bad_points")]),
        (driver(points="100"), [("points", "bad_points")]),
        (driver(points="\uff13"), [("points", "bad_points")]),  # a full-width 3
    ],
)
def test_each_bad_driver_row_names_its_field(
    row: str, expected: list[tuple[str | None, str]]
) -> None:
    good = "11010519491231002X,王芳,C1,1975-03-01,2021-03-01,长期,valid,3"
    rows = list(read_drivers(csv_bytes(DRIVER_HEADER, row, good), today=TODAY))
    assert [r.line for r in rows] == [2, 3]
    assert problems(rows[0]) == expected
    assert isinstance(rows[1], DriverRecord)


def test_a_licence_twice_in_a_file_is_a_bad_row() -> None:
    rows = list(
        read_drivers(
            csv_bytes(
                DRIVER_HEADER,
                driver(),
                driver(licence_number=f" {WANG.lower()}", points="2"),
            ),
            today=TODAY,
        )
    )
    assert isinstance(rows[0], DriverRecord)
    assert problems(rows[1]) == [("licence_number", "duplicate_in_file")]


def test_a_driver_file_with_the_vehicle_header_is_refused() -> None:
    with pytest.raises(RegistryFileRefused) as refused:
        read_drivers(VEHICLE_HEADER.encode() + b"\n", today=TODAY)
    assert refused.value.code == "registry_bad_header"


# ---------------------------------------------------------------- violations

VIOLATION_HEADER = "violation_id,plate,plate_type,code,time,place,fine,points,status"


def test_good_violation_rows_are_typed_and_their_times_in_utc() -> None:
    data = csv_bytes(
        VIOLATION_HEADER,
        "3706021234567,鲁F12345,02,1625,2026-11-30 08:15,南大街与北马路路口,200,6,untreated",
        "3706021234568, 鲁f·12345d ,51,13441,2026-11-29T23:05:10Z,滨海路,50,0,paid",
    )
    rows = list(read_violations(data))
    assert [(r.line, r.violation_id, r.plate, r.plate_kind) for r in rows] == [  # type: ignore[union-attr]
        (2, "3706021234567", "鲁F12345", "ordinary_small"),
        (3, "3706021234568", "鲁F12345D", "new_energy_large"),
    ]
    first, second = rows
    assert isinstance(first, ViolationRecord)
    assert isinstance(second, ViolationRecord)
    # no offset: the city's local time (+08:00 by default)
    assert first.occurred_at == datetime(2026, 11, 30, 0, 15, tzinfo=UTC)
    assert (first.code, first.place, first.fine, first.points, first.status) == (
        "1625",
        "南大街与北马路路口",
        200,
        6,
        "untreated",
    )
    assert second.occurred_at == datetime(2026, 11, 29, 23, 5, 10, tzinfo=UTC)
    # another city's offset given
    later = list(read_violations(data, utc_offset=timezone(timedelta(hours=5))))
    assert later[0].occurred_at == datetime(2026, 11, 30, 3, 15, tzinfo=UTC)  # type: ignore[union-attr]


def test_bad_violation_rows_name_each_field_and_good_rows_are_kept() -> None:
    data = csv_bytes(
        VIOLATION_HEADER,
        "-bad,鲁FI2345,02,16X5,2026-13-01 08:00,,-5,13,closed",
        "v2,鲁F12345,02,1625,2026-11-30 08:15,路口,200,6,unpaid",
        "v2,鲁F12346,02,1625,2026-11-30 08:16,路口,200,6,unpaid",
        "v4,鲁F12345,26,1625,2026-11-30 08:15,路口,200,6,unpaid",
    )
    rows = list(read_violations(data))
    assert problems(rows[0]) == [
        ("violation_id", "bad_violation_id"),
        ("plate", "plate_letter_i_or_o"),
        ("code", "bad_violation_code"),
        ("time", "bad_time"),
        ("place", "missing"),
        ("fine", "bad_fine"),
        ("points", "bad_points"),
        ("status", "unknown_value"),
    ]
    assert isinstance(rows[1], ViolationRecord)
    assert problems(rows[2]) == [("violation_id", "duplicate_in_file")]
    assert problems(rows[3]) == [("plate", "plate_kind_mismatch")]
    assert [r.line for r in rows] == [2, 3, 4, 5]


def test_a_violation_file_with_a_wrong_header_is_refused_whole() -> None:
    with pytest.raises(RegistryFileRefused) as refused:
        list(read_violations(csv_bytes("violation_id,plate,plate_type,code,time,place,fine")))
    assert refused.value.code == "registry_bad_header"
    assert "missing: points, status" in refused.value.message


def test_a_row_is_stale_only_over_a_record_of_a_later_file() -> None:
    city = "city-q.vehicles."
    early = file_order("2026-12-01T23:59:59.999Z", city + "f" * 24)
    late = file_order("2026-12-02T00:00:00.000Z", city + "0" * 24)  # its id sorts first
    same_moment = file_order("2026-12-02T00:00:00.000Z", city + "1" * 24)
    assert stale(late, early)
    assert not stale(early, late)
    assert stale(same_moment, late)  # one millisecond: the upload id orders them
    assert not stale(late, same_moment)
    assert not stale(late, late)  # the same file again (a retried import)
    assert not stale(None, early)  # a new record, or one stored before files were ordered
