"""An .xlsx form is judged on its unzipped size before openpyxl opens it."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest
from enforcement.forms.sheets import FormRejected
from enforcement.remote_survey import workbooks

LIMIT = 1024 * 1024


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(data: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(FormRejected) as refused:
        workbooks.check_unzipped_size(data, limit)
    return refused.value.problems[0]["code"]


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = zipped({"xl/worksheets/sheet1.xml": b"\0" * (32 * LIMIT)})
    assert len(bomb) < LIMIT // 8
    assert refusal(bomb) == "too_large"


def test_a_directory_that_understates_a_size_is_refused_when_read() -> None:
    data = bytearray(zipped({"xl/worksheets/sheet1.xml": b"a" * (4 * LIMIT)}))
    # the central directory's "uncompressed size" of the one entry, set to 1 kB
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = (1024).to_bytes(4, "little")
    assert refusal(bytes(data)) in ("not_xlsx", "too_large")


def test_many_parts_not_a_zip_and_not_base64_are_refused() -> None:
    many = zipped({f"part{n}.xml": b"x" for n in range(workbooks.MAX_PARTS + 1)})
    assert refusal(many) == "too_large"
    assert refusal(b"PK not really a zip") == "not_xlsx"
    with pytest.raises(FormRejected) as refused:
        workbooks.decode("***not base64***")
    assert refused.value.problems[0]["code"] == "not_xlsx"


def test_a_real_workbook_passes_and_publishes(tmp_path: Path) -> None:
    from enforcement.forms import publish
    from openpyxl import Workbook

    form = json.loads(
        Path(
            "layers/common/enforcement/remote_survey/forms/arrival_health_declaration.json"
        ).read_text(encoding="utf-8")
    )
    book = Workbook()
    book.remove(book.active)
    for name in ("survey", "choices", "settings"):
        rows = form[name]
        columns = list(dict.fromkeys(column for row in rows for column in row))
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    book.save(tmp_path / "form.xlsx")
    raw = (tmp_path / "form.xlsx").read_bytes()
    data = workbooks.decode(base64.b64encode(raw).decode())
    definition = publish(data)
    assert definition.form_id == "arrival_health_declaration"
    assert len(definition.languages) == 12
