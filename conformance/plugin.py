"""The pytest plugin: options, markers and loading the implementation under test.

Registered through the ``pytest11`` entry point (so ``pytest --pyargs conformance --impl=NAME``
works from any folder) and by the root ``conftest.py`` of a clone. It stays inert unless the
suite runs (``--impl`` given, or ``conformance/conftest.py`` collected), so installing the kit
changes nothing for other projects' test runs.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import settings

from conformance import grading, profiles
from conformance._guard import guard
from conformance._impl import ImplementationError, impl
from conformance.isolation import SubmissionDied, SubmissionError

pytest_plugins = ["conformance.grading", "conformance.benchmark_report", "conformance.report"]

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
WATCHED_IMPORTS = (
    "hypothesis.extra.numpy",
    "reference",
    "conformance.hypothesis_helpers",
    "conformance.network_helpers",
    "conformance.pytest_helpers",
    "conformance._data",
)


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
        help="fail a check that runs longer (a property check: per 25 examples of the "
        f"Hypothesis profile); 0 disables (default: {DEFAULT_TIMEOUT_S:g})",
    )


@pytest.hookimpl(tryfirst=True)  # before conformance/conftest.py falls back to the reference
def pytest_configure(config: pytest.Config) -> None:
    impl.reset()  # one process may run several sessions (pytester, IDEs)
    for area, what in AREAS.items():
        config.addinivalue_line("markers", f"{area}: {what}")
    spec = config.getoption("impl")
    if spec is not None:
        activate(config, spec)


def activate(config: pytest.Config, spec: str | None) -> None:
    """Load the implementation (a bad --impl is a usage error of one line) and the suite's
    Hypothesis profile, unless --hypothesis-profile chose another. Runs once a session: at
    configure time with --impl, else when the suite's conftest.py is collected."""
    if impl.module is not None:
        return
    # Everything the checks call is imported before the implementation, so the guard knows
    # it as it was (and an implementation cannot import and patch it first). import_module,
    # not `from conformance import ...`, which would take a stale package attribute left by
    # an earlier session in this process instead of the module in sys.modules.
    for name in WATCHED_IMPORTS:
        importlib.import_module(name)

    if config.getoption("grading"):
        _activate_grading(config, spec)
        return
    guard.arm()
    try:
        impl.load(spec, Path(config.invocation_params.dir))
    except ImplementationError as err:
        guard.disarm()
        raise pytest.UsageError(str(err)) from None
    if changed := guard.check_and_restore():
        impl.tampered = f"importing {impl.name} replaced {', '.join(changed[:6])}"
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("conformance")


def _activate_grading(config: pytest.Config, spec: str | None) -> None:
    """Grading mode: the implementation runs only in a worker process, and every submission
    faces the same derandomized examples."""
    worker_settings = grading.settings_for(config, AREAS, spec)
    try:
        impl.load_remote(spec, Path(config.invocation_params.dir), worker_settings)
    except (ImplementationError, SubmissionError, SubmissionDied) as err:
        message = str(err)
        if isinstance(err, SubmissionError):
            tb = getattr(err, "student_traceback", "")
            message = f"{message}\n{tb}".rstrip()
        grading.import_failed(config, message)
        if impl.remote is not None:
            impl.remote.close()
        raise pytest.UsageError(f"--impl={spec or 'reference'}: {message}") from None
    profile = config.getoption("hypothesis_profile", None)
    if profile is None:
        settings.load_profile("grading")
    elif not settings.get_profile(profile).derandomize:
        raise pytest.UsageError(
            f"--hypothesis-profile={profile} is randomized; grading needs a derandomized "
            "profile so that every submission faces the same examples"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    guard.disarm()
    if impl.remote is not None:
        impl.remote.close()


def header_lines(config: pytest.Config) -> list[str]:
    lines = [
        f"conformance: impl={impl.name} file={impl.file}",
        f"conformance: hypothesis profile={settings.default._current_profile} "  # type: ignore[attr-defined]
        f"seed={config.getoption('impl_seed')} timeout={config.getoption('impl_timeout'):g}s"
        + (f" (×{scale:g} for property checks)" if (scale := profiles.timeout_scale()) > 1 else ""),
    ]
    if impl.remote is not None:
        s = impl.remote.settings
        lines.append(
            f"conformance: grading: isolated worker, {s.call_timeout:g} s per call, "
            f"{s.memory_mb} MiB, forbidden imports: {', '.join(s.forbid) or 'none'}"
        )
    if impl.missing:
        lines.append(f"conformance: MISSING from {impl.name}: {', '.join(impl.missing)}")
    return lines


_header_shown = pytest.StashKey[bool]()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if impl.module is None:  # not a conformance run (or the suite's conftest loads later)
        return []
    config.stash[_header_shown] = True
    return header_lines(config)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under --pyargs without --impl the implementation loads during collection: say it then."""
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if impl.module is None or config.stash.get(_header_shown, False) or reporter is None:
        return
    if config.get_verbosity() >= 0:
        for line in header_lines(config):
            reporter.write_line(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if impl.missing:
        terminalreporter.write_line(
            f"conformance: {impl.name} is missing {', '.join(impl.missing)}: "
            "the checks that need them failed",
            yellow=True,
        )
