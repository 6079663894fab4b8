"""The random-dispatch tables (pynamodb). Table names come from the environment (template.yaml).

Snapshots and published results are documents in the upload bucket (under `dispatch/`, outside
the prefixes that trigger functions); the tables hold their keys and hashes.
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

HEAD_VERSION = 0


class RiskModelVersion(Model):
    """One version of a risk model (a document: categories, indicators, weights, levels, rates).

    Version 0 is the head: it holds `latest`, so a new version is written with a condition on it
    and two editors can never create the same version number.
    """

    Meta = table_meta("DISPATCH_MODELS_TABLE", "dispatch-models")

    model_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    agency = UnicodeAttribute()
    document = JSONAttribute(null=True)
    hash = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    latest = NumberAttribute(null=True)  # on the head item only


class TargetAgencyIndex(GlobalSecondaryIndex["DispatchTarget"]):
    Meta = _index_meta("by_agency")
    agency = UnicodeAttribute(hash_key=True)
    target_id = UnicodeAttribute(range_key=True)


class DispatchTarget(Model):
    """An inspection target (a ship, a consignment, a company) with its indicator values; its
    score and level follow from the model version named."""

    Meta = table_meta("DISPATCH_TARGETS_TABLE", "dispatch-targets")

    target_id = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    kind = UnicodeAttribute()  # ship | cargo | company: also the qualification it needs
    name = UnicodeAttribute()
    company_id = UnicodeAttribute()
    company_name = UnicodeAttribute(null=True)
    model_id = UnicodeAttribute()
    model_version = NumberAttribute()
    indicators = JSONAttribute()  # {code: decimal string}
    score = UnicodeAttribute()
    level = UnicodeAttribute()
    last_team = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    last_draw_id = UnicodeAttribute(null=True)
    history = JSONAttribute(null=True)  # the latest inspections, newest first
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()

    by_agency = TargetAgencyIndex()


class DrawAgencyIndex(GlobalSecondaryIndex["Draw"]):
    Meta = _index_meta("by_agency")
    agency = UnicodeAttribute(hash_key=True)
    requested_at = UnicodeAttribute(range_key=True)


class Draw(Model):
    """One draw, from request to publication.

    status: requested → committed (snapshot frozen, its hash, the seed commitment and the beacon
    round it names published) → revealed (secret and beacon value published) → drawn (targets
    selected, teams assigned) → published (inspectors told); `failed` when a step gave up.
    """

    Meta = table_meta("DISPATCH_DRAWS_TABLE", "dispatch-draws")

    draw_id = UnicodeAttribute(hash_key=True)
    agency = UnicodeAttribute(null=True)
    requested_at = UnicodeAttribute(null=True)  # absent on plan items (not in the index)
    requested_by = UnicodeAttribute(null=True)
    trigger = UnicodeAttribute(null=True)  # schedule | on_demand
    model_id = UnicodeAttribute(null=True)
    team_size = NumberAttribute(null=True)
    reveal_wait_seconds = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    model_version = NumberAttribute(null=True)
    model_hash = UnicodeAttribute(null=True)
    snapshot_key = UnicodeAttribute(null=True)
    snapshot_hash = UnicodeAttribute(null=True)
    commitment = UnicodeAttribute(null=True)
    secret = UnicodeAttribute(null=True)  # never shown before the reveal
    committed_at = UnicodeAttribute(null=True)
    beacon = UnicodeAttribute(null=True)  # the beacon round named at the commitment
    beacon_value = UnicodeAttribute(null=True)  # its value, fetched at the reveal
    revealed_at = UnicodeAttribute(null=True)
    seed = UnicodeAttribute(null=True)
    result_key = UnicodeAttribute(null=True)
    result_hash = UnicodeAttribute(null=True)
    selected_count = NumberAttribute(null=True)
    unstaffed_count = NumberAttribute(null=True)
    drawn_at = UnicodeAttribute(null=True)
    published_at = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    # plan items ("plan#<agency>"): what the schedule draws for the agency
    enabled = BooleanAttribute(null=True)

    by_agency = DrawAgencyIndex()


class Assignment(Model):
    """A selected target of a draw and its team; later the inspection's result, and redraws."""

    Meta = table_meta("DISPATCH_ASSIGNMENTS_TABLE", "dispatch-assignments")

    draw_id = UnicodeAttribute(hash_key=True)
    target_id = UnicodeAttribute(range_key=True)
    agency = UnicodeAttribute()
    level = UnicodeAttribute()
    ticket = UnicodeAttribute()
    order = NumberAttribute()
    team = ListAttribute[str](of=UnicodeAttribute)  # type: ignore[arg-type]
    status = UnicodeAttribute()  # assigned | unstaffed | inspected
    result = JSONAttribute(null=True)
    photo_keys = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    photos = ListAttribute[EvidencePhoto](of=EvidencePhoto, null=True)  # as they arrive
    redraws = JSONAttribute(null=True)  # [{at, by, reason, previous_team, team}]
    inspected_at = UnicodeAttribute(null=True)


def _inspection_photos(subject_id: str) -> evidence.Subject:
    """Inspection photos go on the assignment `<draw_id>/<target_id>`."""
    draw_id, target_id = subject_id.split("/", 1)
    return Assignment(draw_id, target_id), Assignment.photos, Assignment.draw_id.exists()


evidence.register("inspection", _inspection_photos)
