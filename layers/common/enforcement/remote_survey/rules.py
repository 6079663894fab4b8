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
    """Every problem at once, one per field: the form's (required, constraint, type; in survey
    order) first, then the checks against data for the fields the form found nothing wrong
    with (a seat that is not a seat is not also "not the manifest's seat")."""
    seen = {item.field for item in form}
    merged = list(form)
    for item in consistency:
        if item.field not in seen:
            seen.add(item.field)
            merged.append(item)
    return merged
