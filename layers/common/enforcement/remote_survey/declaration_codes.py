"""The declaration code: what a traveller's QR holds once a declaration is submitted.

`D` followed by 40 URL-safe base64 characters (30 bytes, no padding, no spare bits): the
declaration id's 8 bytes, the expiry (4 bytes, seconds since 1970, big-endian) and the first 18
bytes of an HMAC-SHA256 over them. The HMAC key is derived from the application secret's
signing key (`enforcement.auth.signing_key`) for this one use, so a code can never pass for a
session token nor the reverse. 41 characters fit a QR code of version 3.

Reading a code: anything that does not verify (a forged or altered code, another length, a
non-canonical spelling) is 403 `code_invalid`; a genuine code past its expiry is 410
`code_expired` (the traveller shows a fresh one from the app). The MAC is checked first, so a
forged code never learns whether its expiry has passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from enforcement.errors import DomainError, Forbidden

PREFIX = "D"
_ID_BYTES = 8
_EXPIRY_BYTES = 4
_MAC_BYTES = 18
_BODY = _ID_BYTES + _EXPIRY_BYTES
LENGTH = len(PREFIX) + (_BODY + _MAC_BYTES) * 4 // 3
DECLARATION_ID = re.compile(r"^dc-([0-9a-f]{16})$")
_CODE = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{{LENGTH - len(PREFIX)}}}$")
_PURPOSE = b"enforcement/remote-survey/declaration-code/v1"


class CodeExpired(DomainError):
    status = 410


def code_key(signing_key: str) -> bytes:
    """The key of declaration codes, derived from the application's signing key."""
    return hmac.new(signing_key.encode(), _PURPOSE, hashlib.sha256).digest()


def issue(declaration_id: str, expires_at: int, key: bytes) -> str:
    """The code of `declaration_id` (`dc-` + 16 hex digits), valid until `expires_at`
    (seconds since 1970)."""
    found = DECLARATION_ID.match(declaration_id)
    if not found or not 0 < expires_at < 2**32:
        raise ValueError("a declaration code is made for dc-<16 hex> ids and 32-bit expiries")
    body = bytes.fromhex(found.group(1)) + expires_at.to_bytes(_EXPIRY_BYTES, "big")
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return PREFIX + base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read(code: str, now: int, key: bytes) -> str:
    """The declaration id a genuine, unexpired code names; 403 `code_invalid` for anything
    else, 410 `code_expired` for a genuine code whose time has passed."""
    invalid = Forbidden("code_invalid", "this is not a declaration code issued here")
    text = code.strip()
    if not _CODE.match(text):
        raise invalid
    raw = base64.urlsafe_b64decode(text[len(PREFIX) :])
    if PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        raise invalid  # pragma: no cover - 30 bytes have no spare bits; kept as a guard
    body, mac = raw[:_BODY], raw[_BODY:]
    if not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES], mac):
        raise invalid
    expires_at = int.from_bytes(body[_ID_BYTES:], "big")
    if now >= expires_at:
        raise CodeExpired("code_expired", "this declaration code has expired; show a fresh one")
    return f"dc-{body[:_ID_BYTES].hex()}"
