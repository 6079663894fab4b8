"""The one refusal of an identity document: a stable `code`, the field it concerns."""

from __future__ import annotations

from collections.abc import Sequence

from enforcement.errors import Unprocessable


class DocumentRefused(Unprocessable):
    """A document number or machine-readable zone that cannot be taken as read (HTTP 422).

    `field` is the first field at fault (None when the input as a whole is malformed); `fields`
    lists every field at fault, e.g. a document number and the composite check digit over it."""

    def __init__(self, code: str, message: str, *, fields: Sequence[str] = ()) -> None:
        self.fields: tuple[str, ...] = tuple(fields)
        self.field: str | None = self.fields[0] if self.fields else None
        super().__init__(code, message, details={"fields": list(self.fields)} if fields else None)
