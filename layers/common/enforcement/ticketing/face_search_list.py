"""A city's face searches of one day, newest first: what a supervisor audits the searches of the
public with (`GET /ticketing/cities/{city}/face-searches`).

The admins of the city's agency see every search of the city that day; an officer of the city
only their own (a filter on the day's query: a city's day is a few hundred small items at most,
each search a few hundred bytes). Each search with its officer, reason, status, the nearest
candidate's distance and match, and the confirmation. The day is the city's local day
(`clock.local_date`, Settings `local_utc_offset`) of the search's creation, as stored in
`FaceSearch.city_day` (index `by_city_day`, sorted by `created_at`).

Pages of at most `limit` (≤ 100) searches; `next_cursor` continues after the last search of a
page, opaque to the client (base64url JSON of the day, the search id and its time), and is
refused (400 `cursor_invalid`) if it does not decode or names another day.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from typing import Any, Final

from enforcement import clock
from enforcement.access import Action, in_jurisdiction
from enforcement.auth import Principal, Role
from enforcement.errors import BadRequest, NotFound
from enforcement.ticketing import face_rules
from enforcement.ticketing.face_models import FaceSearch, city_day
from enforcement.ticketing.face_searches import confirmation_view

#: At most this many searches a page.
MAX_LIMIT: Final = 100
_SEARCH_ID = re.compile(r"fs-[0-9a-f]{24}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: str | None) -> date:
    """The asked day (`YYYY-MM-DD`), the city's today by default; 400 `date_invalid`."""
    if text is None:
        return clock.local_date()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest("date_invalid", "date is a calendar day, YYYY-MM-DD") from exc


def encode_cursor(day: date, search: FaceSearch) -> str:
    document = {"day": day.isoformat(), "id": search.search_id, "at": search.created_at}
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, day: date) -> tuple[str, str]:
    """The search id and time a cursor continues after; 400 `cursor_invalid` otherwise."""
    refused = BadRequest("cursor_invalid", "the cursor is not one this list gave for this day")
    if len(cursor) > 300:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw)
        search_id, at = document["id"], document["at"]
        if not isinstance(search_id, str) or not isinstance(at, str):
            raise TypeError("the cursor's id and time are strings")
        clock.parse(at)
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise refused from exc
    if not _SEARCH_ID.fullmatch(search_id):
        raise refused
    if document.get("day") != day.isoformat():
        raise refused
    return search_id, at


def summary(search: FaceSearch) -> dict[str, Any]:
    """A search as the day's list shows it."""
    first = search.candidates[0] if search.candidates else None
    return {
        "search_id": search.search_id,
        "officer": search.officer,
        "reason": search.reason,
        "status": search.status,
        "error": search.error,
        "created_at": search.created_at,
        "searched_at": search.searched_at,
        "candidates": len(search.candidates or []),
        "top_candidate": None
        if first is None
        else {
            "licence_number": first.licence_number,
            "distance": float(first.distance),
            "match": first.match == face_rules.MATCH,
        },
        "confirmation": confirmation_view(search),
    }


def day_searches(
    principal: Principal, city: str, day: str | None, cursor: str | None, limit: int
) -> dict[str, Any]:
    """One page of the city's searches of `day`, newest first (see the module)."""
    in_jurisdiction(
        principal, city, Action.READ, hidden=NotFound("city_not_found", f"no city {city}")
    )
    on = _day(day)
    limit = max(1, min(limit, MAX_LIMIT))
    key = city_day(city, on.isoformat())
    start = None
    if cursor is not None:
        search_id, at = decode_cursor(cursor, on)
        start = {
            "search_id": {"S": search_id},
            "city_day": {"S": key},
            "created_at": {"S": at},
        }
    own = None if principal.role == Role.ADMIN else FaceSearch.officer == principal.actor
    found: list[FaceSearch] = []
    for search in FaceSearch.by_city_day.query(
        key,
        scan_index_forward=False,
        filter_condition=own,
        last_evaluated_key=start,
        page_size=limit + 1,
    ):
        found.append(search)
        if len(found) > limit:  # one more than the page: there is a next page
            break
    page = found[:limit]
    more = len(found) > limit
    return {
        "city": city,
        "date": on.isoformat(),
        "searches": [summary(search) for search in page],
        "next_cursor": encode_cursor(on, page[-1]) if more else None,
    }
