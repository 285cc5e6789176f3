"""The benchmarks' own summary, after pytest-benchmark's tables: the implementation's time
against every other contender's, group by group; the complexity check's fitted exponents; the
``conformance`` entry of the JSON file; and the plot.

Every figure is taken from a row's fastest round (``min``), the estimate least disturbed by
other work on a shared machine; ratios are times (below 1: the implementation is faster).
The pytest hooks that call these are in conformance.bench.plugin.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from conformance.bench import contenders
from conformance.bench.recording import Row, gemm_peak, products_seconds, threads_option


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
            flops = contenders.gemm_flops(list(layers), batch, "forward") + contenders.gemm_flops(
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
    return (contenders.PHASES.index(phase), len(layers), layers, batch)


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
        sizes, seconds = [p[0] for p in points], [p[1] for p in points]
        exponent = contenders.fitted_exponent(sizes, seconds)
        # The verdict reads the two largest sizes, where a quadratic term has overtaken the
        # linear work: over the whole range the linear part squeezes a width × width term's
        # fit to about 1.5 (seen), on the limit, while its last step shows 1.7-2.
        largest = contenders.fitted_exponent(sizes[-2:], seconds[-2:])
        out.append(
            {
                "contender": contender,
                "phase": phase,
                "against": against,
                "sizes": [p[0] for p in points],
                "seconds": [p[1] for p in points],
                "exponent": round(exponent, 3),
                "exponent_at_largest": round(largest, 3),
                "too_fast_growing": largest > contenders.EXPONENT_LIMIT,
            }
        )
    return out


SCALING_HINT = {
    "batch": "look for an array of batch × batch entries (e.g. an m × m matrix product)",
    "width": "look for an array of width × width entries per sample (e.g. np.diag of the "
    "ReLU derivative, or a per-sample Jacobian)",
}


def write_summary(terminalreporter: pytest.TerminalReporter, rows: list[Row]) -> None:
    """The section after pytest-benchmark's tables: the machine, the ratios table, the
    scaling fits (a fit growing faster than the work in red, with a hint), and the plot."""
    config = terminalreporter.config
    write = terminalreporter.write_line
    terminalreporter.section("conformance benchmark summary")
    peak = gemm_peak(config)
    others = ", ".join(f"{k} {v:.1f}" for k, v in peak.items() if k != "peak")
    write(
        f"threads: {threads_option(config)}; numpy BLAS: {contenders.blas_description()}; "
        f"torch: {contenders.torch_description()}; float64 GEMM peak {peak['peak']:.1f} GFLOP/s "
        f"({others}; {contenders.PEAK_SIZE}² best of {contenders.PEAK_REPEATS})"
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
                gflops = contenders.gemm_flops(e["layers"], e["batch"], e["phase"]) / t / 1e9
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
            f"over {s['against']} {', '.join(map(str, s['sizes']))} "
            f"(^{s['exponent_at_largest']:.2f} from {s['sizes'][-2]} to {s['sizes'][-1]})"
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
    order = ["impl", "reference", *contenders.TORCH_CONTENDERS]
    return (order.index(name) if name in order else len(order), name)


def json_section(config: pytest.Config, rows: list[Row]) -> dict[str, Any]:
    """The ``conformance`` entry of the JSON file: the machine, the ratios, the scaling fits
    and every row."""
    return {
        "threads": threads_option(config),
        "numpy_blas": contenders.blas_description(),
        "torch": contenders.torch_description(),
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
    phases = [p for p in contenders.PHASES if any(r.phase == p for r in grid)]
    fig, axes = plt.subplots(
        len(layer_sets),
        len(phases),
        figsize=(4.2 * len(phases), 3.4 * len(layer_sets)),
        squeeze=False,
        sharex=True,
    )
    names = sorted({r.contender for r in grid}, key=_contender_order)
    for i, layers in enumerate(layer_sets):
        for j, phase in enumerate(phases):
            ax = axes[i][j]
            for name in names:
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
