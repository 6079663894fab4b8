"""Pure rules of the remote survey: no I/O, each stated in its docstring. One section per
aggregate (`# ---- <part>`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from enforcement.forms import Problem

# ---- declarations

#: The refusal of an answer to a calculation or a note (the backend computes the one, the other
#: is only shown).
NOT_ANSWERED_MESSAGE = "this field is computed or only shown: it takes no answer"


def stored_answer(value: Any) -> Any:
    """An answer as a declaration stores it (JSON): dates as `YYYY-MM-DD`, decimals as their
    exact text, integers, text and lists of choice names as they are; None stays None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def merge_problems(form: list[Problem], consistency: list[Problem]) -> list[Problem]:
    """Every problem at once: the form's (one per field, in survey order), then the checks
    against data; a check against data that repeats a problem already listed for the same
    field and code is listed once."""
    seen = {(item.field, item.code) for item in form}
    merged = list(form)
    for item in consistency:
        if (item.field, item.code) not in seen:
            seen.add((item.field, item.code))
            merged.append(item)
    return merged
