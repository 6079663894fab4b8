"""One local time for every capability: `LOCAL_UTC_OFFSET` (`Settings.local_utc_offset`, template
parameter LocalUtcOffset) decides the duty rota's today, the ports' today (what `today()` means
in a form) and the late-flight schedule's days alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from enforcement import clock, config
from enforcement.duty import tasks
from enforcement.remote_survey import declarations, late_flights
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
#: 23:30 UTC on the 22nd: already the 23rd in Beijing, still the 22nd in New York.
MOMENT = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_settings() -> object:
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


@pytest.mark.parametrize(("offset", "day"), [("+08:00", "2026-11-23"), ("-05:00", "2026-11-22")])
def test_duty_and_the_survey_read_one_local_time(
    monkeypatch: pytest.MonkeyPatch, offset: str, day: str
) -> None:
    monkeypatch.setattr(clock, "now", lambda: MOMENT)
    monkeypatch.setenv("LOCAL_UTC_OFFSET", offset)
    assert clock.local_date().isoformat() == day
    assert tasks.local_today() == day
    assert declarations.port_today().isoformat() == day
    assert late_flights.days_in_process(MOMENT)[0] == day


def test_the_template_has_one_local_time() -> None:
    template = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    offsets = [name for name in template["Parameters"] if "UtcOffset" in name]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert offsets == ["LocalUtcOffset"]
    assert [v for v in variables if v.endswith("UTC_OFFSET")] == ["LOCAL_UTC_OFFSET"]
    assert [f for f in config.Settings.model_fields if f.endswith("utc_offset")] == [
        "local_utc_offset"
    ]


def test_a_wrong_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="not ±HH:MM"):
        clock.utc_offset("8")
