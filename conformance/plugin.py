"""The pytest plugin: options, markers and loading the implementation under test.

Registered through the ``pytest11`` entry point (so ``pytest --pyargs conformance --impl=NAME``
works from any folder) and by the root ``conftest.py`` of a clone. Everything that only matters
while the suite runs (profiles, header, fixtures) lives in ``conformance/conftest.py``, so
installing the kit changes nothing for other projects' test runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance._impl import ImplementationError, impl

AREAS: dict[str, str] = {
    "contract": "the implementation defines every name of the contract",
    "activations": "sigmoid, ReLU, tanh and their derivatives",
    "softmax": "softmax: finite, normalised, shift-invariant, stable",
    "information": "entropy, cross-entropy, KL, binary entropy; the entropy connection",
    "numerical_gradient": "the implementation's numerical_gradient",
    "gradients": "network dW, db against finite differences of its own loss",
    "torch_parity": "forward, loss, dW, db against PyTorch (float64)",
    "training": "update, train_step, predict, initialisation, XOR convergence",
}

DEFAULT_TIMEOUT_S = 120.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "backprop conformance kit")
    group.addoption(
        "--impl",
        metavar="NAME",
        default=None,
        help="implementation under test: an importable module or a path to a .py file "
        "(default: the kit's NumPy reference)",
    )
    group.addoption(
        "--impl-seed",
        metavar="N",
        type=int,
        default=0,
        help="base seed of the per-test random generators; printed in the header (default: 0)",
    )
    group.addoption(
        "--impl-timeout",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help="fail a check whose calls into the implementation take longer; 0 disables "
        f"(default: {DEFAULT_TIMEOUT_S:g})",
    )


@pytest.hookimpl(tryfirst=True)  # before conformance/conftest.py falls back to the reference
def pytest_configure(config: pytest.Config) -> None:
    impl.reset()  # one process may run several sessions (pytester, IDEs)
    for area, what in AREAS.items():
        config.addinivalue_line("markers", f"{area}: {what}")
    spec = config.getoption("impl")
    if spec is not None:
        load(config, spec)


def load(config: pytest.Config, spec: str | None) -> None:
    """Load the implementation once; a bad --impl is a usage error of one line."""
    if impl.module is not None:
        return
    try:
        impl.load(spec, Path(config.invocation_params.dir))
    except ImplementationError as err:
        raise pytest.UsageError(str(err)) from None
