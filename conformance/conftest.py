"""Set-up that applies only while the conformance suite runs: the reference as the default
implementation, the suite's Hypothesis profile, the per-test ``rng`` and the per-check time
limit. Options and the report header are in ``conformance.plugin``.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator

import numpy as np
import pytest

from conformance.conventions import LOGITS
from conformance.core import profiles, session
from conformance.core.deadline import deadline
from conformance.core.guard import describe, guard
from conformance.core.implementation import impl
from conformance.core.outcomes import check_id


def pytest_configure(config: pytest.Config) -> None:
    session.activate(config, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Checks of a convention (``@pytest.mark.for_logits``; ``for_layers``, an adapter's
    LAYERS) exist only for an implementation that declared it: for any other they are not
    collected at all, so nothing of the contract's runs, counts or grades changes."""
    if impl.conventions.output != LOGITS:
        items[:] = [item for item in items if item.get_closest_marker("for_logits") is None]
    if impl.conventions.adapts is None or not getattr(impl.module, "LAYERS", None):
        items[:] = [item for item in items if item.get_closest_marker("for_layers") is None]


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from --impl-seed and the check's own id (``test_module::name``, not
    its node id or package, which depend on where pytest runs and where the module lives):
    the same draws on every run. The ``conformance.`` prefix keeps the draws the checks made
    before they moved into ``conformance.checks``."""
    seed = request.config.getoption("impl_seed")
    key = f"conformance.{check_id(request.node)}"
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Each check runs under the time limit, and fails if the implementation replaced
    something the checks rely on (which is then put back)."""
    if impl.tampered:
        untrusted(f"{impl.tampered}: the checks cannot be trusted")
    try:
        with time_limit(item):
            return (yield)
    finally:
        if changed := guard.check_and_restore():
            untrusted(
                f"during this check {impl.name} replaced {describe(changed)}: the checks "
                "rely on them, so this one cannot be trusted"
            )


def untrusted(message: str) -> None:
    """Fail the check, blaming the implementation as a whole (not one of its functions)."""
    __tracebackhide__ = True
    err = pytest.fail.Exception(message, pytrace=False)
    err.conformance_blame = impl.name  # type: ignore[attr-defined]
    raise err


@contextlib.contextmanager
def time_limit(item: pytest.Item) -> Iterator[None]:
    limit = item.config.getoption("impl_timeout")
    if getattr(item.obj, "is_hypothesis_test", False):  # type: ignore[attr-defined]
        limit *= profiles.timeout_scale()
    message = (
        f"{item.name} ran past its time limit of {limit:g}s: a call into {impl.name} "
        "hangs or is far too slow (raise the limit with --impl-timeout)"
    )
    with deadline(limit, message):
        yield
