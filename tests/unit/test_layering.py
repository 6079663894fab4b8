"""The layering rule, read from the imports themselves: a capability package imports only the
common layer and `face`, never another capability; the common layer imports no capability.

A capability is a sub-package of `enforcement` with routes (`api.py`); every other module of the
package (top-level modules, `face`) is the common layer. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "enforcement"


def capabilities(root: Path = PACKAGE) -> set[str]:
    return {p.parent.name for p in root.glob("*/api.py")}


def imported(path: Path, root: Path) -> set[str]:
    """Every `enforcement.<x>` module a file imports, absolute or relative, as `<x>`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's own package
                base = path.relative_to(root.parent).with_suffix("").parts[: -node.level]
                module = ".".join([*base, node.module] if node.module else base)
                names = [module] + [f"{module}.{a.name}" for a in node.names]
            else:
                module = node.module or ""
                names = [module] + [f"{module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == root.name and len(parts) > 1:
                found.add(parts[1])
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    caps = capabilities(root)
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        owner = rel.parts[0] if len(rel.parts) > 1 and rel.parts[0] in caps else None
        for target in sorted(imported(path, root) & caps):
            if target != owner:
                where = f"capability {owner}" if owner else "the common layer"
                found.append(f"{rel} ({where}) imports enforcement.{target}")
    return found


def test_the_package_has_the_capabilities_it_is_known_for() -> None:
    assert {"checkin", "dispatch", "duty"} <= capabilities()


def test_no_capability_imports_another_and_the_common_layer_imports_none() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("alpha/x.py", "from enforcement.beta import rules\n", "alpha/x.py (capability alpha)"),
        ("alpha/y.py", "def f():\n    import enforcement.beta.api\n", "alpha/y.py (capability"),
        ("beta/z.py", "from ..alpha import service\n", "beta/z.py (capability beta)"),
        ("shared.py", "from enforcement import alpha\n", "shared.py (the common layer)"),
    ],
)
def test_the_rule_catches_each_kind_of_crossing(
    tmp_path: Path, path: str, text: str, expected: str
) -> None:
    """The check itself can fail: a fake package with one crossing of each kind."""
    root = tmp_path / "enforcement"
    for capability in ("alpha", "beta"):
        (root / capability).mkdir(parents=True)
        (root / capability / "__init__.py").write_text("")
        (root / capability / "api.py").write_text("from enforcement import http\n")
    (root / "face").mkdir()
    (root / "face" / "engine.py").write_text("from enforcement import config\n")
    allowed = "from enforcement.face import engine\nfrom . import api\n"
    (root / "alpha" / "ok.py").write_text(allowed)
    target = root / path
    target.write_text(text)
    found = violations(root)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found
