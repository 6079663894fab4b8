"""The draw core without AWS: determinism vectors, statistics, constraints and tampering."""

from __future__ import annotations

import copy
import hashlib
import math
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest
from enforcement.dispatch import draw, risk
from enforcement.dispatch.draw import Inspector, Target

from tests import synthetic

MODEL = risk.parse_model(risk.ship_model_document())
SECRET = "0123456789abcdef" * 4


def small_snapshot(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"targets": 2000, "inspectors": 60, "conflicts": 40, "salt": "vector"}
    args.update(overrides)
    return synthetic.population(MODEL, **args)


# ------------------------------------------------------------------ determinism vectors
# Computed once from the specification (docs/draw-specification.md) and committed: any change
# to the canonical form, the tickets, the thresholds or the team assignment breaks them.
# Version 1 is the layout of the draws published before the reveal wait entered the snapshot:
# its figures are the ones committed then, unchanged, so those draws still verify. Version 2
# adds `reveal_wait_seconds` to the snapshot, which changes the snapshot hash and, through the
# seed, every ticket; the commitment (secret only) stays.

VECTOR_SNAPSHOT_HASH = "63b021b15bd0ad49c09bae2541666d95411affef7e0bb52ed7ba042619c3a095"
VECTOR_COMMITMENT = "0cdfcdef8ad729e21b8fe938d0449c10ebdae324c205def3f2c2a48275c087ab"
VECTOR_SEED = "03012ffe97d05ff9359960d5921f6de2d27143115e21e46bd8088e727e01628d"
VECTOR_RESULT_HASH = "fa0e582e3ab7c3d03f837bc7cba652c1344a19739898a6e3a621a8bd72d3156b"

VECTOR2_SNAPSHOT_HASH = "21948ff8f4f739c4cc24b5f7c4602b82fa1945650b42862820cab97fbdacd25e"
VECTOR2_SEED = "7d728f3c6ffbc3f71734554eb9291ac04d5363e23e3f7cd3d70db7a1008f6e8c"
VECTOR2_RESULT_HASH = "85c13165099a7d3c3082187143a6c649219b0ef886aaf420cad5ff0b952236b5"


def test_a_fixed_snapshot_and_secret_give_the_committed_vector() -> None:
    snapshot = small_snapshot(snapshot_version=1)
    published = draw.publish(snapshot, SECRET)
    assert draw.snapshot_hash(snapshot) == VECTOR_SNAPSHOT_HASH
    assert published["commitment"] == VECTOR_COMMITMENT
    assert published["seed"] == VECTOR_SEED
    assert published["result_hash"] == VECTOR_RESULT_HASH
    assert len(published["selected"]) == 161
    assert published["selected"][0] == {
        "target": "t001121",
        "level": "low",
        "ticket": "002d5b03f454ee29",
        "team": ["i00034", "i00026"],
    }


def test_a_fixed_version_2_snapshot_and_secret_give_the_committed_vector() -> None:
    snapshot = small_snapshot()
    assert snapshot["format"] == "dispatch-snapshot/2"
    assert snapshot["reveal_wait_seconds"] == 0
    published = draw.publish(snapshot, SECRET)
    assert draw.snapshot_hash(snapshot) == VECTOR2_SNAPSHOT_HASH
    assert published["commitment"] == VECTOR_COMMITMENT
    assert published["seed"] == VECTOR2_SEED
    assert published["result_hash"] == VECTOR2_RESULT_HASH
    assert published["format"] == "dispatch-result/2"
    assert len(published["selected"]) == 161
    assert published["selected"][0] == {
        "target": "t001565",
        "level": "low",
        "ticket": "0017701753a47f88",
        "team": ["i00047", "i00003"],
    }


def test_a_ticket_is_the_first_8_bytes_of_sha256_of_seed_tag_and_id() -> None:
    digest = hashlib.sha256(bytes(32) + b"T" + b"t1").digest()
    assert draw.ticket(bytes(32), "t1") == int.from_bytes(digest[:8], "big")
    assert draw.ticket(bytes(32), "t1") == 0x7313AD295B029094


def test_commitment_and_seed_follow_the_published_formulas() -> None:
    assert (
        draw.commitment(SECRET)
        == hashlib.sha256(b"dispatch-commit/1" + bytes.fromhex(SECRET)).hexdigest()
    )
    expected = hashlib.sha256(
        b"dispatch-seed/1" + bytes.fromhex(SECRET) + bytes.fromhex("ab" * 32) + b"beacon-42"
    ).hexdigest()
    assert draw.seed(SECRET, "ab" * 32, "beacon-42") == expected


def test_the_same_snapshot_and_seed_give_the_same_draw_whatever_the_input_order() -> None:
    first = small_snapshot()
    again = draw.make_snapshot(
        draw_id=first["draw_id"],
        agency=first["agency"],
        frozen_at=first["frozen_at"],
        model=first["model"],
        team_size=first["team_size"],
        targets=[
            Target(
                t["id"],
                t["kind"],
                t["jurisdiction"],
                t["company"],
                t["level"],
                t["score"],
                tuple(reversed(t["last_team"])),
            )
            for t in reversed(first["targets"])
        ],
        inspectors=[
            Inspector(
                i["id"],
                i["jurisdiction"],
                tuple(reversed(i["qualifications"])),
                i["on_duty"],
                i["load"],
            )
            for i in reversed(first["inspectors"])
        ],
        conflicts=[tuple(c) for c in reversed(first["conflicts"])],
    )
    assert draw.snapshot_hash(first) == draw.snapshot_hash(again)
    assert draw.publish(first, SECRET) == draw.publish(again, SECRET)


def test_thresholds_are_exact() -> None:
    assert draw.threshold(Fraction(0)) == 0
    assert draw.threshold(Fraction(1)) == 2**64  # every 8-byte ticket is below it
    assert draw.threshold(Fraction(1, 2)) == 2**63
    assert draw.threshold(Fraction("0.03")) == (3 * 2**64) // 100
    with pytest.raises(risk.ModelError):
        draw.threshold(Fraction(3, 2))


def test_floats_are_refused_in_published_documents() -> None:
    with pytest.raises(risk.ModelError):
        risk.strict_loads('{"load": 1.0}')
    with pytest.raises(risk.ModelError):
        risk.canonical_bytes({"rate": 0.1})
    assert risk.strict_loads('{"load": 1}') == {"load": 1}


# ------------------------------------------------------------------ statistics


def _inclusion_counts(
    snapshot: dict[str, Any], seeds: int, rate_factor: Fraction = Fraction(1)
) -> dict[str, tuple[int, int]]:
    """Per level: (trials, selections) over `seeds` draws. `rate_factor` != 1 simulates an
    implementation that gets the rate wrong, to show the test would catch it."""
    rates = {lv["level"]: Fraction(lv["rate"]) for lv in snapshot["model"]["levels"]}
    trials: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for n in range(seeds):
        seed_bytes = hashlib.sha256(f"stat-seed-{n}".encode()).digest()
        for target in snapshot["targets"]:
            level = target["level"]
            cut = draw.threshold(min(Fraction(1), rates[level] * rate_factor))
            trials[level] += 1
            hits[level] += draw.ticket(seed_bytes, target["id"]) < cut
    return {level: (trials[level], hits[level]) for level in trials}


def _within_bounds(counts: dict[str, tuple[int, int]], rates: dict[str, Fraction]) -> bool:
    """Binomial bound per level (5 standard deviations) and a chi-square over the levels
    (critical value at p = 0.001)."""
    chi2 = 0.0
    free = 0
    for level, (n, k) in counts.items():
        p = float(rates[level])
        if p in (0.0, 1.0):
            if k != n * p:
                return False
            continue
        sd = math.sqrt(n * p * (1 - p))
        if abs(k - n * p) > 5 * sd:
            return False
        chi2 += (k - n * p) ** 2 / (n * p * (1 - p))
        free += 1
    critical = {1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47}
    return chi2 <= critical[max(free, 1)]


def test_each_levels_inclusion_frequency_matches_its_rate_over_many_seeds() -> None:
    snapshot = small_snapshot(targets=4000)
    rates = {lv["level"]: Fraction(lv["rate"]) for lv in snapshot["model"]["levels"]}
    counts = _inclusion_counts(snapshot, seeds=40)
    assert _within_bounds(counts, rates), counts
    # and the real draw selects exactly the targets whose ticket is below the threshold
    published = draw.publish(snapshot, SECRET)
    seed_bytes = bytes.fromhex(published["seed"])
    by_id = {t["id"]: t for t in snapshot["targets"]}
    chosen = {p["target"] for p in published["selected"]} | {
        p["target"] for p in published["unstaffed"]
    }
    for target_id, target in by_id.items():
        below = draw.ticket(seed_bytes, target_id) < draw.threshold(rates[target["level"]])
        assert below == (target_id in chosen)


def test_the_statistics_test_fails_an_implementation_with_rates_10_percent_off() -> None:
    snapshot = small_snapshot(targets=4000)
    rates = {lv["level"]: Fraction(lv["rate"]) for lv in snapshot["model"]["levels"]}
    wrong = _inclusion_counts(snapshot, seeds=40, rate_factor=Fraction(11, 10))
    assert not _within_bounds(wrong, rates)


# ------------------------------------------------------------------ constraints


def test_teams_respect_duty_qualification_jurisdiction_conflicts_and_last_team() -> None:
    snapshot = small_snapshot(targets=20000, inspectors=200, conflicts=400, salt="constraints")
    result = draw.publish(snapshot, SECRET)
    inspectors = {i["id"]: i for i in snapshot["inspectors"]}
    targets = {t["id"]: t for t in snapshot["targets"]}
    conflicts = {tuple(c) for c in snapshot["conflicts"]}
    assert result["selected"]
    for pick in result["selected"]:
        target = targets[pick["target"]]
        assert len(pick["team"]) == len(set(pick["team"])) == snapshot["team_size"]
        for inspector_id in pick["team"]:
            inspector = inspectors[inspector_id]
            assert inspector["on_duty"]
            assert target["kind"] in inspector["qualifications"]
            assert inspector["jurisdiction"] == target["jurisdiction"]
            assert (inspector_id, target["company"]) not in conflicts
            assert inspector_id not in target["last_team"]


def test_workload_stays_within_one_in_each_pool() -> None:
    """Stated bound: within each (jurisdiction, qualification) pool, once the draw has levelled
    the loads at the freeze, final loads differ by at most 1 (conflicts and previous teams
    included)."""
    snapshot = small_snapshot(targets=20000, inspectors=200, conflicts=400, salt="workload")
    result = draw.publish(snapshot, SECRET)
    given = Counter(i for pick in result["selected"] for i in pick["team"])
    pools: dict[tuple[str, str], list[int]] = {}
    for inspector in snapshot["inspectors"]:
        if inspector["on_duty"]:
            final = inspector["load"] + given[inspector["id"]]
            for qualification in inspector["qualifications"]:
                pools.setdefault((inspector["jurisdiction"], qualification), []).append(final)
    assert all(max(loads) - min(loads) <= 1 for loads in pools.values())
    assert not any(given[i["id"]] for i in snapshot["inspectors"] if not i["on_duty"])


def test_the_least_loaded_go_first_and_ties_follow_the_seed() -> None:
    inspectors = [
        Inspector(f"i{n}", "j", ("ship",), True, load) for n, load in enumerate([3, 0, 0, 1])
    ]
    targets = [Target("t1", "ship", "j", "co", "very_high")]
    snapshot = draw.make_snapshot(
        draw_id="d",
        agency="a",
        frozen_at="x",
        model=small_snapshot(targets=1)["model"],
        team_size=2,
        targets=targets,
        inspectors=inspectors,
        conflicts=[],
    )
    result = draw.publish(snapshot, SECRET)
    assert sorted(result["selected"][0]["team"]) == ["i1", "i2"]
    orders = {tuple(draw.publish(snapshot, f"{n:064x}")["selected"][0]["team"]) for n in range(20)}
    assert orders == {("i1", "i2"), ("i2", "i1")}


def test_a_target_without_enough_eligible_inspectors_is_published_unstaffed() -> None:
    inspectors = [
        Inspector("i1", "j", ("ship",), True, 0),
        Inspector("i2", "j", ("ship",), False, 0),  # off duty
        Inspector("i3", "j", ("cargo",), True, 0),  # not qualified
        Inspector("i4", "k", ("ship",), True, 0),  # another jurisdiction
        Inspector("i5", "j", ("ship",), True, 0),  # conflicted with the company
        Inspector("i6", "j", ("ship",), True, 0),  # on the previous team
    ]
    targets = [Target("t1", "ship", "j", "co", "very_high", last_team=("i6",))]
    snapshot = draw.make_snapshot(
        draw_id="d",
        agency="a",
        frozen_at="x",
        model=small_snapshot(targets=1)["model"],
        team_size=2,
        targets=targets,
        inspectors=inspectors,
        conflicts=[("i5", "co")],
    )
    result = draw.publish(snapshot, SECRET)
    assert result["selected"] == []
    assert result["unstaffed"][0]["target"] == "t1"
    assert result["unstaffed"][0]["reason"] == "not_enough_eligible_inspectors"
    assert draw.verify(result, snapshot) == []


# ------------------------------------------------------------------ verification and tampering


@pytest.fixture(scope="module")
def published_draw() -> tuple[dict[str, Any], dict[str, Any]]:
    snapshot = small_snapshot(targets=3000, inspectors=80, conflicts=60, salt="tamper")
    return draw.publish(snapshot, SECRET), snapshot


def test_an_untouched_draw_verifies_as_identical(published_draw: Any) -> None:
    published, snapshot = published_draw
    assert draw.verify(published, snapshot) == []


def _first_selected(snapshot: dict[str, Any], published: dict[str, Any]) -> dict[str, Any]:
    wanted = published["selected"][0]["target"]
    return next(t for t in snapshot["targets"] if t["id"] == wanted)


def _tamper_level(snapshot: dict[str, Any], published: dict[str, Any]) -> None:
    low = next(t for t in snapshot["targets"] if t["level"] == "low")
    low["level"] = "very_high"


def _tamper_roster(snapshot: dict[str, Any], published: dict[str, Any]) -> None:
    member = published["selected"][0]["team"][0]
    next(i for i in snapshot["inspectors"] if i["id"] == member)["on_duty"] = False


def _tamper_load(snapshot: dict[str, Any], published: dict[str, Any]) -> None:
    member = published["selected"][0]["team"][0]
    next(i for i in snapshot["inspectors"] if i["id"] == member)["load"] += 5


def _tamper_conflict(snapshot: dict[str, Any], published: dict[str, Any]) -> None:
    pick = published["selected"][0]
    company = _first_selected(snapshot, published)["company"]
    snapshot["conflicts"].append([pick["team"][0], company])


def _tamper_rate(snapshot: dict[str, Any], published: dict[str, Any]) -> None:
    snapshot["model"]["levels"][0]["rate"] = "0.5"


@pytest.mark.parametrize(
    "tamper",
    [_tamper_level, _tamper_roster, _tamper_load, _tamper_conflict, _tamper_rate],
    ids=["level", "roster", "load", "conflict", "rate"],
)
def test_changing_the_snapshot_after_the_commitment_is_reported(
    published_draw: Any, tamper: Any
) -> None:
    published, snapshot = copy.deepcopy(published_draw)
    tamper(snapshot, published)
    differences = draw.verify(published, snapshot)
    assert differences[0].startswith("snapshot_hash: published ")
    assert len(differences) >= 2  # and what the change did to the draw


def test_a_roster_change_names_the_target_whose_team_changes(published_draw: Any) -> None:
    published, snapshot = copy.deepcopy(published_draw)
    _tamper_roster(snapshot, published)
    target = published["selected"][0]["target"]
    assert any(
        line.startswith(f"selected: target {target} team:")
        for line in draw.verify(published, snapshot)
    )


def test_another_secret_is_reported_against_the_commitment(published_draw: Any) -> None:
    published, snapshot = copy.deepcopy(published_draw)
    published["secret"] = "ff" * 32
    differences = draw.verify(published, snapshot)
    assert differences[0].startswith("commitment:")
    assert any(line.startswith("seed:") for line in differences)


def test_a_published_seed_that_does_not_follow_from_the_secret_is_reported(
    published_draw: Any,
) -> None:
    published, snapshot = copy.deepcopy(published_draw)
    published["seed"] = "00" * 32
    assert draw.verify(published, snapshot)[0].startswith("seed: published 0000")


@pytest.mark.parametrize("change", ["team", "drop", "add", "order"])
def test_an_edited_result_is_reported(published_draw: Any, change: str) -> None:
    published, snapshot = copy.deepcopy(published_draw)
    selected = published["selected"]
    if change == "team":
        selected[0]["team"] = ["i99999", *selected[0]["team"][1:]]
    elif change == "drop":
        selected.pop(3)
    elif change == "add":
        selected.append({"target": "t000000", "level": "low", "ticket": "0" * 16, "team": []})
    else:
        selected[0], selected[1] = selected[1], selected[0]
    differences = draw.verify(published, snapshot)
    assert differences, change
    assert any(line.startswith("selected:") for line in differences)
    assert differences[-1].startswith("result_hash:")


def test_a_named_beacon_without_a_value_is_reported() -> None:
    snapshot = small_snapshot(targets=50)
    snapshot["beacon"] = "lottery draw 2026-001"
    published = draw.publish(snapshot, SECRET, beacon="")
    assert any(line.startswith("beacon_value:") for line in draw.verify(published, snapshot))
    published = draw.publish(snapshot, SECRET, beacon="07 12 19 23 31 33 + 05")
    assert draw.verify(published, snapshot) == []
