"""Helpers for tests of the sample events under events/ and of handlers loaded from their files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def event(name: str) -> dict[str, Any]:
    """The sample event events/<name>.json."""
    return json.loads((ROOT / "events" / f"{name}.json").read_text())


def handler_module(relative: str) -> ModuleType:
    """A handler module loaded from its file, as Lambda loads it (several are named app.py)."""
    spec = importlib.util.spec_from_file_location(f"sample_{Path(relative).stem}", ROOT / relative)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
