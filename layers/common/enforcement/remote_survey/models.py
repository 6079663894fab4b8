"""The remote-survey tables (pynamodb): published forms, declarations and their versions,
arriving flights and their manifests.

Table names come from the environment (template.yaml). A published form's compiled definition
(~120 kB for the 12-language arrival form) is stored in the upload bucket under
`survey/forms/<form_id>/<version>.json`; the item holds its key and content hash, and a process
keeps the definitions it read (a published version never changes).

Keys in the domain's words:
- a port is a jurisdiction (owned by its agency, `enforcement.jurisdictions`);
- a flight is `<port>#<arrival date>#<flight number>` (`flight_key`), the arrival date in the
  port's local time;
- a declaration's version 1 is what was submitted; each correction after submit is the next.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from enforcement.db import table_meta
from enforcement.models import _index_meta


def flight_key(port: str, arrival_date: str, flight_number: str) -> str:
    """The one spelling of a flight's key: port, arrival date (YYYY-MM-DD), flight number in
    capitals."""
    return f"{port}#{arrival_date}#{flight_number.upper()}"


def port_day(port: str, arrival_date: str) -> str:
    return f"{port}#{arrival_date}"


# ------------------------------------------------------------------ forms


class SurveyForm(Model):
    """One published version of a form. Immutable once written (conditional put)."""

    Meta = table_meta("SURVEY_FORMS_TABLE", "survey-forms")

    form_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)  # 1, 2, … per form_id
    agency = UnicodeAttribute()
    declared_version = UnicodeAttribute()  # the XLSForm's settings.version, as written
    title = UnicodeAttribute()
    languages = ListAttribute[str](of=UnicodeAttribute)  # type: ignore[arg-type]
    content_hash = UnicodeAttribute()
    definition_key = UnicodeAttribute()  # S3 key of the compiled definition
    published_at = UnicodeAttribute()
    published_by = UnicodeAttribute()


# ------------------------------------------------------------------ declarations


class DeclarationOwnerIndex(GlobalSecondaryIndex["Declaration"]):
    Meta = _index_meta("by_owner")
    owner = UnicodeAttribute(hash_key=True)
    started_at = UnicodeAttribute(range_key=True)


class DeclarationFlightIndex(GlobalSecondaryIndex["Declaration"]):
    Meta = _index_meta("by_flight")
    flight_key = UnicodeAttribute(hash_key=True)
    declaration_id = UnicodeAttribute(range_key=True)


class Declaration(Model):
    """A traveller's health declaration for one arriving flight: its current state.

    status: draft (answers change, PATCH) → submitted (immutable; corrections make a new
    version, kept in `DeclarationVersion`). review: received → has_issues | approved | referred
    | rejected, by an officer of the port. Clearance times (server time, ISO 8601 UTC): the
    flight's on-block → scanned_at → survey_started_at/survey_ended_at → released_at or
    referred_at. `expires_at` (TTL): a draft's last change plus the drafts' period, then at
    submit the retention period; removed when the declaration is referred or sampled.
    """

    Meta = table_meta("SURVEY_DECLARATIONS_TABLE", "survey-declarations")

    declaration_id = UnicodeAttribute(hash_key=True)  # "dc-<hex>"
    owner = UnicodeAttribute()  # the traveller's account id
    port = UnicodeAttribute()  # the port's jurisdiction
    agency = UnicodeAttribute()  # the port's agency
    flight_key = UnicodeAttribute()
    flight_number = UnicodeAttribute()
    arrival_date = UnicodeAttribute()
    form_id = UnicodeAttribute()
    form_version = NumberAttribute()
    lang = UnicodeAttribute()  # the traveller's language (a code of the form)
    status = UnicodeAttribute()  # draft | submitted
    version = NumberAttribute(default=0)  # 0 while a draft; 1 at submit; +1 per correction
    revision = NumberAttribute(default=0)  # +1 per change of the item: the condition of the next
    answers = JSONAttribute()  # {field name: answer}, select_multiple as a list of names
    computed = JSONAttribute(null=True)  # the calculations, as the backend computed them
    started_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    submitted_at = UnicodeAttribute(null=True)
    document_number = UnicodeAttribute(null=True)  # from the answers, for the manifest match
    traveller_name = UnicodeAttribute(null=True)
    # decision support (rules.decide), the rule version it used, an officer's override
    outcome = UnicodeAttribute(null=True)  # release | remote_survey | onsite_referral | sampling
    outcome_reasons = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    rule_version = UnicodeAttribute(null=True)
    override = JSONAttribute(null=True)  # {outcome, reason, by, at, recommended}
    # review by an officer of the port
    review = UnicodeAttribute(null=True)  # received | has_issues | approved | referred | rejected
    review_comment = UnicodeAttribute(null=True)
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UnicodeAttribute(null=True)
    # clearance
    scanned_at = UnicodeAttribute(null=True)
    scanned_by = UnicodeAttribute(null=True)
    survey_started_at = UnicodeAttribute(null=True)  # remote survey sessions: a later issue
    survey_ended_at = UnicodeAttribute(null=True)
    released_at = UnicodeAttribute(null=True)
    referred_at = UnicodeAttribute(null=True)
    sampled = UnicodeAttribute(null=True)  # when a sample was taken (keeps the declaration)
    # the officer's disposition (released | referred | sampled), recorded once
    disposition = UnicodeAttribute(null=True)
    disposed_by = UnicodeAttribute(null=True)
    disposition_reason = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    by_owner = DeclarationOwnerIndex()
    by_flight = DeclarationFlightIndex()


class DeclarationVersion(Model):
    """One submitted version of a declaration, as it was: never changed once written."""

    Meta = table_meta("SURVEY_DECLARATION_VERSIONS_TABLE", "survey-declaration-versions")

    declaration_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    form_id = UnicodeAttribute()
    form_version = NumberAttribute()
    answers = JSONAttribute()
    computed = JSONAttribute(null=True)
    submitted_at = UnicodeAttribute()
    submitted_by = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)  # why it was corrected (versions after the first)
    expires_at = TTLAttribute(null=True)  # follows the declaration's


# ------------------------------------------------------------------ flights


class NumberListAttribute(ListAttribute[float]):
    """A list of numbers, stored as `ListAttribute(of=NumberAttribute)` stores it (an L of N),
    read in one pass: pynamodb's typed list reads each element through an attribute object and
    json.loads (~5 µs a number), which cost a day board of 230 flights of 80 clearance times
    ~70 ms of CPU for the lists alone."""

    def __init__(self, null: bool = False) -> None:
        super().__init__(of=NumberAttribute, null=null)  # type: ignore[arg-type]

    def deserialize(self, values: list[dict[str, str]]) -> list[float]:
        return [_number(v["N"]) if "N" in v else None for v in values]  # type: ignore[misc]


def _number(text: str) -> float:
    """A DynamoDB number's text as NumberAttribute reads it (an int when it is one)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


class Flight(Model):
    """An arriving flight at a port, from the port system's manifest (a CSV upload).

    The counters and clearance times are kept here as declarations are submitted, scanned and
    cleared, so a day's board is one Query of the port's day.
    """

    Meta = table_meta("SURVEY_FLIGHTS_TABLE", "survey-flights")

    port_day = UnicodeAttribute(hash_key=True)  # "<port>#<arrival date>"
    flight_number = UnicodeAttribute(range_key=True)
    port = UnicodeAttribute()
    agency = UnicodeAttribute()
    arrival_date = UnicodeAttribute()
    origin = UnicodeAttribute()  # ISO 3166-1 alpha-3 of the departure airport's country
    departure_airport = UnicodeAttribute(null=True)  # IATA code
    scheduled_on_block = UnicodeAttribute()  # ISO 8601 UTC
    actual_on_block = UnicodeAttribute(null=True)
    passengers = NumberAttribute(default=0)  # on the manifest
    manifest_key = UnicodeAttribute(null=True)
    manifest_hash = UnicodeAttribute(null=True)
    imported_at = UnicodeAttribute(null=True)
    declared = NumberAttribute(default=0)
    released = NumberAttribute(default=0)
    held = NumberAttribute(default=0)  # referred for on-site survey or sampling
    # release - on-block, one per released traveller
    clearance_seconds = NumberListAttribute(null=True)
    alerted_at = UnicodeAttribute(null=True)  # when the p90 alert went out (once per flight)


class ManifestPassenger(Model):
    """One passenger of a flight's manifest."""

    Meta = table_meta("SURVEY_PASSENGERS_TABLE", "survey-passengers")

    flight_key = UnicodeAttribute(hash_key=True)
    document_number = UnicodeAttribute(range_key=True)  # upper case, as on the document
    name = UnicodeAttribute()  # as the manifest writes it: "SURNAME/GIVEN NAMES"
    seat = UnicodeAttribute(null=True)
    nationality = UnicodeAttribute(null=True)
    # the arrival date + Settings.manifest_retention_days (DynamoDB TTL)
    expires_at = TTLAttribute(null=True)
