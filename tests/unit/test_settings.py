"""`Settings`: read from the environment once, validated, a clear error naming the variable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement import config
from pydantic import ValidationError


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    config.settings.cache_clear()
    yield
    monkeypatch.undo()
    config.settings.cache_clear()


def test_defaults_are_the_production_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REMOTE_TASK_WINDOW_SECONDS", "FACE_MATCH_THRESHOLD", "LOCAL_UTC_OFFSET"):
        monkeypatch.delenv(name, raising=False)
    cfg = config.settings()
    assert cfg.remote_task_window_seconds == 7200
    assert cfg.face_match_threshold == 0.5
    assert cfg.local_utc_offset == "+08:00"


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
        ("LOCAL_UTC_OFFSET", "8"),
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


def _as_pydantic_settings_reads() -> config.Settings:
    """`Settings` validated from what pydantic-settings' own environment source finds for it
    (with the options Settings had as a `BaseSettings`: no prefix, case-insensitive)."""
    from pydantic_settings import EnvSettingsSource

    found = EnvSettingsSource(config.Settings, case_sensitive=False)()  # type: ignore[arg-type]
    return config.Settings.model_validate(found)


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"UPLOAD_BUCKET": "b1", "face_max_side": "640", "Token_TTL_Seconds": "60"},
        {"AWS_REGION": "cn-northwest-1", "AWS_DEFAULT_REGION": "cn-north-1"},
        {"AWS_DEFAULT_REGION": "cn-northwest-1"},
        {"AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_DYNAMODB": "http://b:2"},
        {"AWS_ENDPOINT_URL": "http://a:1"},
        {"FACE_DETECTION_MODEL": " CNN ", "NOTIFICATIONS_TOPIC_ARN": "", "REGION": "ignored"},
        {"GPS_MAX_ACCURACY_M": "12.5", "DISPATCH_PUBLIC_NAMES": "none", "UNRELATED": "x"},
    ],
)
def test_the_environment_is_read_as_pydantic_settings_reads_it(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "FACE_MAX_SIDE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    ours = config.Settings()
    assert ours == _as_pydantic_settings_reads()
    for name, value in variables.items():  # and each variable did reach its field
        field = config.Settings.model_fields.get(name.lower())
        if field is not None and field.validation_alias is None and name != "FACE_DETECTION_MODEL":
            assert str(getattr(ours, name.lower())) == value


@pytest.mark.parametrize(
    ("name", "value"),
    [("FACE_MAX_SIDE", "big"), ("token_ttl_seconds", "-1"), ("LOCAL_UTC_OFFSET", "8")],
)
def test_a_wrong_value_fails_as_pydantic_settings_fails(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    failures = []
    for read in (config.Settings, _as_pydantic_settings_reads):
        with pytest.raises(ValidationError) as caught:
            read()
        failures.append([(e["loc"], e["type"]) for e in caught.value.errors()])
    assert failures[0] == failures[1]
