"""One health model for every capability: the fever rule and what makes a health answer
abnormal. A crew member's health report (check-in) and a traveller's arrival declaration
(remote survey) are forms of the one form engine (`enforcement.forms`); what their answers mean
for health is decided here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

#: The answer that says there is no symptom (both forms' symptom lists have it).
NO_SYMPTOM = "none"


def is_fever(temperature_c: float | Decimal | None, threshold_c: float) -> bool:
    """A measured temperature at or above the threshold (`Settings.fever_threshold_c`, 37.3 °C
    by default) is a fever; no measurement is none."""
    return temperature_c is not None and Decimal(str(temperature_c)) >= Decimal(str(threshold_c))


def symptoms_of(answer: Sequence[str]) -> list[str]:
    """The symptoms a symptom answer names (`none` is not one)."""
    return [s for s in answer if s != NO_SYMPTOM]


def assess(symptoms: Sequence[str], temperature_c: float | None, fever_c: float) -> list[str]:
    """Why a health answer is abnormal (empty when it is not): any symptom, or a fever."""
    reasons = [f"symptom:{s}" for s in symptoms_of(symptoms)]
    if temperature_c is not None and is_fever(temperature_c, fever_c):
        reasons.append(f"temperature:{temperature_c:.1f}")
    return reasons
