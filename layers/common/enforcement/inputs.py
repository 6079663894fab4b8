"""What a request may carry before any schema looks at it: media type, JSON limits, headers.

Every API function reads its body through `parse_json`, so nothing recurses on a hostile body
and no number reaches DynamoDB that it cannot store:

- nesting deeper than `MAX_DEPTH` is refused before the parser runs (Python's parser recurses);
- integers of more than `MAX_INTEGER_DIGITS` digits are refused before Python converts them
  (DynamoDB keeps 38 digits; Python refuses more than 4,300 with a ValueError);
- numbers that are not zero but smaller than 1e-130, or of 1e126 and more, are refused: DynamoDB
  cannot store them, and a write that carries one fails as a whole;
- `NaN` and `Infinity` (which Python's parser accepts) are not JSON;
- text must be Unicode scalar values: a lone surrogate (`"\\ud800"`) cannot be encoded as UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from enforcement.errors import BadRequest, Unprocessable, UnsupportedMediaType

#: Deepest nesting of arrays and objects a body may have (the deepest schema needs 6).
MAX_DEPTH = 32
#: DynamoDB numbers: 38 significant digits, magnitude within 1e-130 and 1e126.
MAX_INTEGER_DIGITS = 38
SMALLEST_NUMBER = Decimal("1e-130")
LARGEST_NUMBER = Decimal("1e126")

JSON_MEDIA_TYPE = "application/json"

#: What the depth scan looks at: brackets, and quotes and backslashes to skip strings.
_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in `text`, strings skipped; stops counting past `limit`.

    One pass over the characters that matter, so a hostile body costs linear time.
    """
    depth = deepest = 0
    in_string = False
    escaped = -1  # the position a backslash escapes
    for match in _SIGNIFICANT.finditer(text):
        position, char = match.start(), match.group()
        if position == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _out_of_range(literal: str, why: str) -> Unprocessable:
    shown = literal if len(literal) <= 40 else f"{literal[:20]}...({len(literal)} characters)"
    return Unprocessable(
        "number_out_of_range",
        f"the number {shown} cannot be stored: {why}",
        details=[{"loc": ["body"], "type": "number_out_of_range", "msg": why}],
    )


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _out_of_range(literal, f"integers have at most {MAX_INTEGER_DIGITS} digits")
    return int(literal)


def _float(literal: str) -> float:
    try:
        magnitude = abs(Decimal(literal))
    except InvalidOperation as exc:  # the parser only hands over number literals
        raise BadRequest("invalid_json", "the request body is not valid JSON") from exc
    if magnitude and not SMALLEST_NUMBER <= magnitude < LARGEST_NUMBER:
        raise _out_of_range(literal, "numbers other than 0 lie between 1e-130 and 1e126")
    return float(literal)


def _constant(literal: str) -> Any:
    raise BadRequest("invalid_json", f"{literal} is not a JSON value")


def _check_text(value: Any) -> None:
    """Refuse lone surrogates in any string or key (they cannot be encoded as UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadRequest(
                "invalid_text", "the body holds text that is not valid Unicode"
            ) from exc
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)


def parse_json(text: str | bytes) -> Any:
    """The JSON document of a request body, within the limits above (else a 400 or 422)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest("invalid_json", "the request body is not UTF-8") from exc
    if nesting_depth(text) > MAX_DEPTH:
        raise BadRequest("json_too_deep", f"JSON bodies nest at most {MAX_DEPTH} levels deep")
    try:
        document = json.loads(
            text, parse_int=_integer, parse_float=_float, parse_constant=_constant
        )
    except json.JSONDecodeError as exc:
        raise BadRequest(
            "invalid_json",
            "the request body is not valid JSON",
            details=[{"loc": ["body"], "type": "json_invalid", "msg": exc.msg, "pos": exc.pos}],
        ) from exc
    _check_text(document)
    return document


def require_json(content_type: str | None) -> None:
    """A body must be sent as `application/json` (UTF-8); anything else is a 415.

    The media type is compared as written, in lower case, as Powertools' validation reads it.
    """
    media, _, params = (content_type or "").partition(";")
    if media.strip() != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType(
            "unsupported_media_type",
            f"send the body as {JSON_MEDIA_TYPE}"
            + (f", not {media.strip()[:60]}" if media.strip() else ""),
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMediaType(
                "unsupported_media_type", f"send the body as {JSON_MEDIA_TYPE} in UTF-8"
            )


def single_header(event: Mapping[str, Any], name: str) -> str | None:
    """The one value of header `name` in an API Gateway event; a 400 when it was sent twice.

    API Gateway keeps the last of repeated headers in `headers` and all of them in
    `multiValueHeaders`; a request that names its caller twice is refused rather than guessed.
    """
    wanted = name.lower()
    values: list[str] = []
    for key, items in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == wanted:
            values.extend(items or [])
    if len(values) > 1:
        raise BadRequest("repeated_header", f"send the {name} header once")
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            values.append(value)
    if len({*values}) > 1:
        raise BadRequest("repeated_header", f"send the {name} header once")
    return values[0] if values else None
