"""The tests' memo of face templates (tests/face_templates.py) answers only what the engine
answered for the same bytes and configuration, and never keeps a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from enforcement.face.engine import EngineConfig, FaceError

from tests.face_templates import KeptTemplates


class Engine:
    """An encode that counts its calls, refuses b"none" and answers a new object otherwise."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes, config: EngineConfig | None = None) -> Any:
        self.calls += 1
        if data == b"none":
            raise FaceError("no_face", "no face was found in the photo")
        return object()


def test_the_same_bytes_and_configuration_run_the_engine_once() -> None:
    engine = Engine()
    memo = KeptTemplates(engine)
    first = memo(b"photo", EngineConfig())
    assert memo(b"photo", EngineConfig()) is first
    assert engine.calls == 1
    assert (memo.computed, memo.kept) == (1, 1)


def test_other_bytes_another_configuration_or_none_run_the_engine() -> None:
    engine = Engine()
    memo = KeptTemplates(engine)
    first = memo(b"photo", EngineConfig())
    assert memo(b"photo2", EngineConfig()) is not first
    assert memo(b"photo", EngineConfig(num_jitters=2)) is not first
    assert memo(b"photo", None) is not first
    assert memo(b"photo", None) is not first  # the deployment's configuration is never kept
    assert engine.calls == 5


def test_a_refusal_is_never_kept() -> None:
    engine = Engine()
    memo = KeptTemplates(engine)
    for _ in range(2):
        with pytest.raises(FaceError):
            memo(b"none", EngineConfig())
    assert engine.calls == 2
