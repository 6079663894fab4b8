"""The registry import under moto, in process (the S3 event's work without the stack): good
rows kept beside bad ones, each bad row with its line and reason; the DynamoDB calls of a
250-row import counted (100 rows a BatchGetItem, one conditional PutItem a written row); the
same rows again write no value (each record's `source` moves on), one changed row writes one;
the same file's import retried writes nothing; a file refused whole writes nothing; more bad
rows than the ticket holds go to a report in the bucket. Files that cross: an older file after a
newer one, and two files whose imports interleave (threads), end with the newer file's values,
the older one's rows counted `stale`."""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from enforcement import audit, jurisdictions, models, uploads
from enforcement.auth import Principal, Role
from enforcement.errors import Forbidden, NotFound
from enforcement.ticketing import registry_import
from enforcement.ticketing.models import Driver, Vehicle, Violation, driver_key, plate_key
from enforcement.ticketing.registry_rows import file_order

from tests.unit import survey_moto

BUCKET = "uploads-unit"
VEHICLES = (
    "plate,plate_type,vehicle_type,owner,registration_status,inspection_due,insurance_expiry,flags"
)
CITY = AGENCY = ""
ADMIN = Principal("admin-q", Role.ADMIN)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    global CITY, AGENCY, ADMIN
    tables = (models.Upload, models.Jurisdiction, audit.AuditEntry, Vehicle, Driver, Violation)
    with survey_moto.tables(monkeypatch, *tables, UPLOAD_BUCKET=BUCKET) as found:
        s3 = uploads.s3_client()
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": survey_moto.REGION}
        )
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        suffix = secrets.token_hex(4)
        CITY, AGENCY = f"city-{suffix}", f"traffic-{suffix}"
        ADMIN = Principal("admin-q", Role.ADMIN, agency=AGENCY, jurisdiction=CITY)
        jurisdictions.register("admin:seed", AGENCY, CITY)
        found.clear()
        yield found


def post(registry: str, content: bytes) -> tuple[str, str]:
    """A granted upload and its posted object: key and version."""
    grant = registry_import.grant(ADMIN, CITY, registry)
    put = uploads.s3_client().put_object(
        Bucket=BUCKET, Key=grant["key"], Body=content, ContentType="text/csv"
    )
    return grant["key"], put["VersionId"]


def vehicle_rows(count: int, owner: str = "张伟") -> list[str]:
    return [
        f"鲁F{n:05d},02,small_car,{owner},registered,2027-03-31,2027-01-31," for n in range(count)
    ]


def csv(header: str, rows: list[str]) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def writes(calls: list[str]) -> Counter[str]:
    return Counter(c for c in calls if c in ("BatchWriteItem", "PutItem", "UpdateItem"))


def test_good_rows_are_kept_bad_rows_reported_and_equal_rows_not_rewritten(
    calls: list[str],
) -> None:
    rows = vehicle_rows(250)
    rows[10] = "鲁FI0010,02,small_car,张伟,registered,2027-03-31,2027-01-31,"  # I: never on a plate
    rows[20] = "鲁F00020,02,rocket,张伟,registered,2027-03-31,2027-01-31,stolen|moon"
    key, version = post("vehicles", csv(VEHICLES, rows))
    calls.clear()
    result = registry_import.process(key, version)
    assert result["outcome"] == "imported"
    assert (result["accepted"], result["written"], result["bad_rows"]) == (248, 248, 2)
    counted = Counter(calls)
    # the ticket; 248 rows compared 100 at a time; written 25 at a time; the chain's head and
    # one transaction (the ticket closed, the audit entry)
    # one conditional write a row (a batch write carries no condition)
    assert counted == Counter(
        {"GetItem": 2, "BatchGetItem": 3, "PutItem": 248, "TransactWriteItems": 1}
    )
    status = registry_import.status(ADMIN, registry_import.upload_id(key))
    assert (status["status"], status["result"]) == ("done", "imported")
    bad = status["details"]["bad"]
    assert [(b["line"], [p["field"] for p in b["problems"]]) for b in bad] == [
        (12, ["plate"]),
        (22, ["vehicle_type", "flags"]),
    ]
    assert status["report_url"] is None
    stored = Vehicle.get(plate_key(CITY, "鲁F00001"), "ordinary_small")
    assert (stored.owner, stored.inspection_due, stored.flags) == ("张伟", "2027-03-31", [])
    assert stored.upload_id == registry_import.upload_id(key)

    # the same rows again, by a later upload: compared, no value written; each record now
    # stands as of the later file (its `source` alone updated), so that an earlier file
    # imported after it cannot undo it
    first_source = stored.source
    key, version = post("vehicles", csv(VEHICLES, rows))
    calls.clear()
    again = registry_import.process(key, version)
    assert (again["outcome"], again["written"], again["unchanged"]) == ("unchanged", 0, 248)
    assert writes(calls) == Counter({"UpdateItem": 248})
    assert Counter(calls)["BatchGetItem"] == 3
    stored = Vehicle.get(plate_key(CITY, "鲁F00001"), "ordinary_small")
    assert stored.upload_id != registry_import.upload_id(key)  # not changed by this upload
    assert first_source is not None
    assert stored.source is not None
    assert stored.source > first_source
    assert registry_import.upload_id(key) in stored.source

    # one row changed (a new owner): one write
    rows[1] = "鲁F00001,02,small_car,李娜,registered,2027-03-31,2027-01-31,seized"
    key, version = post("vehicles", csv(VEHICLES, rows))
    calls.clear()
    changed = registry_import.process(key, version)
    assert (changed["written"], changed["unchanged"]) == (1, 247)
    assert writes(calls) == Counter({"PutItem": 1, "UpdateItem": 247})
    stored = Vehicle.get(plate_key(CITY, "鲁F00001"), "ordinary_small")
    assert (stored.owner, stored.flags) == ("李娜", ["seized"])

    # the event delivered again: the ticket is decided, nothing read or written
    calls.clear()
    assert registry_import.process(key, version)["outcome"] == "already_processed"
    assert calls == ["GetItem"]


def test_a_file_refused_whole_writes_nothing_and_is_deleted(calls: list[str]) -> None:
    key, version = post("drivers", csv("licence_number,name", ["370602198001011234,王芳"]))
    calls.clear()
    result = registry_import.process(key, version)
    assert (result["outcome"], result["code"]) == ("refused", "registry_bad_header")
    assert calls == ["GetItem", "GetItem", "TransactWriteItems"]  # ticket, audit head, closing
    status = registry_import.status(ADMIN, registry_import.upload_id(key))
    assert (status["status"], status["result"]) == ("rejected", "registry_bad_header")
    assert "missing: classes" in status["details"]["reason"]
    assert list(Driver.scan()) == []
    with pytest.raises(uploads.ObjectMissing):
        uploads.fetch(key, 1000, version)


def test_drivers_and_violations_are_stored_in_their_registries(calls: list[str]) -> None:
    header = "licence_number,name,classes,first_issued,valid_from,valid_to,status,points"
    key, version = post(
        "drivers",
        csv(header, ["37060219800101123X,王芳,C1,2005-03-01,2021-03-01,长期,valid,3"]),
    )
    result = registry_import.process(key, version)
    assert (result["accepted"], result["bad_rows"]) == (0, 1)  # the check character is wrong
    status = registry_import.status(ADMIN, registry_import.upload_id(key))
    assert status["details"]["bad"][0]["problems"][0]["code"] == "resident_id_check_character"
    number = "370602198001011234"
    key, version = post(
        "drivers", csv(header, [f"{number},王芳,C1,2005-03-01,2021-03-01,长期,valid,3"])
    )
    assert registry_import.process(key, version)["written"] == 1
    driver = Driver.get(driver_key(CITY, number))
    assert (driver.name, driver.classes, driver.valid_to, driver.points) == (
        "王芳",
        ["C1"],
        None,
        3,
    )
    # its points count in the cycle of the import day (from the first issue's anniversary)
    assert driver.points_cycle_start is not None
    assert driver.points_cycle_start[5:] == "03-01"

    header = "violation_id,plate,plate_type,code,time,place,fine,points,status"
    key, version = post(
        "violations", csv(header, ["v-1,鲁F00001,02,1625,2026-11-30 08:15,南大街,200,6,unpaid"])
    )
    assert registry_import.process(key, version)["written"] == 1
    [violation] = Violation.query(plate_key(CITY, "鲁F00001"))
    assert (violation.violation_key, violation.occurred_at, violation.fine) == (
        "ordinary_small#v-1",
        "2026-11-30T00:15:00.000Z",
        200,
    )


def test_more_bad_rows_than_the_ticket_holds_go_to_a_report(calls: list[str]) -> None:
    rows = [f"鲁F{n:05d},02,small_car,张伟,registered,2027-13-01,2027-01-31," for n in range(130)]
    key, version = post("vehicles", csv(VEHICLES, rows))
    result = registry_import.process(key, version)
    assert (result["accepted"], result["bad_rows"]) == (0, 130)
    status = registry_import.status(ADMIN, registry_import.upload_id(key))
    assert len(status["details"]["bad"]) == registry_import.INLINE_BAD_ROWS
    report_key = f"ticketing/reports/{CITY}/{registry_import.upload_id(key)}.json"
    assert report_key in unquote(status["report_url"])
    report = json.loads(uploads.get_document(report_key))
    assert [row["line"] for row in report["bad"]] == list(range(2, 132))


def test_only_the_agency_admins_import(calls: list[str]) -> None:
    officer = Principal("officer-q", Role.OFFICER, agency=AGENCY, jurisdiction=CITY)
    with pytest.raises(Forbidden) as refused:
        registry_import.grant(officer, CITY, "vehicles")
    assert refused.value.code == "role_not_allowed"
    stranger = Principal("admin-x", Role.ADMIN, agency="another-agency", jurisdiction="elsewhere")
    with pytest.raises(NotFound):
        registry_import.grant(stranger, CITY, "vehicles")
    key, _ = post("vehicles", csv(VEHICLES, vehicle_rows(1)))
    with pytest.raises(NotFound):
        registry_import.status(stranger, registry_import.upload_id(key))


def test_an_import_retried_after_a_stop_writes_nothing_again(
    calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, version = post("vehicles", csv(VEHICLES, vehicle_rows(30)))
    with monkeypatch.context() as stop:
        stop.setattr(registry_import, "_done", _raise)
        with pytest.raises(RuntimeError):
            registry_import.process(key, version)  # rows written, the ticket still pending
    calls.clear()
    result = registry_import.process(key, version)  # the event retried
    assert (result["outcome"], result["written"], result["unchanged"]) == ("unchanged", 0, 30)
    assert writes(calls) == Counter()


def _raise(*_: Any) -> None:
    raise RuntimeError("stopped before the ticket's transaction")


def granted(count: int) -> list[dict[str, Any]]:
    """`count` registry upload grants of the city's vehicles, in file order (granted first
    first; two grants of one millisecond ordered by their upload id)."""
    grants = [registry_import.grant(ADMIN, CITY, "vehicles") for _ in range(count)]
    return sorted(grants, key=lambda grant: file_order(created(grant), grant["upload_id"]))


def created(grant: dict[str, Any]) -> str:
    ticket = uploads.ticket(grant["key"])
    assert ticket is not None
    return str(ticket.created_at)


def posted(grant: dict[str, Any], rows: list[str]) -> tuple[str, str]:
    put = uploads.s3_client().put_object(
        Bucket=BUCKET, Key=grant["key"], Body=csv(VEHICLES, rows), ContentType="text/csv"
    )
    return grant["key"], put["VersionId"]


def flags() -> dict[str, list[str]]:
    return {vehicle.plate: vehicle.flags for vehicle in Vehicle.scan()}


ROWS = 30
NORMAL = vehicle_rows(ROWS)
SEIZED = [row + "seized" for row in NORMAL]


def test_an_older_file_after_a_newer_one_leaves_the_newer_values(calls: list[str]) -> None:
    older, newer = granted(2)
    extra = "鲁F99999,02,small_car,赵磊,registered,2027-03-31,2027-01-31,"
    older_file, newer_file = posted(older, [*NORMAL, extra]), posted(newer, SEIZED)
    assert registry_import.process(*newer_file)["written"] == ROWS
    calls.clear()
    result = registry_import.process(*older_file)
    # the newer file's records are left as they are; the row it did not list is written
    assert (result["written"], result["stale"], result["unchanged"]) == (1, ROWS, 0)
    assert (result["accepted"], result["bad_rows"]) == (ROWS + 1, 0)
    assert writes(calls) == Counter({"PutItem": 1})
    assert flags() == {**{f"鲁F{n:05d}": ["seized"] for n in range(ROWS)}, "鲁F99999": []}
    status = registry_import.status(ADMIN, older["upload_id"])
    assert (status["result"], status["details"]["stale"], status["details"]["bad"]) == (
        "imported",
        ROWS,
        [],
    )


def test_a_row_a_later_file_listed_unchanged_is_not_undone_by_an_earlier_file(
    calls: list[str],
) -> None:
    first, middle, last = granted(3)
    first_file, middle_file, last_file = (
        posted(first, SEIZED),
        posted(middle, NORMAL),
        posted(last, SEIZED),
    )
    registry_import.process(*first_file)
    assert registry_import.process(*last_file)["unchanged"] == ROWS  # equal values
    result = registry_import.process(*middle_file)  # released, but the last file says seized
    assert (result["written"], result["stale"]) == (0, ROWS)
    assert set(map(tuple, flags().values())) == {("seized",)}


def interleaved(
    first: tuple[str, str], second: tuple[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two imports crossing: `first` reads the records (one page: at most 100 rows), `second` is
    imported whole meanwhile, on another thread, then `first` writes on what it read."""
    read, done = threading.Event(), threading.Event()
    original = Vehicle.batch_get
    results: dict[str, Any] = {}

    def batch_get(*args: Any, **kwargs: Any) -> Iterator[Vehicle]:
        found = list(original(*args, **kwargs))
        if threading.current_thread().name == "first":
            read.set()
            assert done.wait(60)
        return iter(found)

    def run() -> None:
        try:
            results["first"] = registry_import.process(*first)
        except BaseException as exc:  # seen by the test's thread
            results["error"] = exc
            read.set()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Vehicle, "batch_get", batch_get)
        thread = threading.Thread(target=run, name="first")
        thread.start()
        try:
            assert read.wait(60)
            results["second"] = registry_import.process(*second)
        finally:
            done.set()
            thread.join(60)
    if "error" in results:
        raise results["error"]
    return results["first"], results["second"]


@pytest.mark.parametrize("older_reads_first", [True, False], ids=["older-late", "newer-late"])
def test_two_files_crossing_end_with_the_newer_files_values(
    calls: list[str], older_reads_first: bool
) -> None:
    older, newer = granted(2)
    older_file, newer_file = posted(older, NORMAL), posted(newer, SEIZED)
    if older_reads_first:  # the older file writes last, on a read the newer file outdated
        older_result, newer_result = interleaved(older_file, newer_file)
        assert (older_result["written"], older_result["stale"]) == (0, ROWS)
    else:
        newer_result, older_result = interleaved(newer_file, older_file)
        assert older_result["written"] == ROWS  # first: written, then overwritten
    assert (newer_result["written"], newer_result["stale"]) == (ROWS, 0)
    assert set(map(tuple, flags().values())) == {("seized",)}
    assert {v.source for v in Vehicle.scan()} == {file_order(created(newer), newer["upload_id"])}


def test_a_later_file_equal_to_a_record_an_earlier_file_changes_meanwhile_wins(
    calls: list[str],
) -> None:
    first, middle, last = granted(3)
    first_file, middle_file, last_file = (
        posted(first, SEIZED),
        posted(middle, NORMAL),
        posted(last, SEIZED),
    )
    registry_import.process(*first_file)
    # the last file reads records equal to its rows; the middle one releases them meanwhile
    last_result, middle_result = interleaved(last_file, middle_file)
    assert middle_result["written"] == ROWS
    assert (last_result["written"], last_result["unchanged"]) == (ROWS, 0)
    assert set(map(tuple, flags().values())) == {("seized",)}
