"""Documents the system itself writes and publishes: canonical JSON, strict reading, S3 storage.

Draw snapshots and results, and duty rotas, are hashed and published; their bytes must be the
same in every implementation that re-derives them (docs/draw-specification.md):

- `canonical_bytes`: keys sorted by code point, no whitespace, non-ASCII characters escaped as
  lowercase `\\uXXXX` (surrogate pairs beyond the BMP), integers and strings only — no floats,
  whose text differs across languages;
- `strict_loads`: a stored or downloaded document read back, floats and non-finite numbers refused;
- `put` / `get`: a document in the uploads bucket under the system's own keys.
"""

from __future__ import annotations

import json
from typing import Any

from enforcement import uploads


class DocumentError(ValueError):
    """A document that is not what a published document must be (a float, a wrong shape)."""


def canonical_bytes(value: Any, *, check: bool = True) -> bytes:
    """The canonical JSON of `value`. Large documents read with `strict_loads` (which refuses
    floats at parse time) may skip the float `check`."""
    if check:
        _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def strict_loads(text: str | bytes) -> Any:
    """JSON as published documents must be: floats and non-finite numbers are refused."""

    def refuse(token: str) -> Any:
        raise DocumentError(f"published documents hold no floats ({token}); use decimal strings")

    return json.loads(text, parse_float=refuse, parse_constant=refuse)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise DocumentError(f"canonical documents hold no floats ({value!r}); use decimal strings")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def put(key: str, document: dict[str, Any]) -> None:
    """Store a document the system writes (snapshot, result, rota) in its canonical JSON."""
    uploads.put_document(key, canonical_bytes(document, check=False))


def get(key: str) -> Any:
    """A stored document, read back strictly (no floats)."""
    return strict_loads(uploads.get_document(key))
