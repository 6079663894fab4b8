"""The rules of crew check-in as plain functions: no AWS, no I/O, easy to test.

A crew member counts as verified at a post only when all three checks pass:
location (the phone is where the ship is), face (the live photo is the enrolled person:
`enforcement.checkin.face_rules` combines its measures) and certificate (valid, unexpired, not
revoked, of the type and grade the post requires).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from enforcement.geo import haversine_m

KNOT_M_PER_S = 0.514444

#: Competency grades, best first: 甲 (A, unlimited), 乙 (B), 丙 (C, coastal), 丁 (D).
GRADES: tuple[str, ...] = ("A", "B", "C", "D")

LOCATION, FACE, CERTIFICATE = "location", "face", "certificate"


@dataclass(frozen=True)
class Post:
    """One line of a minimum safe manning table."""

    code: str
    title: str
    certificate_type: str
    min_grade: str
    count: int = 1


@dataclass(frozen=True)
class Certificate:
    number: str
    type: str
    grade: str
    expires_on: date
    status: str = "valid"  # valid | revoked | suspended
    issuer: str = ""


@dataclass(frozen=True)
class Position:
    """A vessel's last known position, from AIS."""

    lat: float
    lon: float
    reported_at: datetime
    sog_knots: float = 0.0


@dataclass(frozen=True)
class GpsFix:
    lat: float
    lon: float
    accuracy_m: float


@dataclass(frozen=True)
class Outcome:
    """The result of one check: passed or not, a machine-readable reason, and the figures;
    `review` when it neither passed nor failed: a person decides (a face measure in a review
    zone)."""

    passed: bool
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)
    review: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "reason": self.reason, **self.detail}


@dataclass(frozen=True)
class GeofenceConfig:
    min_radius_m: float = 100.0
    max_accuracy_m: float = 150.0
    max_position_age: timedelta = timedelta(minutes=30)


#: A position report older than this is no current fix: its time is taken as absurd.
MAX_REPORT_AGE = timedelta(days=1)
#: How far ahead of the server's clock a report may be (clocks differ a little).
MAX_REPORT_AHEAD = timedelta(minutes=1)


def position_report_problem(
    reported_at: datetime, now: datetime, stored_at: datetime | None
) -> str | None:
    """Why a position report may not become the vessel's current fix, or None if it may.

    A report from the future (beyond a minute of clock difference) or older than a day is
    refused as absurd; a report not newer than the stored fix never replaces it.
    """
    if reported_at > now + MAX_REPORT_AHEAD:
        return "position_in_future"
    if now - reported_at > MAX_REPORT_AGE:
        return "position_too_old"
    if stored_at is not None and reported_at <= stored_at:
        return "position_not_newer"
    return None


def geofence_radius_m(
    length_m: float, fix: GpsFix, position: Position, now: datetime, config: GeofenceConfig
) -> float:
    """How far from the AIS position a phone on board may be.

    The ship's own size (a phone can be anywhere from bow to stern), the fix's stated accuracy,
    and how far the ship may have moved since its last AIS report at its reported speed.
    """
    age_s = max(0.0, (now - position.reported_at).total_seconds())
    drift_m = position.sog_knots * KNOT_M_PER_S * age_s
    return max(config.min_radius_m, length_m) + fix.accuracy_m + drift_m


def location_check(
    fix: GpsFix | None,
    position: Position | None,
    length_m: float,
    now: datetime,
    config: GeofenceConfig,
) -> Outcome:
    if fix is None:
        return Outcome(False, "gps_fix_missing")
    if position is None:
        return Outcome(False, "vessel_position_unknown")
    age = now - position.reported_at
    if age > config.max_position_age:
        return Outcome(
            False, "vessel_position_stale", {"position_age_s": round(age.total_seconds())}
        )
    if fix.accuracy_m > config.max_accuracy_m:
        return Outcome(
            False,
            "gps_fix_too_inaccurate",
            {"accuracy_m": fix.accuracy_m, "max_accuracy_m": config.max_accuracy_m},
        )
    distance = haversine_m(fix.lat, fix.lon, position.lat, position.lon)
    tolerance = geofence_radius_m(length_m, fix, position, now, config)
    detail = {"distance_m": round(distance, 1), "tolerance_m": round(tolerance, 1)}
    if distance > tolerance:
        return Outcome(False, "outside_geofence", detail)
    return Outcome(True, "on_board", detail)


def grade_satisfies(held: str, required: str) -> bool:
    """A better (or equal) grade satisfies a requirement; unknown grades never do."""
    if held not in GRADES or required not in GRADES:
        return False
    return GRADES.index(held) <= GRADES.index(required)


def certificate_expired(certificate: Certificate, today: date) -> bool:
    """A certificate is expired from the day after its `expires_on`."""
    return certificate.expires_on < today


def certificate_check(certificates: Iterable[Certificate], post: Post, today: date) -> Outcome:
    """The best certificate of the post's type decides; the reason names what is wrong with it."""
    of_type = [c for c in certificates if c.type == post.certificate_type]
    if not of_type:
        return Outcome(False, "no_certificate_of_type", {"required_type": post.certificate_type})
    problems: list[tuple[int, str, Certificate]] = []
    for cert in of_type:
        if cert.status == "revoked":
            problems.append((4, "certificate_revoked", cert))
        elif cert.status != "valid":
            problems.append((3, "certificate_suspended", cert))
        elif certificate_expired(cert, today):
            problems.append((2, "certificate_expired", cert))
        elif not grade_satisfies(cert.grade, post.min_grade):
            problems.append((1, "grade_insufficient", cert))
        else:
            return Outcome(
                True,
                "certificate_valid",
                {
                    "certificate": cert.number,
                    "grade": cert.grade,
                    "expires_on": str(cert.expires_on),
                },
            )
    _, reason, cert = max(problems, key=lambda p: p[0])  # the most serious problem
    return Outcome(
        False,
        reason,
        {
            "certificate": cert.number,
            "grade": cert.grade,
            "expires_on": str(cert.expires_on),
            "required_grade": post.min_grade,
        },
    )


#: What a check's status is: every check passed; none failed but one waits for a person; or
#: at least one failed.
VERIFIED, PENDING_REVIEW, FAILED = "verified", "pending_review", "failed"


def verdict(outcomes: dict[str, Outcome]) -> tuple[str, list[str]]:
    """The check's status and its reasons. `failed` when any check failed (the reasons of every
    failing one: a review cannot save it); `pending_review` when none failed but one is in
    review (the reasons of those in review); `verified` when all passed (no reasons). No
    outcome at all is a failure."""
    failed = [f"{n}:{o.reason}" for n, o in outcomes.items() if not o.passed and not o.review]
    if failed or not outcomes:
        return FAILED, failed
    review = [f"{n}:{o.reason}" for n, o in outcomes.items() if o.review]
    if review:
        return PENDING_REVIEW, review
    return VERIFIED, []


# ------------------------------------------------------------------ manning


@dataclass(frozen=True)
class Holder:
    """A crew member bound or appointed to a post of the vessel."""

    crew_id: str
    post: str
    status: str  # bound | appointed
    name: str = ""
    #: When the current posting began; checks made before it (e.g. before a discharge) never count.
    since: datetime | None = None


@dataclass(frozen=True)
class CheckSummary:
    """What the manning report and tasks need from a decided duty check."""

    check_id: str
    crew_id: str
    post: str
    verified: bool
    reasons: tuple[str, ...]
    decided_at: datetime
    task_id: str | None = None
    #: When the check was started (its photo taken afterwards); the decision time when unknown.
    made_at: datetime | None = None
    #: Neither verified nor failed yet: an officer reviews it (not verified meanwhile).
    pending_review: bool = False

    @property
    def started(self) -> datetime:
        return self.made_at or self.decided_at


@dataclass
class PostReport:
    post: str
    title: str
    required: int
    verified: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    unchecked: list[dict[str, Any]] = field(default_factory=list)
    under_qualified: list[dict[str, Any]] = field(default_factory=list)
    pending_review: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> str:
        if len(self.verified) >= self.required:
            return "met"
        if not (self.verified or self.failed or self.unchecked or self.pending_review):
            return "empty"
        if self.under_qualified:
            return "under_qualified"
        if self.failed:
            return "failed"
        if self.pending_review:
            return "pending_review"
        return "short"

    def as_dict(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "title": self.title,
            "required": self.required,
            "state": self.state,
            "verified": self.verified,
            "failed": self.failed,
            "unchecked": self.unchecked,
            "under_qualified": self.under_qualified,
            "pending_review": self.pending_review,
        }


def latest_per_crew(checks: Iterable[CheckSummary]) -> dict[tuple[str, str], CheckSummary]:
    """The most recent decided check of each (crew member, post)."""
    latest: dict[tuple[str, str], CheckSummary] = {}
    for check in checks:
        key = (check.crew_id, check.post)
        if key not in latest or check.decided_at > latest[key].decided_at:
            latest[key] = check
    return latest


def latest_since(checks: Iterable[CheckSummary], holder: Holder) -> CheckSummary | None:
    """The holder's latest decided check at their post, among those made since the posting began."""
    mine = (
        c
        for c in checks
        if c.crew_id == holder.crew_id
        and c.post == holder.post
        and (holder.since is None or c.started >= holder.since)
    )
    return max(mine, key=lambda c: c.decided_at, default=None)


def manning_report(
    posts: Sequence[Post],
    holders: Sequence[Holder],
    checks: Iterable[CheckSummary],
    certificates: dict[str, list[Certificate]],
    now: datetime,
    valid_for: timedelta,
) -> tuple[bool, list[PostReport]]:
    """Who is verified at which post now, which posts are empty, under-qualified or failed, and
    whose latest check waits for an officer's review (not verified until confirmed).

    Only checks decided within `valid_for` count, and of a holder only the checks made since
    their current posting began: a check made before a discharge says nothing about a later
    posting at the same post. The minimum safe manning is met when every post of the table has
    at least its required number of verified crew.
    """
    recent = [c for c in checks if now - c.decided_at <= valid_for]
    reports = []
    for post in posts:
        report = PostReport(post.code, post.title, post.count)
        for holder in (h for h in holders if h.post == post.code):
            who = {"crew_id": holder.crew_id, "name": holder.name, "status": holder.status}
            cert = certificate_check(certificates.get(holder.crew_id, []), post, now.date())
            if not cert.passed:
                report.under_qualified.append({**who, "reason": cert.reason})
            check = latest_since(recent, holder)
            if check is None:
                report.unchecked.append(who)
            elif check.verified:
                report.verified.append(
                    {**who, "check_id": check.check_id, "at": check.decided_at.isoformat()}
                )
            elif check.pending_review:
                report.pending_review.append(
                    {**who, "check_id": check.check_id, "reasons": list(check.reasons)}
                )
            else:
                report.failed.append(
                    {**who, "check_id": check.check_id, "reasons": list(check.reasons)}
                )
        reports.append(report)
    return all(r.state == "met" for r in reports), reports


# ------------------------------------------------------------------ remote tasks


@dataclass(frozen=True)
class TaskOutcome:
    state: str  # pending | complete | window_closed
    manning_met: bool
    posts: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "manning_met": self.manning_met, "posts": self.posts}


def task_outcome(
    posts: Sequence[Post], task_checks: Iterable[CheckSummary], window_closed: bool
) -> TaskOutcome:
    """Per post of the manning table: verified, failed (why), waiting for review, or missing,
    within one task. A check in review is not verified: its post is `pending_review` (when no
    check there failed) until an officer confirms it.

    The task is complete as soon as every required post is verified; otherwise it runs until its
    window closes.
    """
    latest = latest_per_crew(task_checks)
    rows: list[dict[str, Any]] = []
    all_verified = True
    for post in posts:
        mine = [c for (_, p), c in latest.items() if p == post.code]
        verified = sorted(c.crew_id for c in mine if c.verified)
        failed = [
            {"crew_id": c.crew_id, "reasons": list(c.reasons)}
            for c in mine
            if not c.verified and not c.pending_review
        ]
        in_review = sorted(c.crew_id for c in mine if c.pending_review)
        missing = max(0, post.count - len(verified))
        if missing == 0:
            status = "verified"
        elif failed:
            status = "failed"
        elif in_review:
            status = "pending_review"
        else:
            status = "missing"
        all_verified = all_verified and missing == 0
        rows.append(
            {
                "post": post.code,
                "title": post.title,
                "required": post.count,
                "status": status,
                "verified": verified,
                "failed": failed,
                "pending_review": in_review,
                "missing": missing,
            }
        )
    if all_verified:
        state = "complete"
    elif window_closed:
        state = "window_closed"
    else:
        state = "pending"
    return TaskOutcome(state, all_verified, rows)
