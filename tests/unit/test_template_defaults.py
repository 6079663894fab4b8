"""One definition per setting: a template parameter that feeds a setting defaults to the
setting's own default, so the deployed stack, the local stack and the code agree without the
value being written down twice by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from enforcement.checkin import schemas
from enforcement.config import Settings
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def fed_settings(template: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """setting name → (parameter, its default) for every `VARIABLE: !Ref Parameter` of the
    functions' global environment whose variable is a `Settings` field."""
    parameters = template.get("Parameters") or {}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    fed = {}
    for variable, value in variables.items():
        name = variable.lower()
        if name not in Settings.model_fields or not isinstance(value, dict):
            continue
        parameter = value.get("Ref")
        if parameter in parameters and "Default" in parameters[parameter]:
            fed[name] = (parameter, parameters[parameter]["Default"])
    return fed


def mismatches(template: dict[str, Any]) -> list[str]:
    found = []
    for name, (parameter, default) in sorted(fed_settings(template).items()):
        own = Settings.model_fields[name].default
        if type(own)(default) != own:
            found.append(f"{parameter} defaults to {default!r}, Settings.{name} to {own!r}")
    return found


def test_the_template_defaults_are_the_settings_defaults() -> None:
    template = yaml_parse(TEMPLATE.read_text())
    fed = fed_settings(template)
    assert {"remote_task_window_seconds", "face_match_threshold"} <= set(fed)
    assert mismatches(template) == []


def test_a_template_default_that_differs_is_found() -> None:
    template = yaml_parse(TEMPLATE.read_text())
    template["Parameters"]["RemoteTaskWindowSeconds"]["Default"] = 3600
    assert mismatches(template) == [
        "RemoteTaskWindowSeconds defaults to 3600, Settings.remote_task_window_seconds to 7200"
    ]


@pytest.mark.parametrize("seconds", [7200, 5400, 90])
def test_the_task_window_is_described_from_the_setting(seconds: int) -> None:
    description = schemas.window_description(seconds)
    assert description.startswith("default: the configured window")
    assert str(seconds) in description


def test_the_published_description_is_the_settings_default() -> None:
    field = schemas.TaskIn.model_fields["window_seconds"]
    default = Settings.model_fields["remote_task_window_seconds"].default
    assert field.description == schemas.window_description(default)
    assert "2 h" in (field.description or "")
