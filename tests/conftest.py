"""Fixtures of the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement import config


@pytest.fixture(autouse=True)
def _settings_read_afresh() -> Iterator[None]:
    """`settings()` is read once per process; a test that changes the environment must not
    leave its values behind for the next one, in whatever order they run."""
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()
