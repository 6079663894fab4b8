"""Hooks of the whole suite: the random order's seed, printed where a failure is read."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Name the seed of the random order (pytest-randomly) at the end of every run, `-q` too, so
    that a run that failed in one order can be replayed in that order."""
    seed = config.getoption("randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(
            f"random order: --randomly-seed={seed} (replay this order with "
            f"`pytest -p randomly --randomly-seed={seed} ...`; -p no:randomly runs in file order)"
        )
