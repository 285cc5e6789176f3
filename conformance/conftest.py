"""Session set-up that applies only while the conformance suite runs.

The Hypothesis profiles, the report header, the per-test ``rng`` and the per-check time limit.
Options are defined in ``conformance.plugin``.
"""

from __future__ import annotations

import signal
import threading
import zlib
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from conformance import plugin
from conformance._impl import impl

# Fixed examples by default: the same implementation gets the same verdict on every run.
settings.register_profile(
    "conformance",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=False,
)
# Deeper and randomised; a failure prints the seed to pass back with --hypothesis-seed.
settings.register_profile(
    "thorough",
    derandomize=False,
    database=None,
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow],
)


def pytest_configure(config: pytest.Config) -> None:
    plugin.load(config, None)
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("conformance")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [
        f"conformance: impl={impl.name} file={impl.file}",
        f"conformance: hypothesis profile={settings.default._current_profile} "  # type: ignore[attr-defined]
        f"seed={config.getoption('impl_seed')} timeout={config.getoption('impl_timeout'):g}s",
    ]
    if impl.missing:
        lines.append(f"conformance: MISSING from {impl.name}: {', '.join(impl.missing)}")
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if impl.missing:
        terminalreporter.write_line(
            f"conformance: {impl.name} is missing {', '.join(impl.missing)}: "
            "the checks that need them failed",
            yellow=True,
        )


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from --impl-seed and the test id: the same draws on every run."""
    seed = request.config.getoption("impl_seed")
    return np.random.default_rng([seed, zlib.crc32(request.node.nodeid.encode())])


class ImplTimeout(BaseException):
    """A check ran past --impl-timeout.

    A BaseException, so Hypothesis does not catch it and re-run a hanging example while
    shrinking.
    """


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    limit = item.config.getoption("impl_timeout")
    usable = (
        limit > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        return (yield)

    def expire(signum: int, frame: object) -> None:
        raise ImplTimeout(
            f"{item.name} ran past --impl-timeout={limit:g}s: a call into {impl.name} "
            "hangs or is far too slow (raise the limit with --impl-timeout)"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
