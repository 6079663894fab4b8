"""The dispatch sample events under events/ are what the handlers accept (no AWS needed)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def event(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "events" / f"{name}.json").read_text())


def handler_module(relative: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"sample_{Path(relative).stem}", ROOT / relative)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_draw_step_event_parses_and_a_wrong_one_does_not() -> None:
    module = handler_module("functions/dispatch/draw_steps.py")
    step = module.DrawStep.model_validate(event("dispatch_draw_step_select"))
    assert (step.action, step.draw_id) == ("select", "draw-0123456789abcdef")
    with pytest.raises(ValidationError):
        module.DrawStep.model_validate({"action": "draw-twice", "draw_id": step.draw_id})
    with pytest.raises(ValidationError):
        module.DrawStep.model_validate({"action": "select", "draw_id": "../etc"})


def test_the_schedule_event_names_its_time() -> None:
    assert event("dispatch_schedule")["time"] == "2026-03-01T01:00:00Z"


def test_the_public_verify_event_is_a_route_of_the_dispatch_api() -> None:
    module = handler_module("functions/dispatch/app.py")
    routes = {(r.method, r.path) for r in module.app._static_routes + module.app._dynamic_routes}
    assert any(
        method == "GET" and path == "/public/draws/<draw_id>/verify" for method, path in routes
    )
    assert event("dispatch_public_verify")["resource"] == "/public/{proxy+}"
