"""Request bodies and headers before any schema: JSON limits, media types, repeated headers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enforcement import inputs
from enforcement.errors import BadRequest, DomainError, Unprocessable, UnsupportedMediaType
from hypothesis import given, settings
from hypothesis import strategies as st


def refusal(text: str | bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        inputs.parse_json(text)
    return caught.value


def test_json_nested_a_thousand_deep_is_refused_before_parsing() -> None:
    error = refusal("[" * 1000 + "]" * 1000)
    assert isinstance(error, BadRequest)
    assert error.code == "json_too_deep"
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    assert refusal(deep_object).code == "json_too_deep"
    # an unclosed deep body is refused just the same, before the parser sees it
    assert refusal("[" * 100_000).code == "json_too_deep"


def test_nesting_up_to_the_limit_parses_and_brackets_in_strings_do_not_count() -> None:
    limit = inputs.MAX_DEPTH
    assert inputs.parse_json("[" * limit + "]" * limit) is not None
    assert refusal("[" * (limit + 1) + "]" * (limit + 1)).code == "json_too_deep"
    text = json.dumps({"note": "[[[[{{{{" * 500, "quoted": '\\"[[[['})
    assert inputs.parse_json(text)["note"].startswith("[[[[")


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0


TEXT = st.text(alphabet=st.sampled_from('[]{}"\\\\/ab\n\u2028\u4e2d'), max_size=8)
DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(DOCUMENTS, st.booleans())
def test_the_depth_scan_agrees_with_the_document_whatever_its_strings_hold(
    document: Any, ascii_only: bool
) -> None:
    assert inputs.nesting_depth(json.dumps(document, ensure_ascii=ascii_only)) == depth(document)


def test_bodies_built_to_defeat_a_backtracking_scan_are_refused_or_parsed() -> None:
    """Unterminated strings full of escaped quotes: one pass, whatever the quotes."""
    assert refusal('"' + '\\"' * 32_000).code == "invalid_json"
    assert refusal('"\\' * 30_000).code == "invalid_json"
    assert inputs.nesting_depth('["' + '\\"' * 32_000 + '"]') == 1


@pytest.mark.parametrize(
    "literal",
    ["1" * 4301, "-" + "9" * 39, "1e-200", "-5e-131", "1e126", "1e400", "0.5e-130"],
)
def test_numbers_dynamodb_cannot_store_are_refused(literal: str) -> None:
    error = refusal(f'{{"lat": {literal}}}')
    assert isinstance(error, Unprocessable)
    assert error.code == "number_out_of_range"
    assert len(error.message) < 200  # a 4,301-digit number is not echoed back


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("9" * 38, int("9" * 38)),
        ("0", 0),
        ("-0.0", 0.0),
        ("0e-999", 0.0),
        ("1e-130", 1e-130),
        ("9.9e125", 9.9e125),
        ("31.2304", 31.2304),
    ],
)
def test_numbers_within_dynamodb_range_parse(literal: str, value: Any) -> None:
    assert inputs.parse_json(f"[{literal}]") == [value]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(literal: str) -> None:
    assert refusal(f'{{"lat": {literal}}}').code == "invalid_json"


def test_lone_surrogates_in_values_and_keys_are_refused_and_pairs_pass() -> None:
    assert refusal('{"name": "\\ud800"}').code == "invalid_text"
    assert refusal('{"\\udfff": 1}').code == "invalid_text"
    assert inputs.parse_json('{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


def test_malformed_json_and_non_utf8_bytes_are_400s() -> None:
    assert refusal("{not json").code == "invalid_json"
    assert refusal(b'{"name": "\xff"}').code == "invalid_json"


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
     "application/json; charset=latin-1", "application/jsonx", "Application/JSON"],
)  # fmt: skip
def test_a_body_that_is_not_application_json_is_a_415(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        inputs.require_json(content_type)
    assert caught.value.status == 415
    assert caught.value.code == "unsupported_media_type"


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"],
)
def test_json_media_types_pass(content_type: str) -> None:
    inputs.require_json(content_type)


def test_a_header_sent_twice_is_refused_whichever_way_the_event_carries_it() -> None:
    twice = {
        "headers": {"Authorization": "Bearer b"},
        "multiValueHeaders": {"Authorization": ["Bearer a", "Bearer b"]},
    }
    with pytest.raises(BadRequest) as caught:
        inputs.single_header(twice, "Authorization")
    assert caught.value.code == "repeated_header"
    two_spellings = {"headers": {"Authorization": "Bearer a", "authorization": "Bearer b"}}
    with pytest.raises(BadRequest):
        inputs.single_header(two_spellings, "authorization")
    once = {
        "headers": {"authorization": "Bearer a"},
        "multiValueHeaders": {"authorization": ["Bearer a"]},
    }
    assert inputs.single_header(once, "Authorization") == "Bearer a"
    assert inputs.single_header({"headers": None}, "Authorization") is None
