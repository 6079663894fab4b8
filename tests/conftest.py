"""Hooks and fixtures of the whole suite: the random order's seed, printed where a failure is
read; unit tests before integration tests; settings read afresh around every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from enforcement import config
from hypothesis import settings as hypothesis_settings

# No property test fails on time: hypothesis's default deadline (200 ms an example) is an
# elapsed-time assertion, and the machines running the suite are shared. Examples and seeds stay
# each test's own.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests first, then integration tests, each group in its (random) order.

    The integration tests' stack runs moto in this process; `mock_aws` in a unit test
    (test_audit_commit, test_face_check, test_face_index) resets moto's global backends, which
    deletes every table, bucket and function of a stack already started, and the stack exports
    its endpoints and settings into os.environ for the rest of the session. A unit module run
    between two integration modules broke both groups; run first, neither meets the other.
    Under pytest-xdist each worker receives its items in this order, so the same holds in each
    worker process (each with its own stack).
    """
    items.sort(key=lambda item: "integration" in item.nodeid.split("::")[0].split("/"))


@pytest.fixture(autouse=True)
def _settings_read_afresh() -> Iterator[None]:
    """`settings()` is read once per process; a test that changes the environment must not
    leave its values behind for the next one, in whatever order they run."""
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _face_templates_kept() -> Iterator[None]:
    """The engine's templates of the same photo bytes computed once per worker process
    (tests/face_templates.py): the handlers' encodes of photographs used by many tests."""
    from tests.face_templates import kept_templates

    with kept_templates():
        yield
