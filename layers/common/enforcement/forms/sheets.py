"""The input of publishing: an `.xlsx` workbook or the same sheets as JSON, read into the rows
pyxform takes, within bounds; and the refusal every step of publishing raises."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from typing import Any

from enforcement.errors import Unprocessable

#: The sheets of the accepted subset (JSON input: keys of the object; `.xlsx`: sheet names).
SHEETS: tuple[str, ...] = ("survey", "choices", "settings")
#: Bounds that keep a hostile upload from costing more than a real form.
MAX_ROWS = 5_000
MAX_CELL_CHARS = 4_000


class FormRejected(Unprocessable):
    """A form that is not published. `details` lists every problem, each a dict with `code`,
    `message` and what it concerns (`field`, `column`, `language`, `function`, `choice_list`,
    `choice`)."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        first = problems[0]["message"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__("form_rejected", f"{first}{more}", details=problems)
        self.problems = problems


def problem(code: str, message: str, **about: str) -> dict[str, str]:
    return {"code": code, "message": message, **about}


def read_sheets(source: bytes | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, bytes | bytearray):
        from pyxform.errors import PyXFormError  # the compiler: only where a form is published
        from pyxform.xls2json_backends import get_xlsform

        try:
            data = get_xlsform(io.BytesIO(bytes(source)), file_type=".xlsx")
        except (PyXFormError, ValueError, KeyError, TypeError, OSError) as error:
            raise FormRejected([problem("pyxform", f"pyxform: {error}")]) from None
        read = dataclasses.asdict(data)
        other = [
            name
            for name in (data.sheet_names or ())
            if name.lower() not in SHEETS and name.lower() in _PYXFORM_SHEETS
        ]
        if other:
            raise FormRejected(
                [problem("unsupported_sheet", f"sheet {other[0]!r} is not supported")]
            )
        sheets = {name: read.get(name) or [] for name in SHEETS}
    elif isinstance(source, Mapping):
        unknown = [str(name) for name in source if name not in SHEETS]
        if unknown:
            raise FormRejected(
                [
                    problem(
                        "unsupported_sheet",
                        f"sheet {unknown[0]!r} is not supported: only {', '.join(SHEETS)}",
                    )
                ]
            )
        sheets = {name: _json_rows(name, source.get(name)) for name in SHEETS}
    else:
        raise FormRejected([problem("not_a_form", "send an .xlsx file or the sheets as JSON")])
    if sum(len(rows) for rows in sheets.values()) > MAX_ROWS:
        raise FormRejected([problem("too_large", f"a form has at most {MAX_ROWS} rows")])
    if not sheets["survey"]:
        raise FormRejected([problem("pyxform", "the survey sheet is empty")])
    return {name: rows for name, rows in sheets.items() if rows}


_PYXFORM_SHEETS = frozenset({"external_choices", "entities", "osm"})


def _json_rows(sheet: str, rows: Any) -> list[dict[str, str]]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise FormRejected([problem("not_a_form", f"sheet {sheet!r} must be a list of rows")])
    out: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=2):
        if not isinstance(row, dict):
            raise FormRejected(
                [problem("not_a_form", f"sheet {sheet!r} row {number} must be an object")]
            )
        cells: dict[str, str] = {}
        for column, value in row.items():
            text = _cell(value)
            if text is None:
                raise FormRejected(
                    [
                        problem(
                            "not_a_form",
                            f"sheet {sheet!r} row {number} column {column!r}: "
                            "a cell is text, a number or true/false",
                        )
                    ]
                )
            if len(text) > MAX_CELL_CHARS:
                raise FormRejected(
                    [
                        problem(
                            "too_large",
                            f"sheet {sheet!r} row {number} column {column!r}: "
                            f"at most {MAX_CELL_CHARS} characters",
                        )
                    ]
                )
            if text:
                cells[str(column).strip()] = text
        if cells:
            out.append(cells)
    return out


def _cell(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None
