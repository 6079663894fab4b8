"""Motor vehicle plates of the People's Republic of China (GA 36-2018), read as a phone types or
an OCR engine reads them, and the plates one OCR confusion away.

**Normalisation** (`normalise`): Unicode NFKC (full-width letters and digits become ASCII, the
ideographic space a space), the Traditional forms of the province and kind characters become the
Simplified ones (粵 → 粤, 滬 → 沪, 學 → 学, ...), spaces, middle dots (·, •, ・, ‧, ∙) and hyphens
are dropped, letters are upper-cased: ` 鲁b·12345 `, `鲁Ｂ１２３４５` and `鲁B-12345` are all
`鲁B12345`.

**Shapes** (`parse_plate`; the kind is what the characters allow, `PlateKind`):

    kind               shape                                                   example
    ordinary_small/    province + issuing letter + 5 serial characters         鲁F12345, 京A0DX21
      ordinary_large     (blue small or yellow large: the same characters)
    new_energy_small   province + letter + D|F + 1 serial character + 4 digits 粤BD12345, 沪AFA1234
    new_energy_large   province + letter + 5 digits + D|F                      鲁F12345D
    trailer            province + letter + 4 serial characters + 挂             鲁F1234挂
    coach              province + letter + 4 serial characters + 学             鲁F1234学
    police             province + letter + 4 serial characters + 警             鲁F0123警
    hk_macau           粤Z + 4 serial characters + 港 | 澳                       粤Z1234港
    embassy            使 + 3-digit country code + 3-digit serial              使224009
    consulate          province + letter + 4 digits + 领                       沪A1234领

A province is one of the 31 abbreviations (`PROVINCES`: 京 津 沪 渝 ... 宁 琼). Serial characters
are digits and letters except I and O, which are never used (they would be read as 1 and 0);
the issuing authority's letter is taken the same way. On a new-energy plate D stands for a pure
electric vehicle and F for any other new-energy vehicle; the small plate has it first in the
serial, the large plate last.

Sources relied on: GA 36-2018 *License plates of motor vehicles of the People's Republic of
China* (the English edition's contents and scope, chinesestandard.net/PDF.aspx/GA36-2018); the
new-energy serial rules as the Ministry announced them with the standard (small: D or F first,
then a letter or digit, then 4 digits; large: 5 digits then D or F; no I or O), as reported by
pcauto.com.cn; the embassy and consulate shapes (使 + country code + serial, a consulate's city
code + 4 digits + a red 领) as described by autohome.com.cn and yoojia.com; 粤Z ... 港/澳 for the
cross-border vehicles of Hong Kong and Macau. Several public validators (e.g. ztz2/validator-util)
also take A-K in the new-energy letter's place; GA 36-2018 names D and F only, and so does this
module. The plate type codes (`PLATE_TYPE_CODES`) are those of GA 24.7, as traffic-police systems
export them.

**Refusals** (`PlateRefused`, HTTP 422, field `plate`), in the order judged: `plate_bad_format`
(empty or longer than any plate), `plate_bad_character` (a character no plate carries),
`plate_embassy_shape` (使 then anything but 6 digits), `plate_unknown_province`,
`plate_bad_length`, `plate_bad_issuer`, `plate_letter_i_or_o`, `plate_kind_character_misplaced`
(挂 学 警 港 澳 领 使 anywhere but their own place), `plate_bad_serial` (a province character in the
serial), then by kind `plate_bad_length`, `plate_hk_macau_issuer` (港/澳 plates are 粤Z),
`plate_consulate_serial`, `plate_new_energy_letter`; last `plate_kind_mismatch` when the caller
names a kind the characters do not allow.

**OCR confusions** (`neighbours`): 0/O/D, 1/I, 8/B, 2/Z and 5/S, each way. A plate's neighbours
are the valid plates obtained by replacing one character, never the first (the province, or 使),
by a character it is confused with. Any text has at most `MAX_NEIGHBOURS` = 7: I and O are valid
nowhere, so a text holding one has neighbours only where it is changed (O gives 0 or D: two at
most), and a text without them keeps at most one alternative in each of its 7 places after the
first (0 and D each have one other than O). A valid plate has at most 5 (an ordinary plate whose
5 serial characters are all confusable, 鲁B00000: no issuing letter has a letter twin, and the
digits of new-energy, embassy and consulate plates stay digits). `lookup_keys` gives the plate and
its neighbours: at most 8 keys, one DynamoDB BatchGetItem (100 keys a call); `match` asks a
batch lookup once and answers the plate, or when it is not registered, the registered neighbours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from enforcement.identity.refusal import DocumentRefused

PlateKind = Literal[
    "ordinary_small",
    "ordinary_large",
    "new_energy_small",
    "new_energy_large",
    "trailer",
    "coach",
    "police",
    "hk_macau",
    "embassy",
    "consulate",
]
PLATE_KINDS: tuple[PlateKind, ...] = get_args(PlateKind)

#: The 31 provincial abbreviations of mainland China.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
DIGITS = "0123456789"
#: Letters a plate carries: every one but I and O.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL = DIGITS + LETTERS
#: The last character of a 7-character plate that names its kind.
SUFFIX_KINDS: dict[str, PlateKind] = {
    "挂": "trailer",
    "学": "coach",
    "警": "police",
    "港": "hk_macau",
    "澳": "hk_macau",
    "领": "consulate",
}
EMBASSY = "使"
NEW_ENERGY_LETTERS = "DF"
HK_MACAU_PREFIX = "粤Z"
#: GA 24.7 plate type codes (号牌种类) of the kinds above, as registries export them.
PLATE_TYPE_CODES: dict[str, PlateKind] = {
    "01": "ordinary_large",
    "02": "ordinary_small",
    "03": "embassy",
    "04": "consulate",
    "15": "trailer",
    "16": "coach",
    "23": "police",
    "26": "hk_macau",  # Hong Kong: the plate ends in 港
    "27": "hk_macau",  # Macau: the plate ends in 澳
    "51": "new_energy_large",
    "52": "new_energy_small",
}
PLATE_TYPE_SUFFIX = {"26": "港", "27": "澳"}

#: What an OCR engine reads one character as, and back.
CONFUSIONS: dict[str, str] = {
    "0": "OD",
    "O": "0D",
    "D": "0O",
    "1": "I",
    "I": "1",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
}
MAX_LENGTH = 8
MAX_NEIGHBOURS = MAX_LENGTH - 1
_MAX_INPUT = 32  # characters read at all, before normalising
_DROPPED = frozenset(" \t\r\n\u00b7\u2022\u30fb\u2027\u2219-\u2010\u2011\u2013")
_TRADITIONAL = str.maketrans(
    "滬魯粵遼蘇貴寧陝閩贛雲晉瓊掛學領",
    "沪鲁粤辽苏贵宁陕闽赣云晋琼挂学领",
)
_ALLOWED = frozenset(PROVINCES + SERIAL + "IO" + "".join(SUFFIX_KINDS) + EMBASSY)


class PlateRefused(DocumentRefused):
    """A plate that cannot be taken as read (HTTP 422): `code` says why, field `plate`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, fields=["plate"])


@dataclass(frozen=True, slots=True)
class Plate:
    """A valid plate. `kinds` are the kinds its characters allow (both ordinary kinds for a
    blue-or-yellow plate, otherwise one); `kind` is the one it is, when known."""

    number: str
    kinds: tuple[PlateKind, ...]
    kind: PlateKind | None

    @property
    def province(self) -> str | None:
        """The province abbreviation (None on an embassy plate)."""
        return None if self.number[0] == EMBASSY else self.number[0]


def normalise(text: str) -> str:
    """The plate as stored and compared: NFKC, Simplified, no spaces, dots or hyphens, upper
    case. Refuses (`plate_bad_format`) an empty text or one longer than any plate."""
    if len(text) > _MAX_INPUT:
        raise PlateRefused("plate_bad_format", f"a plate has at most {MAX_LENGTH} characters")
    folded = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    number = "".join(c for c in folded if c not in _DROPPED and not c.isspace()).upper()
    if not number:
        raise PlateRefused("plate_bad_format", "no plate given")
    if len(number) > MAX_LENGTH + 1:
        raise PlateRefused("plate_bad_format", f"a plate has at most {MAX_LENGTH} characters")
    return number


def parse_plate(text: str, kind: PlateKind | None = None) -> Plate:
    """Validate a plate (normalised first) and say which kinds it may be; with `kind`, also that
    the plate is of that kind (`plate_kind_mismatch` if its characters do not allow it)."""
    number = normalise(text)
    kinds = _kinds(number)
    if kind is not None and kind not in kinds:
        raise PlateRefused(
            "plate_kind_mismatch",
            f"{number} is not a {kind} plate (its characters make it {' or '.join(kinds)})",
        )
    return Plate(number=number, kinds=kinds, kind=kind or (kinds[0] if len(kinds) == 1 else None))


def is_valid(text: str) -> bool:
    try:
        parse_plate(text)
    except PlateRefused:
        return False
    return True


def kind_of_plate_type(value: str) -> PlateKind:
    """A registry's plate type, given as a GA 24.7 code (`02`) or a kind (`ordinary_small`)."""
    value = value.strip()
    if value in PLATE_TYPE_CODES:
        return PLATE_TYPE_CODES[value]
    for kind in PLATE_KINDS:
        if value == kind:
            return kind
    raise ValueError(f"{value!r} is not a plate type (a GA 24.7 code or {', '.join(PLATE_KINDS)})")


def _kinds(number: str) -> tuple[PlateKind, ...]:
    for c in number:
        if c not in _ALLOWED:
            raise PlateRefused("plate_bad_character", f"{c!r} is not a character of any plate")
    first = number[0]
    if first == EMBASSY:
        _embassy(number)
        return ("embassy",)
    if first not in PROVINCES:
        raise PlateRefused(
            "plate_unknown_province",
            f"{first!r} is not a province's abbreviation (the plate's first character)",
        )
    if len(number) not in (7, 8):
        raise PlateRefused(
            "plate_bad_length",
            f"a plate has 7 characters (8 for a new-energy vehicle), not {len(number)}",
        )
    issuer, body = number[1], number[2:]
    if issuer not in LETTERS:
        reason = "I and O are never used" if issuer in "IO" else "it must be a letter"
        raise PlateRefused(
            "plate_bad_issuer",
            f"{issuer!r} is not an issuing authority's letter (the second character): {reason}",
        )
    if "I" in body or "O" in body:
        raise PlateRefused(
            "plate_letter_i_or_o",
            "the letters I and O are never used on a plate: read them as 1 and 0",
        )
    misplaced = [c for c in body[:-1] if c in SUFFIX_KINDS or c == EMBASSY]
    if misplaced or body[-1] == EMBASSY:
        c = (misplaced or [EMBASSY])[0]
        raise PlateRefused(
            "plate_kind_character_misplaced",
            f"{c} stands only at the end of a plate"
            if c in SUFFIX_KINDS
            else f"{c} stands only at the start of an embassy plate",
        )
    suffix = body[-1]
    serial = body[:-1] if suffix in SUFFIX_KINDS else body
    if not all(c in SERIAL for c in serial):
        raise PlateRefused(
            "plate_bad_serial", "after the province and its letter come only letters and digits"
        )
    if suffix in SUFFIX_KINDS:
        return (_suffixed(number, suffix),)
    if len(number) == 8:
        return (_new_energy(number),)
    return ("ordinary_small", "ordinary_large")


def _suffixed(number: str, suffix: str) -> PlateKind:
    kind = SUFFIX_KINDS[suffix]
    serial = number[2:-1]
    if len(number) != 7:
        raise PlateRefused(
            "plate_bad_length",
            f"a plate ending in {suffix} has 7 characters: province, letter, 4 serial, {suffix}",
        )
    if kind == "hk_macau" and number[:2] != HK_MACAU_PREFIX:
        raise PlateRefused(
            "plate_hk_macau_issuer",
            f"plates of Hong Kong and Macau vehicles are {HK_MACAU_PREFIX}....港 or ....澳",
        )
    if kind == "consulate" and not serial.isdigit():
        raise PlateRefused("plate_consulate_serial", "a consulate plate has 4 digits before 领")
    return kind


def _embassy(number: str) -> None:
    digits = number[1:]
    if not (len(digits) == 6 and all(c in DIGITS for c in digits)):
        raise PlateRefused(
            "plate_embassy_shape",
            "an embassy plate is 使 then 6 digits: the country's 3-digit code and the serial",
        )


def _new_energy(number: str) -> PlateKind:
    body = number[2:]
    if body[0] in NEW_ENERGY_LETTERS and all(c in DIGITS for c in body[2:]):
        return "new_energy_small"
    if body[5] in NEW_ENERGY_LETTERS and all(c in DIGITS for c in body[:5]):
        return "new_energy_large"
    raise PlateRefused(
        "plate_new_energy_letter",
        "an 8-character plate is a new-energy plate: D or F then a letter or digit then 4 digits "
        "(small), or 5 digits then D or F (large)",
    )


def neighbours(text: str) -> tuple[str, ...]:
    """Every valid plate one OCR confusion away from `text` (which need not be valid itself),
    the first character never changed; in the order of the place changed, then the character."""
    number = normalise(text)
    found: list[str] = []
    for i in range(1, len(number)):
        for alternative in CONFUSIONS.get(number[i], ""):
            candidate = number[:i] + alternative + number[i + 1 :]
            if is_valid(candidate):
                found.append(candidate)
    return tuple(found)


def lookup_keys(text: str) -> tuple[str, ...]:
    """The plates one registry read fetches for a plate as read: the plate itself when valid,
    then its neighbours (at most 1 + `MAX_NEIGHBOURS` keys: one BatchGetItem). Raises the
    plate's own refusal when it is invalid and has no valid neighbour."""
    try:
        exact: tuple[str, ...] = (parse_plate(text).number,)
        refused = None
    except PlateRefused as error:
        exact, refused = (), error
    keys = exact + neighbours(text)
    if refused is not None and not keys:
        raise refused
    return keys


@dataclass(frozen=True, slots=True)
class PlateMatch:
    """A plate lookup's answer: the plate itself when registered (`exact`), else the registered
    plates one OCR confusion away (`candidates`, for the officer to pick from; may be empty)."""

    query: str
    exact: str | None
    candidates: tuple[str, ...]


def match(text: str, registered: Callable[[Sequence[str]], Collection[str]]) -> PlateMatch:
    """Look a plate up with one call of `registered` (a batch read: given plates, the ones on
    record) over `lookup_keys(text)`."""
    query = normalise(text)
    keys = lookup_keys(text)
    found = set(registered(keys))
    if keys[0] == query and query in found:
        return PlateMatch(query=query, exact=query, candidates=())
    return PlateMatch(
        query=query, exact=None, candidates=tuple(k for k in keys if k in found and k != query)
    )
