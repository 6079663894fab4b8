"""`Settings`: read from the environment once, validated, a clear error naming the variable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement import config


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    config.settings.cache_clear()
    yield
    monkeypatch.undo()
    config.settings.cache_clear()


def test_defaults_are_the_production_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REMOTE_TASK_WINDOW_SECONDS", "FACE_MATCH_THRESHOLD", "DUTY_UTC_OFFSET"):
        monkeypatch.delenv(name, raising=False)
    cfg = config.settings()
    assert cfg.remote_task_window_seconds == 7200
    assert cfg.face_match_threshold == 0.5
    assert cfg.duty_utc_offset == "+08:00"


def test_each_field_is_read_from_its_upper_case_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMOTE_TASK_WINDOW_SECONDS", "60")
    monkeypatch.setenv("DISPATCH_PUBLIC_NAMES", "full")
    monkeypatch.setenv("AWS_REGION", "cn-northwest-1")
    cfg = config.settings()
    assert (cfg.remote_task_window_seconds, cfg.dispatch_public_names) == (60, "full")
    assert cfg.region == "cn-northwest-1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMOTE_TASK_WINDOW_SECONDS", "two hours"),
        ("REMOTE_TASK_WINDOW_SECONDS", "-5"),
        ("FACE_MATCH_THRESHOLD", "0"),
        ("EVIDENCE_LOCK_MODE", "NONE"),
        ("DUTY_UTC_OFFSET", "8"),
        ("DISPATCH_PUBLIC_NAMES", "everything"),
    ],
)
def test_a_wrong_value_stops_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(config.SettingsError, match=name):
        config.settings()


def test_settings_are_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = config.settings()
    monkeypatch.setenv("REMOTE_TASK_WINDOW_SECONDS", "61")
    assert config.settings() is first
