"""The dispatch sample events under events/ are what the handlers accept (no AWS needed)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.events import event, handler_module


def test_the_draw_step_event_parses_and_a_wrong_one_does_not() -> None:
    module = handler_module("functions/dispatch/draw_steps.py")
    step = module.DrawStep.model_validate(event("dispatch_draw_step_select"))
    assert (step.action, step.draw_id) == ("select", "draw-0123456789abcdef")
    assert step.agency == "msa"  # as the state machine hands it on from the freeze
    assert (
        module.DrawStep.model_validate({"action": "reveal", "draw_id": step.draw_id}).agency is None
    )
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


def test_the_evidence_event_names_a_hazard_photo_delivery() -> None:
    from aws_lambda_powertools.utilities.data_classes import S3Event
    from enforcement import evidence, uploads

    [delivery] = uploads.deliveries(S3Event(event("duty_hazard_photo_uploaded")).records)
    assert delivery["key"].startswith(f"{evidence.PREFIX}hazard/hz-")
    assert delivery["sequencer"] == "0067A1B2C3D4E5F702"
    assert delivery["bucket"].startswith("enforcement-uploads-")


def test_the_duty_schedule_fires_at_0530_beijing_time() -> None:
    """The template's cron (UTC) is 05:30 in Beijing, and the sample event is one of its firings."""
    import re
    from datetime import datetime, timedelta, timezone

    from tests.events import ROOT

    template = (ROOT / "template.yaml").read_text()
    block = template[template.index("  DutyScheduleFunction:") :]
    minute, hour = re.search(r"cron\((\d+) (\d+) ", block).groups()  # type: ignore[union-attr]
    fired = datetime.fromisoformat(event("duty_schedule")["time"].replace("Z", "+00:00"))
    assert (fired.hour, fired.minute) == (int(hour), int(minute))
    local = fired.astimezone(timezone(timedelta(hours=8)))
    assert (local.hour, local.minute) == (5, 30)
