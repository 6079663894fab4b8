"""Post a file with the presigned POST in an API answer (what the mini-program upload call does).

    curl ... > answer.json && python3 scripts/upload.py answer.json photo.jpg [N]

`answer.json` is the JSON an API call returned with an `upload` object (url, fields, file_field),
or with a list `uploads` of them, of which N (default 0) is used.
Standard library only, so it runs with any python3.
"""

from __future__ import annotations

import json
import sys
import urllib.request
import uuid
from pathlib import Path


def multipart(fields: dict[str, str], file_field: str, name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(answer_path: str, file_path: str, index: int = 0) -> int:
    answer = json.loads(Path(answer_path).read_text())
    grant = answer.get("upload") or (answer.get("uploads") or [None])[index] or answer
    if not isinstance(grant, dict) or "fields" not in grant:
        sys.exit(f"nothing to upload in {answer_path}: {json.dumps(answer, ensure_ascii=False)}")
    body, content_type = multipart(
        grant["fields"],
        grant.get("file_field", "file"),
        Path(file_path).name,
        Path(file_path).read_bytes(),
    )
    if not grant["url"].startswith(("http://", "https://")):
        sys.exit("the upload URL is not http(s)")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        grant["url"], data=body, method="POST", headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - URL from our API
        print(f"uploaded {file_path} -> {grant['key']} (HTTP {response.status})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 0))
