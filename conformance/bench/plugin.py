"""The benchmarks' pytest plugin: options, when they run (and when they are not even collected),
the header, the machine info, and the hooks that add the summary and the JSON entry to
pytest-benchmark's output.

Registered by conformance/plugin.py through ``pytest_plugins``, so pytest imports (and rewrites)
it as a plugin; the benchmark tests and the summary live in plain modules that this one imports
(conformance.bench.recording, conformance.bench.summary), which never import it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.bench import contenders, summary
from conformance.bench.recording import ROWS, threads_option

#: The module of the benchmark tests: collected only when the benchmarks are requested.
BENCHMARK_MODULE = Path(__file__).with_name("test_benchmarks.py")
DEFAULT_THREADS = 1


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption(
        "--benchmark-threads",
        metavar="N",
        type=int,
        default=DEFAULT_THREADS,
        help="threads for numpy's BLAS and for PyTorch while benchmarking; 0 means one per "
        f"core (default: {DEFAULT_THREADS})",
    )
    group.addoption(
        "--benchmark-plot",
        metavar="PATH",
        default=None,
        help="with the benchmarks, write a log-log plot of time against batch size for each "
        "contender, one panel per phase and network (.png, .svg or .pdf; needs matplotlib) "
        "(default: no plot)",
    )


def requested(config: pytest.Config) -> bool:
    """Benchmarks run under --benchmark-only or --benchmark-enable, never while grading."""
    if not config.pluginmanager.has_plugin("benchmark"):  # pytest-benchmark not loaded
        return False
    if config.getoption("grading", False):
        return False
    return bool(
        config.getoption("benchmark_only", False) or config.getoption("benchmark_enable", False)
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[ROWS] = []
    if config.getoption("grading", False) and config.getoption("benchmark_only", False):
        raise pytest.UsageError(
            "--benchmark-only with --grading: benchmarks time the implementation in this "
            "process, and grading runs it only in a worker; benchmark without --grading"
        )
    if config.getoption("benchmark_threads") < 0:
        raise pytest.UsageError("--benchmark-threads must be 0 (one per core) or more")
    if config.getoption("benchmark_plot") and requested(config):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise pytest.UsageError(
                "--benchmark-plot needs matplotlib: pip install 'backprop-conformance[plot]'"
            ) from None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Conformance runs do not even collect the benchmarks."""
    if collection_path == BENCHMARK_MODULE and not requested(config):
        return True
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under --benchmark-only the checks are deselected (pytest-benchmark would list each as
    skipped)."""
    if not (requested(config) and config.getoption("benchmark_only", False)):
        return
    keep = [item for item in items if Path(str(item.path)) == BENCHMARK_MODULE]
    dropped = [item for item in items if Path(str(item.path)) != BENCHMARK_MODULE]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_report_header(config: pytest.Config) -> Any:
    """Benchmark runs say how they time; other runs do not print pytest-benchmark's
    ``benchmark:`` line either (it is installed with the kit, so it loads everywhere)."""
    results = yield
    if not requested(config):
        return [r for r in results if not _is_benchmark_header(r)]
    return [*results, _header(config)]


def _is_benchmark_header(lines: Any) -> bool:
    first = lines if isinstance(lines, str) else next(iter(lines), "")
    return isinstance(first, str) and first.startswith("benchmark: ")


def _header(config: pytest.Config) -> list[str]:
    return [
        f"conformance: benchmarks with {threads_option(config)} thread(s) "
        f"(--benchmark-threads) for numpy's BLAS, {contenders.blas_description()}, and for "
        f"PyTorch {contenders.torch_description()}; the float64 matrix-multiply peak is "
        "measured before the first benchmark"
    ]


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook; -p no:benchmark is allowed
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    machine_info["conformance"] = {
        "threads": threads_option(config),
        "numpy_blas": contenders.blas_description(),
        "torch": contenders.torch_description(),
    }


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's tables
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    rows = terminalreporter.config.stash.get(ROWS, [])
    if not rows:  # nothing timed: a conformance run, or --benchmark-disable
        return
    summary.write_summary(terminalreporter, rows)


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook; -p no:benchmark is allowed
def pytest_benchmark_update_json(config: pytest.Config, benchmarks: Any, output_json: dict) -> None:
    rows = config.stash.get(ROWS, [])
    if not rows:
        return
    output_json["conformance"] = summary.json_section(config, rows)
