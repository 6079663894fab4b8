"""The duty tables (pynamodb): patrol areas, dispatched days, duty tasks and hazard reports.

Table names come from the environment (template.yaml). A day's rota document (every input of the
dispatch and its seed) is stored in the upload bucket under `duty/rotas/`; the day item holds
its key and hash.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from enforcement import evidence
from enforcement.db import table_meta
from enforcement.models import EvidencePhoto, _index_meta


class AreaAgencyIndex(GlobalSecondaryIndex["PatrolArea"]):
    Meta = _index_meta("by_agency")
    agency = UnicodeAttribute(hash_key=True)
    area_id = UnicodeAttribute(range_key=True)


class PatrolArea(Model):
    """A patrol area the command centre defines: where (centre and radius), and its time slots
    (`[{"start": "07:00", "end": "09:00", "officers": 2, "weekdays": [1, …, 7]}]`)."""

    Meta = table_meta("DUTY_AREAS_TABLE", "duty-areas")

    area_id = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    name = UnicodeAttribute()
    lat = NumberAttribute()
    lon = NumberAttribute()
    radius_m = NumberAttribute()
    qualification = UnicodeAttribute(null=True)
    slots = JSONAttribute()
    active = BooleanAttribute(default=True)
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()

    by_agency = AreaAgencyIndex()


class DutyDay(Model):
    """One agency's dispatched day: `dispatching` (rota stored, tasks being written) →
    `dispatched` (every task written, officers told). At most one per agency and date."""

    Meta = table_meta("DUTY_DAYS_TABLE", "duty-days")

    agency = UnicodeAttribute(hash_key=True)
    date = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()
    trigger = UnicodeAttribute()  # schedule | on_demand
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    rota_key = UnicodeAttribute()
    rota_hash = UnicodeAttribute()
    tasks = NumberAttribute()
    unstaffed = NumberAttribute()
    officers = NumberAttribute()
    dispatched_at = UnicodeAttribute(null=True)


class TaskOfficerIndex(GlobalSecondaryIndex["DutyTask"]):
    Meta = _index_meta("by_officer")
    officer_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class DutyTask(Model):
    """One officer's patrol of one area in one time slot.

    status: assigned → acknowledged → closed; `unstaffed` when nobody was eligible (until the
    command centre assigns someone by hand).
    """

    Meta = table_meta("DUTY_TASKS_TABLE", "duty-tasks")

    day = UnicodeAttribute(hash_key=True)  # "<agency>#<date>"
    task_id = UnicodeAttribute(range_key=True)  # "<date>.<HHMM>.<area id>.<n>"
    agency = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    area_id = UnicodeAttribute()
    area_name = UnicodeAttribute()
    starts_at = UnicodeAttribute()  # ISO 8601 with the agency's UTC offset
    ends_at = UnicodeAttribute()
    minutes = NumberAttribute()
    officer_id = UnicodeAttribute(null=True)  # absent when unstaffed: not in by_officer
    status = UnicodeAttribute()
    acknowledged_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    close_note = UnicodeAttribute(null=True)
    close_gps = JSONAttribute(null=True)
    close_distance_m = NumberAttribute(null=True)
    reassignments = JSONAttribute(null=True)  # [{at, by, reason, previous, officer}]

    by_officer = TaskOfficerIndex()


class HazardQueueIndex(GlobalSecondaryIndex["HazardReport"]):
    Meta = _index_meta("by_queue")
    queue = UnicodeAttribute(hash_key=True)  # "<agency>#<status>"
    reported_at = UnicodeAttribute(range_key=True)


class HazardReporterIndex(GlobalSecondaryIndex["HazardReport"]):
    Meta = _index_meta("by_reporter")
    reported_by = UnicodeAttribute(hash_key=True)
    reported_at = UnicodeAttribute(range_key=True)


class HazardReport(Model):
    """An accident, road works, a broken signal or a road hazard seen on patrol, with photos and
    the phone's GPS fix. status: open → in_progress → resolved | dismissed."""

    Meta = table_meta("HAZARD_REPORTS_TABLE", "hazard-reports")

    report_id = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    kind = UnicodeAttribute()
    priority = NumberAttribute()  # 1 first
    description = UnicodeAttribute()
    gps = JSONAttribute()  # {lat, lon, accuracy_m}
    task_id = UnicodeAttribute(null=True)
    reported_by = UnicodeAttribute()
    reported_at = UnicodeAttribute()
    status = UnicodeAttribute()
    queue = UnicodeAttribute()
    photo_keys = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    photos = ListAttribute[EvidencePhoto](of=EvidencePhoto, null=True)  # as they arrive
    handled_by = UnicodeAttribute(null=True)
    taken_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    resolution = UnicodeAttribute(null=True)

    by_queue = HazardQueueIndex()
    by_reporter = HazardReporterIndex()


def _hazard_photos(report_id: str) -> evidence.Subject:
    """Hazard photos go on the hazard report."""
    return HazardReport(report_id), HazardReport.photos, HazardReport.report_id.exists()


evidence.register("hazard", _hazard_photos)
