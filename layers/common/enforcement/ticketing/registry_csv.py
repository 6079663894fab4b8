"""A registry's CSV file, judged as a file and then row by row: pure, no I/O.

The file as a whole is refused (`RegistryFileRefused`, nothing read) when it is larger than
`max_bytes` (`registry_file_too_large`), empty (`registry_empty`), when its header line is not
UTF-8 (`registry_not_utf8`: a GBK export must be saved as UTF-8 first) or not CSV
(`registry_bad_csv`), or when the header does not name each column of the registry exactly once
and nothing else (`registry_bad_header`). A UTF-8 byte order mark is skipped.

Then every row is either a record (what the registry's `parse` makes of its cells, read through
`Row`) or a `BadRow`: its line number in the file (the header is line 1; a row whose quoted
field spans lines has the number of its first line) and every field at fault with a code and a
reason. A row that is not UTF-8 (`row_not_utf8`), has another number of values than the header
(`row_columns`) or breaks the CSV quoting (`row_bad_csv`, naming the lines it took) is bad as a
whole. Blank lines are skipped. A row repeating the key of an earlier row of the file is bad
(`duplicate_in_file`): which one wins is not guessed. Rows are yielded as they are read, so an
importer writes as it goes and a large file is never held twice.

The three registries' columns and records: `registry_rows`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol, TypeVar

from enforcement.errors import Unprocessable
from enforcement.identity import DocumentRefused

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_CELL = 200
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
LONG_TERM = ("长期", "long_term")
BOM = b"\xef\xbb\xbf"
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Keyed(Protocol):
    """A row's record: its key within the file, and the column that holds it."""

    key_field: ClassVar[str]

    @property
    def key(self) -> Hashable: ...


R = TypeVar("R", bound=Keyed)


class RegistryFileRefused(Unprocessable):
    """A registry file refused as a whole: nothing in it is taken."""

    def __init__(self, code: str, message: str, *, line: int | None = None) -> None:
        super().__init__(code, message, details=None if line is None else {"line": line})
        self.line = line


@dataclass(frozen=True, slots=True)
class Problem:
    field: str | None  # None: the row as a whole
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    problems: tuple[Problem, ...]


class Row:
    """One row's cells, read field by field; each failure is kept as a Problem."""

    def __init__(self, cells: dict[str, str]) -> None:
        self.cells = cells
        self.problems: list[Problem] = []

    def fail(self, field: str | None, code: str, reason: str) -> None:
        self.problems.append(Problem(field, code, reason))

    def text(self, field: str, *, limit: int = MAX_CELL, required: bool = True) -> str | None:
        value = self.cells[field].strip()
        if not value:
            if required:
                self.fail(field, "missing", f"{field} is empty")
            return None if required else ""
        if len(value) > limit:
            self.fail(field, "too_long", f"{field} has more than {limit} characters")
            return None
        if not value.isprintable():
            self.fail(field, "bad_characters", f"{field} has control characters")
            return None
        return value

    def choice(self, field: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(field)
        if value is not None and value not in allowed:
            self.fail(field, "unknown_value", f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def day(self, field: str, *, long_term: bool = False) -> date | None:
        value = self.text(field)
        if value is None:
            return None
        if long_term and value in LONG_TERM:
            return None
        try:
            parsed = date.fromisoformat(value) if _DAY.fullmatch(value) else None
        except ValueError:
            parsed = None
        if parsed is None or not EARLIEST <= parsed <= LATEST:
            self.fail(field, "bad_date", f"{value!r} is not a date YYYY-MM-DD")
            return None
        return parsed

    def refused(self, field: str, error: DocumentRefused) -> None:
        self.fail(field, error.code, error.message)


def read(
    data: bytes,
    columns: tuple[str, ...],
    parse: Callable[[Row, int], R | None],
    max_bytes: int,
) -> Iterator[R | BadRow]:
    """The file's rows, each `parse(row, line)` or a `BadRow`. Raises `RegistryFileRefused`
    before yielding anything."""
    if len(data) > max_bytes:
        raise RegistryFileRefused(
            "registry_file_too_large",
            f"a registry file is at most {max_bytes} bytes: split it into several files",
        )
    start = len(BOM) if data.startswith(BOM) else 0
    bad_lines: set[int] = set()
    lines = _decoded_lines(data, start, bad_lines)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise RegistryFileRefused("registry_bad_csv", f"line 1: {error}", line=1) from None
    if header is None or not any(h.strip() for h in header):
        raise RegistryFileRefused("registry_empty", "the file has no header line")
    if bad_lines:
        raise RegistryFileRefused(
            "registry_not_utf8",
            "the file is not UTF-8 (a GBK export must be saved as UTF-8 first)",
            line=1,
        )
    names = [h.strip() for h in header]
    if sorted(names) != sorted(columns):
        missing = [c for c in columns if c not in names]
        unknown = [n for n in names if n not in columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise RegistryFileRefused(
            "registry_bad_header",
            f"the header names each of {', '.join(columns)} once"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; repeated: {', '.join(repeated)}" if repeated else ""),
            line=1,
        )
    return _rows(reader, names, parse, bad_lines)


def _rows(
    reader: Any,
    names: list[str],
    parse: Callable[[Row, int], R | None],
    bad_lines: set[int],
) -> Iterator[R | BadRow]:
    seen: dict[Any, int] = {}
    last = reader.line_num
    while True:
        first = last + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            last = reader.line_num
            lines = f"line {first}" if last <= first else f"lines {first}-{last}"
            yield BadRow(first, (Problem(None, "row_bad_csv", f"{lines}: {error}"),))
            continue
        if cells is None:
            return
        last = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if any(n in bad_lines for n in range(first, last + 1)):
            yield BadRow(first, (Problem(None, "row_not_utf8", "the row is not UTF-8"),))
            continue
        if len(cells) != len(names):
            yield BadRow(
                first,
                (
                    Problem(
                        None,
                        "row_columns",
                        f"{len(cells)} values where the header has {len(names)} columns",
                    ),
                ),
            )
            continue
        row = Row(dict(zip(names, cells, strict=True)))
        record = parse(row, first)
        if record is None:
            yield BadRow(first, tuple(row.problems))
            continue
        if record.key in seen:
            yield BadRow(
                first,
                (
                    Problem(
                        record.key_field,
                        "duplicate_in_file",
                        f"the same as line {seen[record.key]}",
                    ),
                ),
            )
            continue
        seen[record.key] = first
        yield record


def _decoded_lines(data: bytes, start: int, bad_lines: set[int]) -> Iterator[str]:
    """The file's lines as text, one at a time; a line that is not UTF-8 is noted in `bad_lines`
    (and read with replacement characters, for the CSV reader to keep its place)."""
    number = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        end = size if end < 0 else end + 1
        number += 1
        chunk = data[start:end]
        try:
            yield chunk.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield chunk.decode("utf-8", "replace")
        start = end
