"""Risk models as data, and the score and level of a target under a model version.

A model has categories of weighted indicators and an ordered list of levels, each with the
lowest score that reaches it and the rate at which its targets are drawn. A target carries
indicator values in [0, 1] (a flag is 0 or 1; a degree is a fraction); its score is

    score = Σ over categories  category.weight * Σ over indicators  indicator.weight * value

Everything is exact (weights, values, thresholds and rates are decimals read as fractions), so
the level of a target is the same on every machine. No floats anywhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from enforcement.documents import DocumentError
from enforcement.documents import canonical_bytes as canonical_bytes
from enforcement.documents import strict_loads as strict_loads

#: The example model shipped with the code: ships, as maritime safety administrations score them.
SHIP_MODEL_PATH = Path(__file__).with_name("ship_risk_model.json")


#: A risk model, an indicator value or a published document that does not make sense.
ModelError = DocumentError


def exact(value: Any, what: str) -> Fraction:
    """A decimal number (int, Decimal or a decimal string like "0.05") as an exact fraction."""
    if isinstance(value, bool | float):
        raise ModelError(f"{what}: use a decimal string or an integer, not {value!r}")
    try:
        if isinstance(value, Fraction | int):
            return Fraction(value)
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ModelError(f"{what}: {value} is not a finite number")
            return Fraction(value)
        text = str(value).strip()
        Decimal(text)  # refuses "1/3", "nan", "inf" and other non-decimals
        result = Fraction(text)
    except (InvalidOperation, ValueError, ZeroDivisionError) as exc:
        raise ModelError(f"{what}: {value!r} is not a decimal number") from exc
    return result


def decimal_text(value: Fraction, places: int = 4) -> str:
    """A fraction shown as a decimal string, rounded half-even to `places` (for display only)."""
    quantum = Decimal(1).scaleb(-places)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum)
    return format(shown.normalize() if shown != 0 else Decimal(0), "f")


def rate_text(rate: Fraction) -> str:
    """A rate read from a decimal string, written back exactly ("0.03", "1")."""
    text = decimal_text(rate, places=12)
    if Fraction(text) != rate:
        raise ModelError(f"rate {rate} is not a decimal of at most 12 places")
    return text


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: Fraction


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    weight: Fraction
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Level:
    """Targets whose score is at least `min_score` (and below the next level's) are drawn at
    `rate`."""

    level: str
    min_score: Fraction
    rate: Fraction


@dataclass(frozen=True)
class Score:
    score: Fraction
    level: str
    rate: Fraction

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": decimal_text(self.score),
            "level": self.level,
            "rate": rate_text(self.rate),
        }


@dataclass(frozen=True)
class RiskModel:
    model_id: str
    name: str
    target_kind: str
    categories: tuple[Category, ...]
    levels: tuple[Level, ...]
    document: Mapping[str, Any]

    @property
    def indicator_count(self) -> int:
        return sum(len(c.indicators) for c in self.categories)

    @property
    def indicator_codes(self) -> frozenset[str]:
        return frozenset(i.code for c in self.categories for i in c.indicators)

    @property
    def hash(self) -> str:
        """SHA-256 of the model document in canonical JSON: what a draw names as its model."""
        return hashlib.sha256(canonical_bytes(self.document)).hexdigest()

    def level_of(self, score: Fraction) -> Level:
        found = self.levels[0]
        for level in self.levels:
            if score >= level.min_score:
                found = level
        return found

    def score(self, values: Mapping[str, Any]) -> Score:
        """The exact score and level of a target with these indicator values.

        Unknown indicator codes are refused (a typo must not silently lower a score); missing
        ones count as 0.
        """
        unknown = sorted(set(values) - self.indicator_codes)
        if unknown:
            raise ModelError(f"indicators not in model {self.model_id}: {', '.join(unknown[:5])}")
        total = Fraction(0)
        for category in self.categories:
            subtotal = Fraction(0)
            for indicator in category.indicators:
                if indicator.code not in values:
                    continue
                value = exact(values[indicator.code], f"indicator {indicator.code}")
                if not 0 <= value <= 1:
                    raise ModelError(f"indicator {indicator.code}: {value} is outside [0, 1]")
                subtotal += indicator.weight * value
            total += category.weight * subtotal
        level = self.level_of(total)
        return Score(total, level.level, level.rate)

    def rates(self) -> dict[str, Fraction]:
        return {level.level: level.rate for level in self.levels}


def _code(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 64:
        raise ModelError(f"{what}: a code of 1-64 characters is needed")
    return text


def parse_model(document: Mapping[str, Any]) -> RiskModel:
    """Check a model document and read it (weights and rates as exact fractions)."""
    model_id = _code(document.get("model_id"), "model_id")
    categories: list[Category] = []
    seen: set[str] = set()
    for raw in document.get("categories") or []:
        code = _code(raw.get("code"), "category code")
        indicators = []
        for item in raw.get("indicators") or []:
            icode = _code(item.get("code"), f"indicator code in {code}")
            if icode in seen:
                raise ModelError(f"indicator {icode} appears twice")
            seen.add(icode)
            weight = exact(item.get("weight"), f"weight of {icode}")
            if weight < 0:
                raise ModelError(f"weight of {icode} is negative")
            indicators.append(Indicator(icode, str(item.get("name", "")), weight))
        if not indicators:
            raise ModelError(f"category {code} has no indicators")
        weight = exact(raw.get("weight", "1"), f"weight of category {code}")
        if weight < 0:
            raise ModelError(f"weight of category {code} is negative")
        categories.append(Category(code, str(raw.get("name", "")), weight, tuple(indicators)))
    if not categories:
        raise ModelError("a model needs at least one category")
    if len({c.code for c in categories}) != len(categories):
        raise ModelError("category codes must be unique")
    levels = []
    for raw in document.get("levels") or []:
        name = _code(raw.get("level"), "level")
        rate = exact(raw.get("rate"), f"rate of level {name}")
        if not 0 <= rate <= 1:
            raise ModelError(f"rate of level {name} must be within [0, 1]")
        levels.append(Level(name, exact(raw.get("min_score"), f"min_score of {name}"), rate))
    if not levels:
        raise ModelError("a model needs at least one level")
    if levels[0].min_score != 0:
        raise ModelError("the first level must start at score 0")
    if any(b.min_score <= a.min_score for a, b in pairwise(levels)):
        raise ModelError("levels must be in ascending order of min_score")
    if len({lv.level for lv in levels}) != len(levels):
        raise ModelError("level names must be unique")
    return RiskModel(
        model_id=model_id,
        name=str(document.get("name", model_id)),
        target_kind=_code(document.get("target_kind", "ship"), "target_kind"),
        categories=tuple(categories),
        levels=tuple(levels),
        document=dict(document),
    )


def ship_model_document() -> dict[str, Any]:
    """The example ship risk model (a dict, ready to be stored as version 1)."""
    document: dict[str, Any] = json.loads(SHIP_MODEL_PATH.read_text(encoding="utf-8"))
    return document
