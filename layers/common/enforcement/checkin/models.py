"""The tables of crew check-in as pynamodb models: vessels, crew, postings, checks, remote
tasks, service records, health reports, reviews (checks and enrolments an officer decides),
and the face records and photo digests the check decisions keep. Table names come from the
environment (template.yaml).

The face template table is read and written only by the face function: its IAM policy is the
only one that names it.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from enforcement.db import table_meta
from enforcement.models import _index_meta

# ------------------------------------------------------------------ vessels and crew


class PostAttribute(MapAttribute[str, object]):
    code = UnicodeAttribute()
    title = UnicodeAttribute()
    certificate_type = UnicodeAttribute()
    min_grade = UnicodeAttribute()
    count = NumberAttribute()


class PositionAttribute(MapAttribute[str, object]):
    lat = NumberAttribute()
    lon = NumberAttribute()
    sog_knots = NumberAttribute(default=0)
    reported_at = UnicodeAttribute()
    source = UnicodeAttribute()


class VesselNameIndex(GlobalSecondaryIndex["Vessel"]):
    Meta = _index_meta("by_name")
    name_zh = UnicodeAttribute(hash_key=True)


class VesselJurisdictionIndex(GlobalSecondaryIndex["Vessel"]):
    Meta = _index_meta("by_jurisdiction")
    jurisdiction = UnicodeAttribute(hash_key=True)
    vessel_id = UnicodeAttribute(range_key=True)


class Vessel(Model):
    """A ship, keyed by its MMSI, with its minimum safe manning table and last AIS position."""

    Meta = table_meta("VESSELS_TABLE", "vessels")

    vessel_id = UnicodeAttribute(hash_key=True)
    name_zh = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    mmsi = UnicodeAttribute()
    home_port = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    length_m = NumberAttribute(default=0)
    manning = ListAttribute(of=PostAttribute)
    position = PositionAttribute(null=True)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()

    by_name = VesselNameIndex()
    by_jurisdiction = VesselJurisdictionIndex()


class CertificateAttribute(MapAttribute[str, object]):
    number = UnicodeAttribute()
    type = UnicodeAttribute()
    grade = UnicodeAttribute()
    issuer = UnicodeAttribute(default="")
    issued_on = UnicodeAttribute(null=True)
    expires_on = UnicodeAttribute()
    status = UnicodeAttribute(default="valid")


class CrewMember(Model):
    """A seafarer's record. Items whose key starts with "idn#" are ID-number claims."""

    Meta = table_meta("CREW_TABLE", "crew")

    crew_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(null=True)
    id_number = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    jurisdiction = UnicodeAttribute(null=True)
    certificates = ListAttribute(of=CertificateAttribute, null=True)
    face_status = UnicodeAttribute(null=True)  # none | pending | enrolled | failed
    face_error = UnicodeAttribute(null=True)
    face_updated_at = UnicodeAttribute(null=True)
    credit_points = NumberAttribute(default=0)
    # the `ServiceRecord` keys of the latest day of service on record (all of one date; [] for
    # none yet, None on a record written before it was kept): `enforcement.checkin.service_days`
    service_days = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)  # the mini-program account linked to this record
    claimed_by = UnicodeAttribute(null=True)  # on "idn#" claim items: the crew_id


class PostingCrewIndex(GlobalSecondaryIndex["Posting"]):
    Meta = _index_meta("by_crew")
    crew_id = UnicodeAttribute(hash_key=True)
    vessel_id = UnicodeAttribute(range_key=True)


class PostingPendingIndex(GlobalSecondaryIndex["Posting"]):
    Meta = _index_meta("by_pending")
    pending_jurisdiction = UnicodeAttribute(hash_key=True)
    since = UnicodeAttribute(range_key=True)


class Posting(Model):
    """A crew member at a post of a vessel: `appointed` (by an application and its checks),
    `bound` (self-declared, and approved by an officer unless within an appointment) or
    `pending` (a binding waiting for an officer's approval: it gives no access at all)."""

    Meta = table_meta("POSTINGS_TABLE", "postings")

    vessel_id = UnicodeAttribute(hash_key=True)
    posting_key = UnicodeAttribute(range_key=True)  # "<post>#<crew_id>"
    crew_id = UnicodeAttribute()
    post = UnicodeAttribute()
    status = UnicodeAttribute()
    since = UnicodeAttribute()
    binding_id = UnicodeAttribute(null=True)  # bindings: "bnd-<16 hex>"
    pending_jurisdiction = UnicodeAttribute(null=True)  # only while pending (sparse index)
    approved_by = UnicodeAttribute(null=True)  # account id, or "appointment" when within one
    approved_at = UnicodeAttribute(null=True)

    by_crew = PostingCrewIndex()
    by_pending = PostingPendingIndex()


# ------------------------------------------------------------------ checks and tasks


class GpsAttribute(MapAttribute[str, object]):
    lat = NumberAttribute()
    lon = NumberAttribute()
    accuracy_m = NumberAttribute()


class CheckVesselIndex(GlobalSecondaryIndex["Check"]):
    """The checks of a vessel by time, keys only: a decision's update of the check changes no
    key, so it writes nothing here; a listing reads the checks themselves
    (`enforcement.checkin.manning.checks_since`)."""

    class Meta:
        index_name = "by_vessel"
        projection = KeysOnlyProjection()

    vessel_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class CheckTaskIndex(GlobalSecondaryIndex["Check"]):
    Meta = _index_meta("by_task")
    task_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Check(Model):
    """One verification of a crew member from one photo.

    purpose: duty (self / onsite / remote check-in), appointment, discharge, or link (an account
    proving it is the crew member). status: awaiting_photo, verified, failed, or pending_review
    (a face measure fell in a review zone: `review_id` names the review an officer decides).
    """

    Meta = table_meta("CHECKS_TABLE", "checks")

    check_id = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    mode = UnicodeAttribute(null=True)
    vessel_id = UnicodeAttribute(null=True)
    jurisdiction = UnicodeAttribute(null=True)
    post = UnicodeAttribute(null=True)
    crew_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    officer_id = UnicodeAttribute(null=True)
    task_id = UnicodeAttribute(null=True)
    gps = GpsAttribute(null=True)
    status = UnicodeAttribute()
    results = JSONAttribute(null=True)
    reasons = ListAttribute(of=UnicodeAttribute, null=True)
    photo_key = UnicodeAttribute(null=True)
    photo_version = UnicodeAttribute(null=True)  # the object version the check was decided on
    photo_sha256 = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    review_id = UnicodeAttribute(null=True)  # while and after the check was in review

    by_vessel = CheckVesselIndex()  # keys only: a decision's update leaves it untouched
    by_task = CheckTaskIndex()


class TaskVesselIndex(GlobalSecondaryIndex["RemoteTask"]):
    Meta = _index_meta("by_vessel")
    vessel_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RemoteTask(Model):
    Meta = table_meta("TASKS_TABLE", "tasks")

    task_id = UnicodeAttribute(hash_key=True)
    vessel_id = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    window_seconds = NumberAttribute()
    deadline = UnicodeAttribute()
    status = UnicodeAttribute()  # running | complete | window_closed
    execution_arn = UnicodeAttribute(null=True)
    notified = UnicodeSetAttribute(null=True)
    outcome = JSONAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)

    by_vessel = TaskVesselIndex()


class ServiceRecord(Model):
    """One verified day of service at a post of a vessel; the key makes it once per day."""

    Meta = table_meta("SERVICE_RECORDS_TABLE", "service-records")

    crew_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)  # "<date>#<vessel_id>#<post>"
    day = UnicodeAttribute()
    vessel_id = UnicodeAttribute()
    vessel_name = UnicodeAttribute()
    post = UnicodeAttribute()
    check_id = UnicodeAttribute()
    points = NumberAttribute()
    recorded_at = UnicodeAttribute()


class HealthJurisdictionIndex(GlobalSecondaryIndex["HealthReport"]):
    Meta = _index_meta("by_jurisdiction")
    jurisdiction = UnicodeAttribute(hash_key=True)
    reported_at = UnicodeAttribute(range_key=True)


class HealthReport(Model):
    Meta = table_meta("HEALTH_REPORTS_TABLE", "health-reports")

    report_id = UnicodeAttribute(hash_key=True)
    jurisdiction = UnicodeAttribute()
    reported_at = UnicodeAttribute()
    vessel_id = UnicodeAttribute()
    reporter_crew_id = UnicodeAttribute()
    subject_crew_id = UnicodeAttribute()
    symptoms = ListAttribute(of=UnicodeAttribute)
    temperature_c = NumberAttribute(null=True)
    abnormal = BooleanAttribute()
    reasons = ListAttribute(of=UnicodeAttribute)
    note = UnicodeAttribute(null=True)

    by_jurisdiction = HealthJurisdictionIndex()


# ------------------------------------------------------------------ faces


class FaceRecord(Model):
    """An enrolled face template (biometric: never returned, never logged) of a subject."""

    Meta = table_meta("FACE_TEMPLATES_TABLE", "face-templates")

    subject_id = UnicodeAttribute(hash_key=True)  # "crew#<crew_id>"
    template = BinaryAttribute(legacy_encoding=False)
    reference_digest = UnicodeAttribute()
    # the reference photo in the upload bucket: key and object version (the digest is its SHA-256)
    reference_key = UnicodeAttribute(null=True)
    reference_version = UnicodeAttribute(null=True)
    enrolled_at = UnicodeAttribute()
    engine = UnicodeAttribute()
    # the reference photo's PhotoSignature (enforcement.face.liveness, 256 bytes): lets a check
    # recognise a print or screen of the reference photo by more than the template distance
    reference_signature = BinaryAttribute(legacy_encoding=False, null=True)
    # SHA-256 of the reference photo's decoded pixels (`FaceTemplate.pixel_digest`): a
    # re-encoding of the same pixels is the same photo
    reference_pixels = UnicodeAttribute(null=True)


class PhotoDigest(Model):
    """A photo already used, by its SHA-256 ("digest#<sha256>") or by the SHA-256 of its decoded
    pixels ("pixels#<sha256>"): the same bytes or pixels again are a replay, not a live photo."""

    Meta = table_meta("UPLOADS_TABLE", "uploads")

    object_key = UnicodeAttribute(hash_key=True)  # "digest#<sha256>" | "pixels#<sha256>"
    first_key = UnicodeAttribute()
    seen_at = UnicodeAttribute()


# ------------------------------------------------------------------ reviews


class PhotoRefAttribute(MapAttribute[str, object]):
    """A photo a review shows, by its object key and version in the upload bucket."""

    role = UnicodeAttribute()  # reference | check | earlier (a photo used before)
    key = UnicodeAttribute()
    version = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)


class ReviewPendingIndex(GlobalSecondaryIndex["Review"]):
    Meta = _index_meta("by_pending")
    pending_jurisdiction = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Review(Model):
    """A decision the automatic measures left to a person: a check whose face check fell in a
    review zone (kind "check", subject the check id), or an enrolment that may duplicate another
    crew member (kind "enrolment", subject the crew id). status: pending, confirmed, refused.
    Only pending reviews carry `pending_jurisdiction` (the sparse queue index)."""

    Meta = table_meta("REVIEWS_TABLE", "reviews")

    review_id = UnicodeAttribute(hash_key=True)  # "rev-<16 hex>"
    kind = UnicodeAttribute()  # check | enrolment
    subject_id = UnicodeAttribute()
    crew_id = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | confirmed | refused
    reason = UnicodeAttribute()  # a code, e.g. face_match_uncertain
    message = UnicodeAttribute()  # the reason in words, for the officer
    figures = JSONAttribute(null=True)  # the measures that sent it here
    photos = ListAttribute(of=PhotoRefAttribute, null=True)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()  # the actor whose upload opened it
    pending_jurisdiction = UnicodeAttribute(null=True)  # only while pending (sparse index)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)

    by_pending = ReviewPendingIndex()
