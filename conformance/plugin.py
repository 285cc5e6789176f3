"""The pytest plugin: options, markers and loading the implementation under test.

Registered through the ``pytest11`` entry point (so ``pytest --impl=NAME`` works from any
folder: with no test paths the run is the suite, see ``core.selection``) and by the root
``conftest.py`` of a clone. It stays inert unless the suite runs (``--impl`` given, or
``conformance/conftest.py`` collected), so installing the kit changes nothing for other
projects' test runs.
"""

from __future__ import annotations

import pytest

from conformance.contract import AREAS
from conformance.conventions import LABELS, LAYOUT, OUTPUT
from conformance.core import selection
from conformance.core.guard import guard
from conformance.core.implementation import impl
from conformance.core.session import activate, header_lines

# The subsystems' own plugins: their options, and hooks that stay idle unless asked for. Only
# registered here, never imported by this module, so pytest rewrites them as plugins.
pytest_plugins = [
    "conformance.diagnosis.plugin",
    "conformance.grading.plugin",
    "conformance.bench.plugin",
    "conformance.report.plugin",
]

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
        "--layout",
        choices=LAYOUT.values,
        default=None,
        help="the implementation's layout: columns (the contract's: X is (n_features, "
        "n_samples), weights[i] (n_out, n_in)) or rows (X is (n_samples, n_features), "
        "weights[i] (n_in, n_out)); default: the module's own LAYOUT = ..., else columns",
    )
    group.addoption(
        "--labels",
        choices=LABELS.values,
        default=None,
        help="y_true as one-hot arrays (the contract's) or integers, class indices of shape "
        "(n_samples,); default: the module's own LABELS = ..., else one-hot",
    )
    group.addoption(
        "--output",
        choices=OUTPUT.values,
        default=None,
        help="forward returns probabilities (the contract's) or logits, which "
        "cross_entropy_loss then takes; default: the module's own OUTPUT = ..., else "
        "probabilities",
    )
    group.addoption(
        "--hidden-layers",
        metavar="N[,N...]",
        default=None,
        help="the numbers of hidden layers the network supports (e.g. 1 for a two-layer "
        "net): checks of other depths are skipped; default: the module's own HIDDEN_LAYERS "
        "= ... (not in grading), else any",
    )
    group.addoption(
        "--adapter",
        metavar="NAME",
        default=None,
        help="build the contract from code in another API: nnfs (the nnfs book's layer "
        "classes), cs231n (CS231n's layer functions), or a .py file defining adapt(code) "
        "(see the README)",
    )
    group.addoption(
        "--init-std",
        metavar="STD",
        type=float,
        default=None,
        help="a course template's weight scale (weights start as STD * randn): checked and "
        "reported instead of He initialisation; default: the module's own INIT_STD = ... "
        "(not in grading)",
    )
    group.addoption(
        "--loss-clip",
        metavar="C",
        type=float,
        default=None,
        help="a course template's clip of probabilities in the loss, to [C, 1 - C]: "
        "accepted and reported; default: the module's own LOSS_CLIP = ... (not in grading)",
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


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook loads the conftests of the test paths
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    selection.point_at_suite(early_config, args)


@pytest.hookimpl(tryfirst=True)  # before conformance/conftest.py falls back to the reference
def pytest_configure(config: pytest.Config) -> None:
    impl.reset()  # one process may run several sessions (pytester, IDEs)
    for area, what in AREAS.items():
        config.addinivalue_line("markers", f"{area}: {what}")
    config.addinivalue_line("markers", "for_logits: a check only of a network that returns logits")
    config.addinivalue_line("markers", "for_layers: a check of an adapted API's layers, one by one")
    spec = config.getoption("impl")
    if spec is not None:
        activate(config, spec)


def pytest_unconfigure(config: pytest.Config) -> None:
    guard.disarm()
    if impl.remote is not None:
        impl.remote.close()


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


@pytest.hookimpl(tryfirst=True)  # before the terminal reporter prints the outcome
def pytest_sessionfinish(session: pytest.Session) -> None:
    if (why := selection.nothing_selected(session)) is not None:
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"ERROR: --impl={session.config.getoption('impl')}: {why}", red=True
            )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if impl.missing and impl.conventions.adapts is not None:
        terminalreporter.write_line(
            f"conformance: not in the adapted API: {', '.join(impl.missing)}; the checks that "
            "need them were skipped"
        )
    elif impl.missing:
        terminalreporter.write_line(
            f"conformance: {impl.name} is missing {', '.join(impl.missing)}: "
            "the checks that need them failed",
            yellow=True,
        )
