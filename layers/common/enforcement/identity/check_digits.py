"""Check characters of identity documents.

- ICAO Doc 9303 Part 3 §4.9: digits keep their value, letters A-Z are 10-35, the filler `<` is 0;
  each value is multiplied by 7, 3, 1, 7, 3, 1, ...; the check digit is the sum modulo 10.
- ISO 7064 MOD 11-2 (GB 11643-1999): the 17 digits are weighted by 2^(17-i) mod 11; the check
  character is (12 - sum mod 11) mod 11, written `X` for 10.
"""

from __future__ import annotations

MRZ_ALPHABET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<")
_ICAO_WEIGHTS = (7, 3, 1)
_MOD11_2_WEIGHTS = tuple(pow(2, 17 - k, 11) for k in range(17))  # 7 9 10 5 8 4 2 1 6 3 ...


def mrz_value(char: str) -> int:
    """The value of one MRZ character: 0-9, A=10 ... Z=35, `<`=0."""
    if char == "<":
        return 0
    if "0" <= char <= "9":
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"{char!r} is not an MRZ character")


def icao_check_digit(data: str) -> int:
    """The ICAO 9303 check digit (0-9) over `data` (characters of the MRZ alphabet)."""
    return sum(mrz_value(c) * _ICAO_WEIGHTS[i % 3] for i, c in enumerate(data)) % 10


def mod11_2_check_character(digits17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of 17 decimal digits."""
    if len(digits17) != 17 or not digits17.isascii() or not digits17.isdigit():
        raise ValueError("MOD 11-2 of a resident ID takes exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(digits17, _MOD11_2_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)
