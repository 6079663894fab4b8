"""Declaration codes: short, URL-safe, signed, expiring; any single altered character refused."""

from __future__ import annotations

import string

import pytest
from enforcement.errors import Forbidden
from enforcement.remote_survey import declaration_codes as codes
from hypothesis import given
from hypothesis import strategies as st

KEY = codes.code_key("the deployment's signing key")
ID = "dc-0123456789abcdef"
NOW = 1_780_000_000
ALPHABET = string.ascii_letters + string.digits + "-_"


def test_a_code_is_short_url_safe_and_names_its_declaration() -> None:
    code = codes.issue(ID, NOW + 86_400, KEY)
    assert len(code) == codes.LENGTH == 41
    assert set(code) <= set(ALPHABET)
    assert codes.read(code, NOW, KEY) == ID


def test_expiry_is_judged_after_the_signature() -> None:
    code = codes.issue(ID, NOW + 60, KEY)
    assert codes.read(code, NOW + 59, KEY) == ID
    with pytest.raises(codes.CodeExpired) as expired:
        codes.read(code, NOW + 60, KEY)
    assert (expired.value.status, expired.value.code) == (410, "code_expired")
    forged_expired = codes.issue(ID, NOW - 1, codes.code_key("another key"))
    with pytest.raises(Forbidden) as refused:
        codes.read(forged_expired, NOW, KEY)
    assert refused.value.code == "code_invalid"


def test_another_deployments_key_is_refused() -> None:
    code = codes.issue(ID, NOW + 60, codes.code_key("another key"))
    with pytest.raises(Forbidden):
        codes.read(code, NOW, KEY)


@given(
    hexid=st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
    ttl=st.integers(min_value=1, max_value=10**6),
    position=st.integers(min_value=0, max_value=codes.LENGTH - 1),
    replacement=st.sampled_from(ALPHABET + "=+/ .%"),
)
def test_any_single_altered_character_is_refused(
    hexid: str, ttl: int, position: int, replacement: str
) -> None:
    declaration_id = f"dc-{hexid}"
    code = codes.issue(declaration_id, NOW + ttl, KEY)
    if code[position] == replacement:
        return
    altered = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(Forbidden) as refused:
        codes.read(altered, NOW, KEY)
    assert refused.value.code == "code_invalid"


@pytest.mark.parametrize(
    "text", ["", "D", "D" + "A" * 39, "D" + "A" * 41, "X" + "A" * 40, "D" + "A" * 39 + "=", "dc-0"]
)
def test_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(Forbidden):
        codes.read(text, NOW, KEY)


def test_only_declaration_ids_and_32_bit_expiries_are_encoded() -> None:
    for bad_id, expiry in (("dc-XYZ", NOW), ("vs-0123456789abcdef", NOW), (ID, 2**32), (ID, 0)):
        with pytest.raises(ValueError, match="declaration code"):
            codes.issue(bad_id, expiry, KEY)
