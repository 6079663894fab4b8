"""The rule → module:function table of docs/architecture.md names code that exists, and the
settings it names are settings: the one-page map stays true as code moves."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from enforcement.config import Settings

TABLE = Path(__file__).parents[2] / "docs" / "architecture.md"
#: `checkin/rules:location_check`, then `, `certificate_check`` names in the same module
REFERENCE = re.compile(
    r"`([a-z_]+(?:/[a-z_]+)*):([A-Za-z_][\w.]*)`"  # module:name
    r"((?:,? (?:and )?`[A-Za-z_][\w.]*`)*)"  # further names of the same module
)


def _rows() -> list[list[str]]:
    text = TABLE.read_text(encoding="utf-8")
    section = text.split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return [row for row in rows[2:] if len(row) >= 3]


def _names(row: list[str]) -> list[tuple[str, str]]:
    found = []
    for cell in row[:2]:
        for match in REFERENCE.finditer(cell):
            module = match[1]
            found.append((module, match[2]))
            found += [(module, name) for name in re.findall(r"`([A-Za-z_][\w.]*)`", match[3])]
    return found


def test_every_module_function_the_table_names_exists() -> None:
    named = [name for row in _rows() for name in _names(row)]
    assert len(named) > 60
    missing = []
    for module, name in named:
        try:
            target: object = importlib.import_module(f"enforcement.{module.replace('/', '.')}")
        except ModuleNotFoundError:
            missing.append(f"{module} (no such module)")
            continue
        for part in name.split("."):
            if not hasattr(target, part):
                missing.append(f"{module}:{name}")
                break
            target = getattr(target, part)
    assert not missing, missing


def test_every_setting_the_table_names_is_a_setting() -> None:
    fields = set(Settings.model_fields)
    named = set()
    for row in _rows():
        named |= {n for n in re.findall(r"`([a-z][a-z0-9_]+)`", row[-1]) if "_" in n}
    assert len(named) > 10
    assert not sorted(named - fields)
