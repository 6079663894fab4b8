"""The face engine's templates of photo bytes, computed once per test process.

`enforcement.face.engine.encode(data, config)` is a pure function of the bytes and the engine's
configuration, and the same photographs go through it again and again: the check-in's S3 handler
(`checkin/decisions.py` calls `engine.encode`) in the face check's, enrolment's and decisions'
unit tests and in the walk-throughs on the local stack, each encode about 0.2 s of CPU (detection
and the descriptor). `kept_templates()` puts a memo in front of `engine.encode` for the callers
that look it up on the module: the first call with given bytes and configuration runs the
engine, a later one answers the template that call made (the same object: templates are frozen).
Refusals (FaceError) are not kept: they run the engine every time. A call without a
configuration (the deployment's, read from the environment) is not kept either.

The engine's own tests import `encode` by name and so always run the engine itself.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from enforcement.face import engine
from enforcement.face.engine import EngineConfig, FaceTemplate


class KeptTemplates:
    """The memo: calls that ran the engine (`computed`) and calls answered from it (`kept`)."""

    def __init__(self, encode: Callable[..., FaceTemplate]) -> None:
        self._encode = encode
        self._templates: dict[tuple[bytes, EngineConfig], FaceTemplate] = {}
        self.computed = 0
        self.kept = 0

    def __call__(self, data: bytes, config: EngineConfig | None = None) -> FaceTemplate:
        if config is None:
            self.computed += 1
            return self._encode(data, config)
        key = (hashlib.sha256(data).digest(), config)
        found = self._templates.get(key)
        if found is not None:
            self.kept += 1
            return found
        self.computed += 1
        template = self._encode(data, config)
        self._templates[key] = template
        return template


@contextmanager
def kept_templates() -> Iterator[KeptTemplates]:
    """`engine.encode` answered from a memo while the context lasts (then the engine's own)."""
    original = engine.encode
    memo = KeptTemplates(original)
    engine.encode = functools.wraps(original)(memo)  # type: ignore[assignment]
    try:
        yield memo
    finally:
        engine.encode = original
