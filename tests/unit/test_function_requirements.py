"""The XLSForm compiler (pyxform) and openpyxl are the remote survey function's own requirements
(`functions/remote_survey/requirements.txt`), not the shared layer's: every other function's
handler imports without them, and the check-in function renders and checks its crew health
report (a compiled form) without them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from enforcement.remote_survey import export

ROOT = Path(__file__).resolve().parents[2]
#: Both modules made unimportable, as in a function package built without them.
BLOCKED = "import sys; sys.modules['pyxform'] = None; sys.modules['openpyxl'] = None\n"


def requirement_names(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {re.split(r"[=<>\[]", line)[0].lower() for line in lines if line[:1].isalpha()}


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED + code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_only_the_remote_survey_function_requires_pyxform_and_openpyxl() -> None:
    assert {"pyxform", "openpyxl"} <= requirement_names(
        ROOT / "functions" / "remote_survey" / "requirements.txt"
    )
    assert not {"pyxform", "openpyxl"} & requirement_names(
        ROOT / "layers" / "common" / "requirements.txt"
    )


def test_every_other_function_imports_without_them() -> None:
    handlers = sorted(
        path
        for path in (ROOT / "functions").glob("*/*.py")
        if path.parent.name not in ("remote_survey", "face")
    )
    assert len(handlers) >= 10
    code = "import importlib.util\n"
    for n, path in enumerate(handlers):
        code += (
            f"spec = importlib.util.spec_from_file_location('handler_{n}', {str(path)!r})\n"
            "module = importlib.util.module_from_spec(spec)\n"
            f"sys.path.insert(0, {str(path.parent)!r})\n"
            "spec.loader.exec_module(module)\n"
            "assert callable(getattr(module, 'lambda_handler', None) or "
            "getattr(module, 'certificate_reminder_handler', None))\n"
            "sys.path.pop(0)\n"
        )
    code += "print('imported')\n"
    assert run(code).strip() == "imported"


def test_the_check_in_function_checks_its_health_report_without_them() -> None:
    out = run(
        "from enforcement.checkin import health_form\n"
        "print(health_form.check({'symptoms': ['none']}, None))\n"
    )
    assert out.strip()


def test_the_exports_cell_rule_drops_what_openpyxl_refuses() -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert export.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
    every = "x" + "".join(chr(c) for c in range(0x80))  # (a tab first is a formula start)
    assert export.safe_cell(every) == ILLEGAL_CHARACTERS_RE.sub("", every)
