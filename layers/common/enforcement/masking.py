"""How identity and travel document numbers, and people's names, are shown where the whole is
not needed (lists, summaries, public pages, exports by default): one rule each for every
capability."""

from __future__ import annotations

from typing import Literal

NameMode = Literal["masked", "full", "none"]

#: From this length on, the first three characters are shown too (a resident ID's region).
_HEAD_FROM = 14


def mask_document_number(number: str) -> str:
    """`number` with all but a few characters replaced by `*`, its length kept: the last
    four shown (the last third, for numbers shorter than 12), and the first three for numbers
    of 14 characters or more. At least half of every number is hidden: an 18-character
    resident ID shows 3 + 4 (`310***********1234`), a 9-character passport number the last 3
    (`******678`), a number of 2 characters or fewer nothing."""
    text = number
    head = 3 if len(text) >= _HEAD_FROM else 0
    tail = min(4, len(text) // 3)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_name(name: str | None, mode: NameMode | str = "masked") -> str | None:
    """A person's (or a company's) name where the whole is not needed: `masked`, the first
    character and a `*` for each other one (at least one); `full`, as it is; `none`, not at
    all. No name, no name. Public draw pages (`DISPATCH_PUBLIC_NAMES`) and a vehicle's owner in
    a plate lookup use it."""
    if not name:
        return None
    if mode == "full":
        return name
    if mode == "none":
        return None
    return name[0] + "*" * max(1, len(name) - 1)
