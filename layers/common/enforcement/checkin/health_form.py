"""The crew health report as a form of the form engine (`enforcement.forms`).

`forms/crew_health_report.json` is the XLSForm (Chinese and English); the compiled definition
beside it (`crew_health_report.compiled.json`) is what the function loads, so reporting needs
no XLSForm compiler at run time. `tests/unit/test_crew_health_form.py` recompiles the XLSForm
and fails when the two differ: after changing the XLSForm, run
`python -m enforcement.checkin.health_form` to write the compiled definition again.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from enforcement import forms

SOURCE = Path(__file__).with_name("forms") / "crew_health_report.json"
COMPILED = Path(__file__).with_name("forms") / "crew_health_report.compiled.json"


@functools.cache
def form() -> forms.FormDefinition:
    return forms.FormDefinition.from_json(COMPILED.read_bytes())


def symptom_codes() -> tuple[str, ...]:
    """The symptom answers the report accepts, in the form's order."""
    return tuple(choice.name for choice in form().choice_lists["symptoms"])


def compile_source() -> bytes:
    return forms.publish(json.loads(SOURCE.read_text(encoding="utf-8"))).to_json()


def check(answers: dict[str, Any], lang: str | None) -> forms.CheckResult:
    """The report's answers checked by the form: every problem at once, in `lang` (the form's
    default language when not given)."""
    definition = form()
    return forms.check(definition, answers, lang or definition.default_language)


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    COMPILED.write_bytes(compile_source())
    print(f"wrote {COMPILED}")
