"""The clearance figures of a flight (enforcement.remote_survey.rules, section clearance):
nearest-rank percentiles, the override rule, the figures and the p90 target."""

from __future__ import annotations

import pytest
from enforcement.remote_survey import rules
from enforcement.remote_survey.models import NumberListAttribute
from hypothesis import given
from hypothesis import strategies as st
from pynamodb.attributes import ListAttribute, NumberAttribute


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([], 50, None),
        ([], 90, None),
        ([600], 50, 600),
        ([600], 90, 600),
        ([600], 100, 600),
        ([900, 300], 50, 300),  # two values: p50 the smaller, p90 the larger
        ([900, 300], 90, 900),
        ([1, 2, 3], 50, 2),
        ([1, 2, 3, 4], 50, 2),  # rank ⌈2⌉ = 2: a measured value, never an average
        ([1, 2, 3, 4], 90, 4),
        (list(range(1, 11)), 90, 9),  # rank 9 of 10
        (list(range(1, 11)), 91, 10),
        (list(range(1, 71)), 90, 63),  # 0.9 x 70 is 63.000…01 in floats: rank 63 still
        (list(range(1, 101)), 90, 90),
        (list(range(100, 0, -1)), 50, 50),  # order of arrival does not matter
        ([5, 5, 5, 7], 90, 7),
    ],
)
def test_percentiles_by_nearest_rank(values: list[int], percent: int, expected: int) -> None:
    assert rules.percentile(values, percent) == expected


@pytest.mark.parametrize("percent", [0, -1, 101])
def test_a_percent_outside_the_range_is_refused(percent: int) -> None:
    with pytest.raises(ValueError, match="percent"):
        rules.percentile([1, 2], percent)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1), st.integers(1, 100))
def test_a_percentile_is_a_measured_value_with_enough_at_or_below(
    values: list[int], percent: int
) -> None:
    found = rules.percentile(values, percent)
    assert found in values
    at_or_below = sum(1 for v in values if v <= found)
    below = sum(1 for v in values if v < found)
    assert at_or_below * 100 >= percent * len(values)
    assert below * 100 < percent * len(values)


@given(st.lists(st.integers(min_value=0, max_value=10**5), min_size=1))
def test_p90_never_falls_as_later_releases_come(values: list[int]) -> None:
    released = sorted(values)  # server-time order: each clearance at least the one before
    p90s = [rules.percentile(released[: n + 1], 90) for n in range(len(released))]
    assert p90s == sorted(p90s)


@pytest.mark.parametrize(
    ("on_block", "released", "seconds"),
    [
        ("2026-12-01T08:00:00.000Z", "2026-12-01T08:25:30.000Z", 1530),
        ("2026-12-01T08:00:00.000Z", "2026-12-01T08:00:00.400Z", 0),
        ("2026-12-01T08:00:00.000Z", "2026-12-01T08:00:00.600Z", 1),
        ("2026-12-01T23:50:00.000Z", "2026-12-02T00:10:00.000Z", 1200),  # across midnight
        ("2026-12-01T08:00:00.000Z", "2026-12-01T07:55:00.000Z", 0),  # early: never negative
    ],
)
def test_clearance_seconds(on_block: str, released: str, seconds: int) -> None:
    assert rules.clearance_seconds(on_block, released) == seconds


def test_the_clock_starts_at_the_actual_on_block_else_the_scheduled() -> None:
    assert rules.on_block("2026-12-01T08:00:00Z", "2026-12-01T08:12:00Z") == "2026-12-01T08:12:00Z"
    assert rules.on_block("2026-12-01T08:00:00Z", None) == "2026-12-01T08:00:00Z"


@pytest.mark.parametrize(
    ("outcome", "disposition", "survey_ended", "override"),
    [
        ("release", "released", False, False),
        ("release", "referred", False, True),
        ("release", "sampled", False, True),
        ("onsite_referral", "referred", False, False),
        ("onsite_referral", "released", False, True),
        ("onsite_referral", "sampled", False, True),
        ("sampling", "sampled", False, False),
        ("sampling", "released", False, True),
        ("sampling", "referred", True, True),
        ("remote_survey", "released", False, True),  # the survey skipped
        ("remote_survey", "referred", False, True),
        ("remote_survey", "released", True, False),  # the survey decided
        ("remote_survey", "sampled", True, False),
        (None, "released", False, False),  # no recommendation, nothing to override
        (None, "referred", False, False),
    ],
)
def test_override(
    outcome: str | None, disposition: str, survey_ended: bool, override: bool
) -> None:
    assert rules.is_override(outcome, disposition, survey_ended) is override


def test_an_unknown_disposition_is_refused() -> None:
    with pytest.raises(ValueError, match="disposition"):
        rules.is_override("release", "waved_through", False)


def test_flight_figures() -> None:
    figures = rules.flight_figures(120, 100, 60, 5, [300 + 30 * n for n in range(60)])
    assert figures == rules.FlightFigures(
        arrivals=120,
        declared=100,
        released=60,
        held=5,
        in_process=35,
        p50_seconds=300 + 30 * 29,
        p90_seconds=300 + 30 * 53,
        max_seconds=300 + 30 * 59,
    )


def test_a_flight_without_releases_has_no_clearance_time() -> None:
    figures = rules.flight_figures(80, 3, 0, 1, [])
    assert (figures.in_process, figures.p50_seconds, figures.p90_seconds) == (2, None, None)
    assert figures.max_seconds is None


def test_in_process_never_below_zero() -> None:
    assert rules.flight_figures(10, 1, 1, 1, [60]).in_process == 0


@pytest.mark.parametrize(
    ("seconds", "breached"),
    [
        ([], False),
        ([1800], False),  # at the target is not past it
        ([1801], True),  # one release, already late: everyone after is later
        ([600] * 9 + [1801], False),  # p90 of ten is the ninth
        ([600] * 8 + [1801, 1801], True),
        ([600] * 90 + [3600] * 10, False),
        ([600] * 89 + [3600] * 11, True),
    ],
)
def test_the_p90_target(seconds: list[int], breached: bool) -> None:
    assert rules.p90_breached(seconds, 30) is breached


@given(
    st.lists(
        st.one_of(
            st.integers(min_value=-(10**15), max_value=10**15),
            st.floats(allow_nan=False, allow_infinity=False),
        )
    )
)
def test_clearance_times_read_as_the_typed_list_reads_them(values: list[float]) -> None:
    """The flight's clearance times are stored as pynamodb's typed number list stores them and
    read back to the same values, ints as ints."""
    typed = ListAttribute(of=NumberAttribute)  # type: ignore[arg-type, var-annotated]
    fast = NumberListAttribute()
    stored = typed.serialize(values)
    assert fast.serialize(values) == stored
    read = fast.deserialize(stored)
    assert read == typed.deserialize(stored)
    assert [type(v) for v in read] == [type(v) for v in typed.deserialize(stored)]


@pytest.mark.parametrize(
    ("counters", "waiting"),
    [
        ((120, 3, 1, 1), 118),  # the manifest's passengers less the released and held
        ((0, 5, 2, 1), 2),  # no manifest: the declarations
        ((2, 5, 2, 1), 2),  # more declared than the manifest lists
        ((3, 3, 2, 2), 0),  # never below 0
    ],
)
def test_uncleared(counters: tuple[int, int, int, int], waiting: int) -> None:
    assert rules.uncleared(*counters) == waiting


@pytest.mark.parametrize(
    ("seconds", "waiting", "waited", "breached"),
    [
        ([], 0, 5000, False),  # nobody released, nobody waiting
        ([], 1, 1800, False),  # waited exactly the target
        ([], 1, 1801, True),  # nobody released, one traveller waiting past it
        ([600] * 9, 1, 1801, False),  # p90 of ten: the ninth value, a release
        ([600] * 8, 2, 1801, True),  # two waiting of ten: the ninth is a wait
        ([600] * 90, 10, 3600, False),
        ([600] * 89, 11, 3600, True),
        ([1801], 0, 0, True),  # the release path, nobody waiting
    ],
)
def test_the_p90_so_far_counts_the_travellers_still_waiting(
    seconds: list[int], waiting: int, waited: int, breached: bool
) -> None:
    assert rules.p90_breached(seconds, 30, waiting, waited) is breached


def test_the_p90_so_far_never_falls_as_a_waiting_traveller_is_released() -> None:
    released, waiting, waited = [600, 900], 8, 1500
    before = rules.p90_so_far(released, waiting, waited)
    after = rules.p90_so_far([*released, waited], waiting - 1, waited)
    assert before == after == waited
