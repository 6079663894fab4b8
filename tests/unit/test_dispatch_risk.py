"""Risk models as data: the shipped ship model, exact scores and levels, refused models."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from enforcement.dispatch import risk

DOCUMENT = risk.ship_model_document()
MODEL = risk.parse_model(DOCUMENT)


def test_the_ship_model_has_weighted_categories_and_four_levels() -> None:
    assert MODEL.model_id == "ship-risk"
    assert MODEL.target_kind == "ship"
    assert len(MODEL.categories) == 10
    assert MODEL.indicator_count == 37
    assert [lv.level for lv in MODEL.levels] == ["low", "medium", "high", "very_high"]
    assert MODEL.rates()["very_high"] == 1
    everything = {code: 1 for code in MODEL.indicator_codes}
    assert MODEL.score(everything).score == 100  # the weights add up to a 0-100 scale


def test_the_shape_allows_the_source_systems_39_categories_and_154_indicators() -> None:
    document: dict[str, Any] = {
        "model_id": "ship-full",
        "categories": [
            {
                "code": f"C{c:02d}",
                "weight": "1",
                "indicators": [
                    {"code": f"C{c:02d}.{i:02d}", "weight": "0.5"}
                    for i in range(4 if c < 37 else 3)
                ],
            }
            for c in range(39)
        ],
        "levels": DOCUMENT["levels"],
    }
    model = risk.parse_model(document)
    assert (len(model.categories), model.indicator_count) == (39, 154)


def test_scores_are_exact_and_levels_follow_the_thresholds() -> None:
    # C04 weight 1.0: detained (4) → 4; C01 weight 1.5: age over 15 (3) x 0.5 → 2.25
    score = MODEL.score({"C04.01": 1, "C01.01": "0.5"})
    assert score.score == Fraction("6.25")
    assert score.level == "low"
    assert score.as_dict() == {"score": "6.25", "level": "low", "rate": "0.03"}
    # exactly on a threshold belongs to the level above: 1.5 x 10 = 15
    at = MODEL.score({c: 1 for c in ("C01.01", "C01.02", "C01.03", "C01.04")})
    assert at.score == 15
    assert at.level == "medium"
    assert MODEL.score({}).level == "low"
    flagged = {c: 1 for c in MODEL.indicator_codes if c[:3] in ("C02", "C03", "C04", "C05", "C10")}
    assert MODEL.score(flagged).level == "very_high"
    assert MODEL.score({"C05.02": Decimal("0.3")}).score == Fraction("0.75")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"C99.01": 1}, "not in model"),
        ({"C01.01": 2}, "outside [0, 1]"),
        ({"C01.01": 0.5}, "not 0.5"),
        ({"C01.01": "1/2"}, "not a decimal"),
        ({"C01.01": "NaN"}, "not a decimal"),
    ],
)
def test_bad_indicator_values_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(risk.ModelError, match=message.replace("[", r"\[").replace("]", r"\]")):
        MODEL.score(values)


def _broken(path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    if path == "levels.order":
        document["levels"] = list(reversed(document["levels"]))
    elif path == "levels.rate":
        document["levels"][1]["rate"] = value
    elif path == "levels.first":
        document["levels"][0]["min_score"] = value
    elif path == "indicator.duplicate":
        document["categories"][1]["indicators"].append(document["categories"][0]["indicators"][0])
    elif path == "categories":
        document["categories"] = value
    return document


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("levels.order", None),
        ("levels.rate", "1.5"),
        ("levels.rate", 0.1),
        ("levels.first", "5"),
        ("indicator.duplicate", None),
        ("categories", []),
    ],
)
def test_broken_models_are_refused(path: str, value: Any) -> None:
    with pytest.raises(risk.ModelError):
        risk.parse_model(_broken(path, value))


def test_the_model_hash_is_canonical() -> None:
    reordered = dict(reversed(list(DOCUMENT.items())))
    assert risk.parse_model(reordered).hash == MODEL.hash
    assert risk.parse_model(_broken("levels.rate", "0.2")).hash != MODEL.hash
