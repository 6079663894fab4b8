"""The face function's cold start loads only what a check-in's decision needs.

A fresh interpreter imports the handler (`functions/face/app.py`, as Lambda's init does: the
models loaded, the clients made) and lists the modules it loaded. The modules named here are
used only on rare branches (a review, an enrolment, a token) or by other functions; each one
back on the import path costs the face container's cold start tens of milliseconds
(docs/benchmarks.md, "Cost of a check-in").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Loaded by the face function only where they are used, never at its import.
NOT_AT_IMPORT = {
    # session tokens: signed and checked by the API functions only
    "jwt": "enforcement.auth imports it where tokens are signed or checked",
    "aws_lambda_powertools.utilities.parameters": "enforcement.auth reads the secret lazily",
    # Settings is a pydantic model that reads the environment itself (enforcement.config)
    "pydantic_settings": "~0.1 s of imports for one model",
    # the clients are botocore's, of one session (enforcement.clients)
    "boto3": "resources and the transfer manager: ~40 ms of imports",
    "s3transfer": "boto3's transfer manager",
    # request and response models of the API
    "enforcement.schemas": "request models (pydantic) of the API functions",
    "enforcement.checkin.schemas": "check-in request models",
    "enforcement.checkin.crew_schemas": "crew request models (crew.py: type checking only)",
    "enforcement.checkin.verdicts": "API response models",
    # rare branches of a decision
    "enforcement.checkin.check_reviews": "only a decision that opens a review",
    "enforcement.checkin.enrolment": "only an enrolment photo",
    "enforcement.face.index": "the 1:N index: only an enrolment photo",
}

#: What the decision itself needs: loaded, or the test proves nothing.
AT_IMPORT = {"enforcement.checkin.decisions", "enforcement.face.engine", "dlib", "numpy"}

LIST_MODULES = """
import gc, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from botocore.session import Session
sessions = sum(isinstance(o, Session) for o in gc.get_objects())
print(json.dumps({"modules": sorted(sys.modules), "sessions": sessions}))
"""


@pytest.fixture(scope="module")
def init() -> dict[str, Any]:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, "-c", LIST_MODULES, str(ROOT / "functions" / "face" / "app.py")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def loaded(init: dict[str, Any]) -> set[str]:
    return set(init["modules"])


def test_the_clients_made_at_init_share_one_botocore_session(init: dict[str, Any]) -> None:
    """DynamoDB, S3 and SNS: a further session would read botocore's endpoint data again."""
    assert init["sessions"] == 1


def test_the_decision_path_is_loaded_at_import(loaded: set[str]) -> None:
    assert not AT_IMPORT - loaded, AT_IMPORT - loaded


@pytest.mark.parametrize("module", sorted(NOT_AT_IMPORT))
def test_modules_of_other_paths_are_not_loaded_at_import(loaded: set[str], module: str) -> None:
    why = NOT_AT_IMPORT[module]
    assert module not in loaded, f"{module} is imported at the face function's init: {why}"
