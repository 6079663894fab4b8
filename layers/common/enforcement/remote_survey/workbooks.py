"""An `.xlsx` form as it arrives (base64 in a JSON body), judged before openpyxl opens it.

An `.xlsx` is a zip: a few kilobytes can unzip to gigabytes (a zip bomb). The zip's directory
states every part's unzipped size; the parts together must stay within
`Settings.form_xlsx_max_unzipped_bytes`, and each part is then unzipped here, at most that many
bytes in all, so a directory that lies about a size (or a damaged part) is refused too. Only
then do pyxform and openpyxl read it.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile

from enforcement.config import settings
from enforcement.forms.sheets import FormRejected, problem

#: Parts a workbook of a form has (sheets, styles, strings, relations): a few dozen at most.
MAX_PARTS = 200
_CHUNK = 64 * 1024


def decode(text: str) -> bytes:
    """The bytes of a base64 `.xlsx` (standard or URL-safe alphabet), refused unless it is a
    zip whose parts unzip within the limit."""
    cleaned = "".join(text.split())
    try:
        if "-" in cleaned or "_" in cleaned:
            data = base64.urlsafe_b64decode(cleaned)
        else:
            data = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise FormRejected([problem("not_xlsx", "xlsx_base64 is not base64")]) from None
    check_unzipped_size(data, settings().form_xlsx_max_unzipped_bytes)
    return data


def check_unzipped_size(data: bytes, limit: int) -> None:
    """Refuse `data` unless it is a zip of at most `MAX_PARTS` parts that unzip to at most
    `limit` bytes together, as stated and as read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        refusal = problem("not_xlsx", "the workbook is not an .xlsx (zip) file")
        raise FormRejected([refusal]) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise FormRejected(
                [problem("too_large", f"an .xlsx form has at most {MAX_PARTS} parts")]
            )
        stated = sum(part.file_size for part in parts)
        if stated > limit:
            raise FormRejected(
                [
                    problem(
                        "too_large",
                        f"the workbook unzips to {stated} bytes; at most {limit} are read",
                    )
                ]
            )
        left = limit
        try:
            for part in parts:
                with archive.open(part) as stream:
                    while chunk := stream.read(min(_CHUNK, left + 1)):
                        left -= len(chunk)
                        if left < 0:
                            raise FormRejected(
                                [problem("too_large", f"the workbook unzips to over {limit} bytes")]
                            )
        except FormRejected:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
            raise FormRejected([problem("not_xlsx", "the workbook's zip is damaged")]) from None
        except RuntimeError:  # an encrypted part
            raise FormRejected([problem("not_xlsx", "the workbook is encrypted")]) from None
