"""A flight's or a day's declarations as a table, CSV or XLSX, labelled in a language of the
form. Pure: the rows are built from declarations already read; `enforcement.remote_survey.
declaration_lists` reads them and stores the file.

Columns: the declaration's own facts under fixed English names (`FIXED`: stable for the
scripts that read an export), then one column per answered question and calculation of the
form, in survey order, headed by the question's label in the chosen language (notes and groups
have no column). Select answers are their choices' labels in that language (several joined by
"; "). The document number is masked (`enforcement.masking`) unless the officer asks for the
whole number. Every cell is text; a cell a spreadsheet would read as a formula (starting with
= + - @, a tab or a carriage return) is prefixed with an apostrophe, in CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enforcement.forms import FormDefinition
from enforcement.masking import mask_document_number
from enforcement.remote_survey import labels
from enforcement.remote_survey.models import Declaration

#: The declaration's own facts, before the answers.
FIXED: tuple[str, ...] = (
    "declaration_id",
    "flight_number",
    "arrival_date",
    "version",
    "submitted_at",
    "review",
    "outcome",
    "scanned_at",
    "released_at",
    "referred_at",
)
#: Field types that have no column (shown only, or structure).
_NO_COLUMN = frozenset({"note", "group"})
#: First characters a spreadsheet reads as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters an XLSX cell (XML 1.0) cannot hold: the C0 controls but tab, line feed and
#: carriage return (openpyxl's ILLEGAL_CHARACTERS_RE, written here so that only `to_xlsx`
#: needs openpyxl, a dependency of the remote survey function alone).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


def safe_cell(value: Any) -> str:
    """A value as a cell's text that no spreadsheet evaluates: formula starts prefixed with
    an apostrophe, characters XML cannot hold (control characters) dropped."""
    text = "" if value is None else str(value)
    text = str(ILLEGAL_CHARACTERS_RE.sub("", text))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def answer_fields(forms_used: Sequence[FormDefinition]) -> list[str]:
    """The answer columns: the fields of the first form (the newest) that hold an answer or a
    calculation, in survey order, then those only the other forms have."""
    names: list[str] = []
    seen: set[str] = set()
    for form in forms_used:
        for item in form.fields:
            if item.type in _NO_COLUMN or item.name in seen:
                continue
            seen.add(item.name)
            names.append(item.name)
    return names


def table(
    declarations: Iterable[Declaration],
    forms_by_version: Mapping[tuple[str, int], FormDefinition],
    code: str,
    *,
    full_numbers: bool = False,
) -> Table:
    """The declarations as a table in language `code`. `forms_by_version` holds the form
    version of every declaration, newest first (its order decides the columns' order); a
    question's header is its label in the newest form that has it."""
    forms_used = list(forms_by_version.values())
    fields = answer_fields(forms_used)
    header_form = {name: next(f for f in forms_used if _has(f, name)) for name in fields}
    questions = [labels.question_label(header_form[name], name, code) for name in fields]
    header = [*FIXED, *questions]
    labellers = {v: labels.labeller(f, code) for v, f in forms_by_version.items()}
    rows: list[list[str]] = []
    for declaration in declarations:
        labeller = labellers[(declaration.form_id, int(declaration.form_version))]
        answers = {**(declaration.computed or {}), **(declaration.answers or {})}
        number = answers.get("document_number") or declaration.document_number or ""
        if not full_numbers and number:
            answers["document_number"] = mask_document_number(str(number))
        fixed = [
            declaration.declaration_id,
            declaration.flight_number,
            declaration.arrival_date,
            int(declaration.version or 0),
            declaration.submitted_at,
            declaration.review,
            declaration.outcome,
            declaration.scanned_at,
            declaration.released_at,
            declaration.referred_at,
        ]
        cells = [labeller.text(name, answers.get(name)) for name in fields]
        rows.append([safe_cell(value) for value in [*fixed, *cells]])
    return Table([safe_cell(h) for h in header], rows)


def _has(form: FormDefinition, name: str) -> bool:
    try:
        form.field(name)
    except KeyError:
        return False
    return True


def to_csv(data: Table) -> bytes:
    """UTF-8 with a byte order mark (so a spreadsheet opens Chinese, Arabic... as written),
    comma-separated, every field quoted where needed, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(data.header)
    writer.writerows(data.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(data: Table, title: str) -> bytes:
    """One sheet named `title` (cut to Excel's 31 characters), the header row then the rows,
    every cell a string (write-only workbook: memory stays flat whatever the rows)."""
    from openpyxl import Workbook  # the remote survey function's own requirement

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(data.header)
    for row in data.rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()
    return cleaned[:31] or "declarations"
