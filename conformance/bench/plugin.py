"""The benchmarks' pytest side: options, when they run, the header, how many rounds, and what
the terminal summary, the JSON file and the plot add to pytest-benchmark's own table.

Every figure is taken from a row's fastest round (``min``), the estimate least disturbed by
other work on a shared machine; ratios are times (below 1: the implementation is faster).
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.bench import contenders as bench

BENCHMARK_MODULE = Path(__file__).with_name("test_benchmarks.py")
DEFAULT_THREADS = 1
#: Warm-up before the timed rounds: caches, branch predictors and thread pools settled.
WARMUP_SECONDS = 0.1
MAX_ROUNDS = 1_000_000


@dataclass
class Row:
    """One benchmark's result: its fastest round, in seconds."""

    contender: str
    impl: str
    phase: str
    layers: list[int]
    batch: int
    series: str  # "grid", or the complexity series "batch" / "width"
    seconds: float
    gflops: float


_rows = pytest.StashKey[list[Row]]()
_peak = pytest.StashKey[dict[str, float]]()
_products = pytest.StashKey[dict[tuple[tuple[int, ...], int], dict[str, float]]]()


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


def threads_option(config: pytest.Config) -> int:
    n = config.getoption("benchmark_threads")
    return n if n > 0 else (os.cpu_count() or 1)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_rows] = []
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


def pytest_report_header(config: pytest.Config) -> list[str]:
    if not requested(config):
        return []
    return [
        f"conformance: benchmarks with {threads_option(config)} thread(s) "
        f"(--benchmark-threads) for numpy's BLAS, {bench.blas_description()}, and for PyTorch "
        f"{bench.torch_description()}; the float64 matrix-multiply peak is measured before "
        "the first benchmark"
    ]


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook; -p no:benchmark is allowed
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    machine_info["conformance"] = {
        "threads": threads_option(config),
        "numpy_blas": bench.blas_description(),
        "torch": bench.torch_description(),
    }


def gemm_peak(config: pytest.Config) -> dict[str, float]:
    """The machine's float64 matrix-multiply GFLOP/s, measured once a run."""
    if _peak not in config.stash:
        config.stash[_peak] = bench.gemm_peak(threads_option(config))
    return config.stash[_peak]


def products_seconds(
    config: pytest.Config, layers: tuple[int, ...], batch: int
) -> dict[str, float]:
    """numpy's and PyTorch's time for the matrix products of one forward+backward of the
    group, measured once a run (bench.products_seconds)."""
    cache = config.stash.setdefault(_products, {})
    if (layers, batch) not in cache:
        cache[(layers, batch)] = bench.products_seconds(layers, batch, threads_option(config))
    return cache[(layers, batch)]


def plan_rounds(benchmark: Any, contender: bench.Contender, phase: str) -> tuple[int, int]:
    """(rounds, warm-up rounds) filling --benchmark-max-time, at least --benchmark-min-rounds:
    pytest-benchmark's own rule, here for calls that need a set-up each round."""
    if benchmark.disabled:
        return 1, 0
    call = contender.call(phase)
    start = time.perf_counter()
    call(*contender.prepare(phase))  # also the first run: imports, caches, thread pools
    per_round = time.perf_counter() - start
    rounds = max(benchmark._min_rounds, math.ceil(benchmark._max_time / max(per_round, 1e-7)))
    warmup = max(1, min(rounds // 5, math.ceil(WARMUP_SECONDS / max(per_round, 1e-7))))
    return min(rounds, MAX_ROUNDS), warmup


def record(
    config: pytest.Config,
    benchmark: Any,
    *,
    contender: str,
    impl_name: str,
    phase: str,
    layers: list[int],
    batch: int,
    series: str,
) -> None:
    """extra_info for the JSON file and --benchmark-compare, and a Row for the summary."""
    peak = gemm_peak(config)
    flops = bench.gemm_flops(layers, batch, phase)
    info: dict[str, Any] = {
        "impl": impl_name,
        "phase": phase,
        "layers": list(layers),
        "batch": batch,
        "dtype": "float32" if contender in ("torch-float32", "torch-cuda") else "float64",
        "threads": threads_option(config),
        "gemm_flops": flops,
        "peak_gflops": round(peak["peak"], 2),
        "series": series,
    }
    stats = getattr(benchmark.stats, "stats", None)
    if stats is None:  # --benchmark-disable: run once, not timed
        info |= {"gflops": None, "peak_fraction": None}
    else:
        seconds = float(stats.min)
        gflops = flops / seconds / 1e9
        info |= {"gflops": round(gflops, 3), "peak_fraction": round(gflops / peak["peak"], 4)}
        config.stash[_rows].append(
            Row(contender, impl_name, phase, list(layers), batch, series, seconds, gflops)
        )
    benchmark.extra_info.update(info)


# --- the summary --------------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def grid_table(rows: list[Row]) -> dict[tuple[str, tuple[int, ...], int], dict[str, Row]]:
    """(phase, layers, batch) → contender → row, for the grid's rows."""
    table: dict[tuple[str, tuple[int, ...], int], dict[str, Row]] = defaultdict(dict)
    for row in rows:
        if row.series == "grid":
            table[(row.phase, tuple(row.layers), row.batch)][row.contender] = row
    return table


def ratios(rows: list[Row], config: pytest.Config) -> list[dict[str, Any]]:
    """Per group: the implementation's time and its time ratio to every other contender; plus
    one "forward+backward" group per network and batch (the sum of the two phases), with the
    time of its matrix products alone in numpy and PyTorch (``blas_seconds``) and their ratio
    ``blas_numpy_over_torch``: what the two BLAS libraries make of /torch-float64 before any
    other work (only PyTorch's per-call overhead lets a NumPy implementation go below it)."""
    table = grid_table(rows)
    out = []
    for (phase, layers, batch), group in sorted(table.items(), key=_group_order):
        out.append(_ratio_entry(phase, layers, batch, {k: r.seconds for k, r in group.items()}))
    for layers, batch in sorted({(k[1], k[2]) for k in table}):
        forward, backward = (
            table.get(("forward", layers, batch)),
            table.get(("backward", layers, batch)),
        )
        if not forward or not backward:
            continue
        both = {c: forward[c].seconds + backward[c].seconds for c in forward if c in backward}
        entry = _ratio_entry("forward+backward", layers, batch, both)
        if "impl" in forward and "impl" in backward:
            flops = bench.gemm_flops(list(layers), batch, "forward") + bench.gemm_flops(
                list(layers), batch, "backward"
            )
            entry["impl_gflops"] = flops / both["impl"] / 1e9
        blas = products_seconds(config, layers, batch)
        entry["blas_seconds"] = blas
        if "torch" in blas:
            entry["blas_numpy_over_torch"] = blas["numpy"] / blas["torch"]
        out.append(entry)
    return out


def _group_order(item: Any) -> tuple:
    (phase, layers, batch), _ = item
    return (bench.PHASES.index(phase), len(layers), layers, batch)


def _ratio_entry(
    phase: str, layers: tuple[int, ...], batch: int, seconds: dict[str, float]
) -> dict[str, Any]:
    entry: dict[str, Any] = {"phase": phase, "layers": list(layers), "batch": batch}
    entry["seconds"] = seconds
    if "impl" in seconds:
        entry["impl_over"] = {
            other: seconds["impl"] / t for other, t in seconds.items() if other != "impl"
        }
    return entry


def scaling(rows: list[Row]) -> list[dict[str, Any]]:
    """The fitted exponent of time against batch size and against width, per contender and
    phase, and whether it grows faster than the work (every phase is linear in both)."""
    series: dict[tuple[str, str, str], list[tuple[int, float]]] = defaultdict(list)
    for row in rows:
        if row.series in ("batch", "width"):
            x = row.batch if row.series == "batch" else row.layers[1]
            series[(row.contender, row.phase, row.series)].append((x, row.seconds))
    out = []
    for (contender, phase, against), points in sorted(series.items()):
        if len(points) < 3:
            continue
        points.sort()
        exponent = bench.fitted_exponent([p[0] for p in points], [p[1] for p in points])
        out.append(
            {
                "contender": contender,
                "phase": phase,
                "against": against,
                "sizes": [p[0] for p in points],
                "seconds": [p[1] for p in points],
                "exponent": round(exponent, 3),
                "too_fast_growing": exponent > bench.EXPONENT_LIMIT,
            }
        )
    return out


SCALING_HINT = {
    "batch": "look for an array of batch × batch entries (e.g. an m × m matrix product)",
    "width": "look for an array of width × width entries per sample (e.g. np.diag of the "
    "ReLU derivative, or a per-sample Jacobian)",
}


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's tables
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    rows = config.stash.get(_rows, [])
    if not rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("conformance benchmark summary")
    peak = gemm_peak(config)
    others = ", ".join(f"{k} {v:.1f}" for k, v in peak.items() if k != "peak")
    write(
        f"threads: {threads_option(config)}; numpy BLAS: {bench.blas_description()}; "
        f"torch: {bench.torch_description()}; float64 GEMM peak {peak['peak']:.1f} GFLOP/s "
        f"({others}; {bench.PEAK_SIZE}² best of {bench.PEAK_REPEATS})"
    )
    impl_label = next((r.impl for r in rows if r.contender == "impl"), "impl")
    write(f"impl = {impl_label}; times are each row's fastest round; ratio = impl time / other")
    entries = ratios(rows, config)
    if entries:
        others_seen = sorted(
            {o for e in entries for o in e.get("impl_over", {})}, key=_contender_order
        )
        blas_column = any("blas_numpy_over_torch" in e for e in entries)
        header = (
            f"{'phase':<17} {'layers':<20} {'batch':>5} {'impl':>10} {'GFLOP/s':>8} {'%peak':>6}"
        )
        header += "".join(f" {'/' + o:>15}" for o in others_seen)
        header += f" {'BLAS numpy/torch':>17}" if blas_column else ""
        write(header)
        for e in entries:
            if "impl" not in e["seconds"]:
                continue
            t = e["seconds"]["impl"]
            if e["phase"] == "forward+backward":
                gflops = e.get("impl_gflops", float("nan"))
            else:
                gflops = bench.gemm_flops(e["layers"], e["batch"], e["phase"]) / t / 1e9
            line = (
                f"{e['phase']:<17} {e['layers']!s:<20} {e['batch']:>5} {fmt_time(t):>10} "
                f"{gflops:>8.1f} {100 * gflops / peak['peak']:>5.0f}%"
            )
            line += "".join(
                f" {e['impl_over'][o]:>15.2f}" if o in e["impl_over"] else f" {'-':>15}"
                for o in others_seen
            )
            if blas_column and "blas_numpy_over_torch" in e:
                line += f" {e['blas_numpy_over_torch']:>17.2f}"
            write(line)
        if blas_column:
            write(
                "BLAS numpy/torch: numpy's time for the group's matrix products alone over "
                "PyTorch's float64 time for the same products, the /torch-float64 the two "
                "BLAS libraries set before any other work"
            )
    for s in scaling(rows):
        text = (
            f"scaling: {s['contender']} {s['phase']} time ∝ {s['against']}^{s['exponent']:.2f} "
            f"over {s['against']} {', '.join(map(str, s['sizes']))}"
        )
        if s["too_fast_growing"]:
            write(
                f"{text}: grows faster than the work, which is linear in {s['against']}; "
                + SCALING_HINT[s["against"]],
                red=True,
            )
        else:
            write(text)
    plot = config.getoption("benchmark_plot")
    if plot:
        write_plot(rows, Path(plot), impl_label)
        write(f"conformance: wrote the benchmark plot to {plot}")


def _contender_order(name: str) -> tuple[int, str]:
    order = ["impl", "reference", *bench.TORCH_CONTENDERS]
    return (order.index(name) if name in order else len(order), name)


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook; -p no:benchmark is allowed
def pytest_benchmark_update_json(config: pytest.Config, benchmarks: Any, output_json: dict) -> None:
    rows = config.stash.get(_rows, [])
    if not rows:
        return
    output_json["conformance"] = {
        "threads": threads_option(config),
        "numpy_blas": bench.blas_description(),
        "torch": bench.torch_description(),
        "gemm_peak_gflops": gemm_peak(config),
        "statistic": "min",
        "ratios": ratios(rows, config),
        "scaling": scaling(rows),
        "rows": [asdict(r) for r in rows],
    }


def write_plot(rows: list[Row], path: Path, impl_label: str) -> None:
    """Time against batch size, log-log, one line per contender; a panel per (network, phase)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = [r for r in rows if r.series == "grid"]
    layer_sets = sorted({tuple(r.layers) for r in grid}, key=lambda ls: (len(ls), ls))
    phases = [p for p in bench.PHASES if any(r.phase == p for r in grid)]
    fig, axes = plt.subplots(
        len(layer_sets),
        len(phases),
        figsize=(4.2 * len(phases), 3.4 * len(layer_sets)),
        squeeze=False,
        sharex=True,
    )
    contenders = sorted({r.contender for r in grid}, key=_contender_order)
    for i, layers in enumerate(layer_sets):
        for j, phase in enumerate(phases):
            ax = axes[i][j]
            for name in contenders:
                points = sorted(
                    (r.batch, r.seconds)
                    for r in grid
                    if r.contender == name and tuple(r.layers) == layers and r.phase == phase
                )
                if points:
                    label = f"impl ({impl_label})" if name == "impl" else name
                    ax.plot(*zip(*points), marker="o", label=label)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{phase} {list(layers)}", fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
            if i == len(layer_sets) - 1:
                ax.set_xlabel("batch size")
            if j == 0:
                ax.set_ylabel("time per call (s)")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
