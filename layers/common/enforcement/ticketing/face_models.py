"""The tables of identifying a driver by face: each driver's reference face (its enrolment, not
the template: templates live only in the city's 1:N index, `enforcement.face.index`, under the
name `drivers-<city>`), and each face search an officer made, with its candidates and the
officer's confirmation. Table names come from the environment (template.yaml).

A face search of a member of the public is sensitive: the record keeps who asked, why, what the
engine answered and what the officer confirmed, and every change of it has its audit entry.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from enforcement.db import table_meta
from enforcement.ticketing.models import driver_key

__all__ = [
    "CandidateAttribute",
    "DriverFace",
    "FaceSearch",
    "FaceSearchDayIndex",
    "city_day",
    "driver_key",
    "index_name",
]


class DriverFace(Model):
    """A driver's reference face (the licence photo): asked for, enrolled or failed (and why),
    or removed.

    `enrolled_at` is set while the city's index holds a face of the driver (the face a search
    compares with): a failed later photo leaves it, and the status `enrolled`, with the
    attempt's error beside it (`last_attempt_*`); a removal clears it.
    """

    Meta = table_meta("DRIVER_FACES_TABLE", "driver-faces")

    driver_key = UnicodeAttribute(hash_key=True)  # models.driver_key: the registry's key
    city = UnicodeAttribute()
    licence_number = UnicodeAttribute()
    face_status = UnicodeAttribute()  # pending | enrolled | failed | removed
    face_error = UnicodeAttribute(null=True)  # the engine's or the upload's code, when failed
    face_updated_at = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    # the reference photo enrolled: key, object version and SHA-256 in the upload bucket
    reference_key = UnicodeAttribute(null=True)
    reference_version = UnicodeAttribute(null=True)
    reference_digest = UnicodeAttribute(null=True)
    enrolled_at = UnicodeAttribute(null=True)
    engine = UnicodeAttribute(null=True)
    # the last photo refused (the face enrolled before it, if any, stays searched)
    last_attempt_error = UnicodeAttribute(null=True)
    last_attempt_at = UnicodeAttribute(null=True)
    # removed from the city's index (by an admin, or by the import of a revoked licence)
    removed_at = UnicodeAttribute(null=True)
    removed_by = UnicodeAttribute(null=True)
    removal_reason = UnicodeAttribute(null=True)
    reference_deleted = BooleanAttribute(null=True)  # the reference photo's version deleted


class CandidateAttribute(MapAttribute[str, object]):
    """One driver the index found near the probe: licence number, distance, and whether the
    distance is within the match line (`ticketing/face_rules.candidates`)."""

    licence_number = UnicodeAttribute()
    distance = NumberAttribute()
    match = UnicodeAttribute()  # "match" | "no_match" (a string: read the same in every client)


class FaceSearchDayIndex(GlobalSecondaryIndex["FaceSearch"]):
    """A city's searches of one local day, by time (`ticketing/face_search_list`): what a
    supervisor audits the searches with. All attributes projected: a listing shows the officer,
    the reason, the status, the top candidate and the confirmation without reading the table."""

    class Meta:
        index_name = "by_city_day"
        projection = AllProjection()

    city_day = UnicodeAttribute(hash_key=True)  # city_day(city, local date)
    created_at = UnicodeAttribute(range_key=True)


class FaceSearch(Model):
    """One face search: the officer, the reason, the probe photo, the candidates, the outcome.

    status: awaiting_photo → searched (candidates stored) or failed (`error`: no face, two
    faces, ...); then the officer's confirmation: `confirmed` is the licence number chosen, or
    "none" when none of the candidates is the driver.
    """

    Meta = table_meta("FACE_SEARCHES_TABLE", "face-searches")

    search_id = UnicodeAttribute(hash_key=True)  # "fs-<24 hex>"
    city = UnicodeAttribute()
    officer = UnicodeAttribute()  # the actor, as in the audit log
    reason = UnicodeAttribute()
    status = UnicodeAttribute()  # awaiting_photo | searched | failed
    error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    photo_key = UnicodeAttribute()
    photo_version = UnicodeAttribute(null=True)
    photo_sha256 = UnicodeAttribute(null=True)
    searched_at = UnicodeAttribute(null=True)
    candidates = ListAttribute(of=CandidateAttribute, null=True)  # nearest first
    threshold = NumberAttribute(null=True)  # the match line the candidates were marked with
    confirmed = UnicodeAttribute(null=True)  # a licence number, or "none"
    confirmed_by = UnicodeAttribute(null=True)
    confirmed_at = UnicodeAttribute(null=True)
    purge_at = NumberAttribute(null=True)  # TTL: a search of a person is not kept for ever
    city_day = UnicodeAttribute(null=True)  # city_day(city, the local date of created_at)
    by_city_day = FaceSearchDayIndex()


# ------------------------------------------------------------------ uploads and the index

#: The upload prefix the face function's driver handler is notified of (template.yaml).
PREFIX = "ticketing/faces/"
#: Upload purposes: a driver's reference photo (subject `<city>/<licence_number>`), and the
#: probe photo of a search (subject: the search id).
ENROLMENT = "driver_enrolment"
SEARCH = "driver_search"


def index_name(city: str) -> str:
    """The city's 1:N index of enrolled drivers' faces (`enforcement.face.index`): one per
    city, so a city's officers search only the drivers of their city's registry."""
    return f"drivers-{city}"


def city_day(city: str, day: str) -> str:
    """The key of a city's searches of one local day (`YYYY-MM-DD`) in `FaceSearchDayIndex`."""
    return f"{city}#{day}"


def enrolment_subject(city: str, licence_number: str) -> str:
    return f"{city}/{licence_number}"


def search_subject(city: str, search_id: str) -> str:
    """A search photo's upload subject: the city and the search, so that the face function
    knows the audit chain before it reads anything (one BatchGetItem reads all it needs)."""
    return f"{city}/{search_id}"


def enrolment_of_key(key: str) -> tuple[str, str] | None:
    """The city and licence number an enrolment photo's key names
    (`ticketing/faces/driver_enrolment/<city>/<licence number>/<token>`)."""
    parts = key.split("/")
    if len(parts) == 6 and key.startswith(f"{PREFIX}{ENROLMENT}/"):
        return parts[3], parts[4]
    return None


def search_of_key(key: str) -> tuple[str, str] | None:
    """The city and search id a search photo's key names
    (`ticketing/faces/driver_search/<city>/<search id>/<token>`)."""
    parts = key.split("/")
    if len(parts) == 6 and key.startswith(f"{PREFIX}{SEARCH}/"):
        return parts[3], parts[4]
    return None
