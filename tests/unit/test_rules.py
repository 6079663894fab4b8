"""The rules of crew check-in, without AWS: geofence, certificates, face, manning, tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import get_args

import pytest
from enforcement.checkin import rules, verdicts
from enforcement.checkin.rules import (
    Certificate,
    CheckSummary,
    GeofenceConfig,
    GpsFix,
    Holder,
    Position,
    Post,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
SHIP = Position(31.2304, 121.4737, NOW - timedelta(minutes=2), sog_knots=0)
CFG = GeofenceConfig(min_radius_m=100, max_accuracy_m=150, max_position_age=timedelta(minutes=30))
MASTER = Post("master", "船长", "master", "B", 1)
ABLE = Post("able_seaman", "值班水手", "rating_deck", "D", 2)


def offset(position: Position, north_m: float) -> GpsFix:
    """A fix `north_m` metres north of `position` (1 degree of latitude ≈ 111.2 km)."""
    return GpsFix(position.lat + north_m / 111_195.0, position.lon, accuracy_m=10)


# ------------------------------------------------------------------ geometry


def test_haversine_matches_a_known_distance() -> None:
    # Shanghai (People's Square) to Beijing (Tiananmen): about 1,067 km
    d = rules.haversine_m(31.2304, 121.4737, 39.9087, 116.3975)
    assert 1_060_000 < d < 1_075_000


def test_a_fix_on_board_passes_and_reports_distance_and_tolerance() -> None:
    outcome = rules.location_check(offset(SHIP, 40), SHIP, 120, NOW, CFG)
    assert outcome.passed
    assert outcome.reason == "on_board"
    assert 35 < outcome.detail["distance_m"] < 45
    assert outcome.detail["tolerance_m"] == pytest.approx(130, abs=0.5)  # length 120 + accuracy 10


@pytest.mark.parametrize("length_m", [30, 120, 300])
def test_the_geofence_grows_with_ship_length(length_m: float) -> None:
    radius = max(CFG.min_radius_m, length_m) + 10
    assert rules.location_check(offset(SHIP, radius - 5), SHIP, length_m, NOW, CFG).passed
    assert not rules.location_check(offset(SHIP, radius + 5), SHIP, length_m, NOW, CFG).passed


def test_a_fix_ashore_fails_outside_geofence() -> None:
    outcome = rules.location_check(offset(SHIP, 2_000), SHIP, 120, NOW, CFG)
    assert not outcome.passed
    assert outcome.reason == "outside_geofence"
    assert outcome.detail["distance_m"] > outcome.detail["tolerance_m"]


def test_a_moving_ship_gets_drift_allowance_from_its_speed_and_report_age() -> None:
    moving = Position(SHIP.lat, SHIP.lon, NOW - timedelta(minutes=5), sog_knots=12)
    drift = 12 * rules.KNOT_M_PER_S * 300  # ≈ 1,852 m in five minutes
    fix = offset(moving, 1_500)
    assert rules.location_check(fix, moving, 120, NOW, CFG).passed
    assert not rules.location_check(fix, SHIP, 120, NOW, CFG).passed
    assert rules.geofence_radius_m(120, fix, moving, NOW, CFG) == pytest.approx(130 + drift)


def test_stale_unknown_and_inaccurate_positions_fail_with_their_reason() -> None:
    stale = Position(SHIP.lat, SHIP.lon, NOW - timedelta(hours=2))
    assert rules.location_check(offset(SHIP, 0), stale, 120, NOW, CFG).reason == (
        "vessel_position_stale"
    )
    assert rules.location_check(offset(SHIP, 0), None, 120, NOW, CFG).reason == (
        "vessel_position_unknown"
    )
    vague = GpsFix(SHIP.lat, SHIP.lon, accuracy_m=500)
    assert rules.location_check(vague, SHIP, 120, NOW, CFG).reason == "gps_fix_too_inaccurate"
    assert rules.location_check(None, SHIP, 120, NOW, CFG).reason == "gps_fix_missing"


# ------------------------------------------------------------------ certificates


def cert(**kw: object) -> Certificate:
    base: dict[str, object] = {
        "number": "C-0001",
        "type": "master",
        "grade": "B",
        "expires_on": TODAY + timedelta(days=100),
    }
    base.update(kw)
    return Certificate(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("held", "required", "ok"),
    [("A", "B", True), ("B", "B", True), ("C", "B", False), ("D", "A", False), ("Z", "D", False)],
)
def test_a_better_grade_satisfies_a_lower_requirement(held: str, required: str, ok: bool) -> None:
    assert rules.grade_satisfies(held, required) is ok


def test_a_valid_certificate_of_the_right_type_and_grade_passes() -> None:
    outcome = rules.certificate_check([cert(grade="A")], MASTER, TODAY)
    assert outcome.passed
    assert outcome.detail["certificate"] == "C-0001"


@pytest.mark.parametrize(
    ("certificate", "reason"),
    [
        (cert(type="chief_engineer"), "no_certificate_of_type"),
        (cert(expires_on=TODAY - timedelta(days=1)), "certificate_expired"),
        (cert(status="revoked"), "certificate_revoked"),
        (cert(status="suspended"), "certificate_suspended"),
        (cert(grade="C"), "grade_insufficient"),
    ],
)
def test_each_certificate_problem_has_its_reason(certificate: Certificate, reason: str) -> None:
    outcome = rules.certificate_check([certificate], MASTER, TODAY)
    assert not outcome.passed
    assert outcome.reason == reason


def test_a_certificate_expiring_today_is_still_valid() -> None:
    assert rules.certificate_check([cert(expires_on=TODAY)], MASTER, TODAY).passed


def test_one_good_certificate_among_bad_ones_is_enough() -> None:
    bad = cert(number="C-0002", status="revoked")
    good = cert(number="C-0003", grade="A")
    outcome = rules.certificate_check([bad, good], MASTER, TODAY)
    assert outcome.passed
    assert outcome.detail["certificate"] == "C-0003"


def test_the_most_serious_problem_is_reported() -> None:
    outcome = rules.certificate_check(
        [cert(number="C-1", grade="D"), cert(number="C-2", status="revoked")], MASTER, TODAY
    )
    assert outcome.reason == "certificate_revoked"


# ------------------------------------------------------------------ verdict


def test_all_three_checks_must_pass() -> None:
    ok = rules.Outcome(True, "fine")
    bad = rules.Outcome(False, "face_mismatch")
    assert rules.verdict({"location": ok, "face": ok, "certificate": ok}) == ("verified", [])
    status, reasons = rules.verdict({"location": ok, "face": bad, "certificate": ok})
    assert status == "failed"
    assert reasons == ["face:face_mismatch"]
    assert rules.verdict({}) == ("failed", [])


# ------------------------------------------------------------------ manning and tasks


def summary(
    crew: str, post: str, ok: bool, minutes_ago: int, task: str | None = None
) -> CheckSummary:
    return CheckSummary(
        check_id=f"chk-{crew}-{minutes_ago}",
        crew_id=crew,
        post=post,
        verified=ok,
        reasons=() if ok else ("face:face_mismatch",),
        decided_at=NOW - timedelta(minutes=minutes_ago),
        task_id=task,
    )


CERTS = {
    "li": [cert(number="M-1", grade="A")],
    "wang": [cert(number="R-1", type="rating_deck", grade="D")],
    "zhao": [cert(number="R-2", type="rating_deck", grade="D")],
}
HOLDERS = [Holder("li", "master", "appointed"), Holder("wang", "able_seaman", "bound")]


def test_manning_is_met_only_when_every_post_has_enough_verified_crew() -> None:
    holders = [*HOLDERS, Holder("zhao", "able_seaman", "bound")]
    checks = [
        summary("li", "master", True, 5),
        summary("wang", "able_seaman", True, 5),
        summary("zhao", "able_seaman", True, 5),
    ]
    met, reports = rules.manning_report(
        [MASTER, ABLE], holders, checks, CERTS, NOW, timedelta(hours=12)
    )
    assert met
    assert [r.state for r in reports] == ["met", "met"]
    met, reports = rules.manning_report(
        [MASTER, ABLE], holders, checks[:2], CERTS, NOW, timedelta(hours=12)
    )
    assert not met
    assert reports[1].state == "short"
    assert [u["crew_id"] for u in reports[1].unchecked] == ["zhao"]


def test_the_latest_check_counts_and_old_checks_expire() -> None:
    checks = [summary("li", "master", True, 60), summary("li", "master", False, 5)]
    _, reports = rules.manning_report([MASTER], HOLDERS, checks, CERTS, NOW, timedelta(hours=12))
    assert reports[0].state == "failed"
    assert reports[0].failed[0]["reasons"] == ["face:face_mismatch"]
    old = [summary("li", "master", True, 13 * 60)]
    _, reports = rules.manning_report([MASTER], HOLDERS, old, CERTS, NOW, timedelta(hours=12))
    assert reports[0].state == "short"


def test_empty_and_under_qualified_posts_are_named() -> None:
    weak = {"li": [cert(number="M-1", grade="C")]}
    _, reports = rules.manning_report(
        [MASTER, ABLE], [Holder("li", "master", "bound")], [], weak, NOW, timedelta(hours=12)
    )
    assert reports[0].state == "under_qualified"
    assert reports[0].under_qualified[0]["reason"] == "grade_insufficient"
    assert reports[1].state == "empty"


def test_a_task_completes_when_every_required_post_is_verified() -> None:
    checks = [summary("li", "master", True, 1, "t"), summary("wang", "able_seaman", True, 1, "t")]
    outcome = rules.task_outcome([MASTER, ABLE], checks, window_closed=False)
    assert outcome.state == "pending"  # two able seamen are required, one verified
    assert outcome.posts[1]["missing"] == 1
    checks.append(summary("zhao", "able_seaman", True, 1, "t"))
    outcome = rules.task_outcome([MASTER, ABLE], checks, window_closed=False)
    assert outcome.state == "complete"
    assert outcome.manning_met


def test_a_task_whose_window_closes_reports_failed_and_missing_posts() -> None:
    checks = [summary("li", "master", False, 1, "t")]
    outcome = rules.task_outcome([MASTER, ABLE], checks, window_closed=True)
    assert outcome.state == "window_closed"
    assert not outcome.manning_met
    assert outcome.posts[0]["status"] == "failed"
    assert outcome.posts[0]["failed"][0]["reasons"] == ["face:face_mismatch"]
    assert outcome.posts[1]["status"] == "missing"
    assert outcome.posts[1]["missing"] == 2


def test_a_later_success_replaces_an_earlier_failure_in_a_task() -> None:
    checks = [summary("li", "master", False, 10, "t"), summary("li", "master", True, 2, "t")]
    outcome = rules.task_outcome([MASTER], checks, window_closed=False)
    assert outcome.state == "complete"


def test_dates_survive_round_trip_in_certificates() -> None:
    c = cert(expires_on=date(2027, 1, 31))
    assert rules.certificate_check([c], MASTER, date(2027, 1, 31)).passed
    assert not rules.certificate_check([c], MASTER, date(2027, 2, 1)).passed


def test_a_check_made_before_the_current_posting_began_does_not_count() -> None:
    """Discharged, then bound again: the check of the earlier posting says nothing any more."""
    checks = [summary("li", "master", True, 90)]
    rebound = [Holder("li", "master", "bound", since=NOW - timedelta(minutes=30))]
    _, reports = rules.manning_report([MASTER], rebound, checks, CERTS, NOW, timedelta(hours=12))
    assert reports[0].state == "short"
    assert [u["crew_id"] for u in reports[0].unchecked] == ["li"]
    checks.append(summary("li", "master", True, 10))
    _, reports = rules.manning_report([MASTER], rebound, checks, CERTS, NOW, timedelta(hours=12))
    assert reports[0].state == "met"
    assert reports[0].verified[0]["check_id"] == "chk-li-10"


def test_a_check_started_before_the_posting_does_not_count_even_if_decided_after() -> None:
    since = NOW - timedelta(minutes=30)
    started_before = CheckSummary(
        "chk-early", "li", "master", True, (), NOW - timedelta(minutes=20),
        made_at=since - timedelta(seconds=1),
    )  # fmt: skip
    holder = [Holder("li", "master", "bound", since=since)]
    _, reports = rules.manning_report(
        [MASTER], holder, [started_before], CERTS, NOW, timedelta(hours=12)
    )
    assert reports[0].state == "short"


# ------------------------------------------------------------------ position reports


@pytest.mark.parametrize(
    ("reported", "stored", "problem"),
    [
        (NOW - timedelta(minutes=5), NOW - timedelta(minutes=10), None),
        (NOW - timedelta(minutes=5), None, None),
        (NOW + timedelta(seconds=30), None, None),
        (NOW + timedelta(minutes=5), None, "position_in_future"),
        (datetime(1, 1, 1, tzinfo=UTC), None, "position_too_old"),
        (NOW - timedelta(days=2), None, "position_too_old"),
        (NOW - timedelta(minutes=20), NOW - timedelta(minutes=10), "position_not_newer"),
        (NOW - timedelta(minutes=10), NOW - timedelta(minutes=10), "position_not_newer"),
    ],
)
def test_a_position_report_replaces_the_fix_only_when_newer_and_plausible(
    reported: datetime, stored: datetime | None, problem: str | None
) -> None:
    assert rules.position_report_problem(reported, NOW, stored) == problem


def test_the_grades_the_api_names_are_the_rules_grades() -> None:
    assert get_args(verdicts.Grade) == rules.GRADES
