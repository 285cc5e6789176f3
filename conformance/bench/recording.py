"""What the benchmark tests call: the thread count, how many rounds, and recording each result.

A result goes two ways: into pytest-benchmark's ``extra_info`` (the JSON file,
``--benchmark-compare``) and, as a :class:`Row`, into the run's list that the summary reads
(conformance.bench.summary). The machine's float64 matrix-multiply peak and the matrix
products' own times are measured once a run and kept with the rows, in the config's stash.

A plain module, not a plugin: conformance.bench.plugin imports it, never the other way round,
so that pytest registers (and rewrites) the plugin before anything imports it.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.bench import contenders

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


#: The run's rows, in the order recorded; conformance.bench.plugin's pytest_configure starts the
#: list empty.
ROWS = pytest.StashKey[list[Row]]()
_peak = pytest.StashKey[dict[str, float]]()
_products = pytest.StashKey[dict[tuple[tuple[int, ...], int], dict[str, float]]]()


def threads_option(config: pytest.Config) -> int:
    n = config.getoption("benchmark_threads")
    return n if n > 0 else (os.cpu_count() or 1)


def gemm_peak(config: pytest.Config) -> dict[str, float]:
    """The machine's float64 matrix-multiply GFLOP/s, measured once a run."""
    if _peak not in config.stash:
        config.stash[_peak] = contenders.gemm_peak(threads_option(config))
    return config.stash[_peak]


def products_seconds(
    config: pytest.Config, layers: tuple[int, ...], batch: int
) -> dict[str, float]:
    """numpy's and PyTorch's time for the matrix products of one forward+backward of the
    group, measured once a run (contenders.products_seconds)."""
    cache = config.stash.setdefault(_products, {})
    if (layers, batch) not in cache:
        cache[(layers, batch)] = contenders.products_seconds(layers, batch, threads_option(config))
    return cache[(layers, batch)]


def plan_rounds(benchmark: Any, contender: contenders.Contender, phase: str) -> tuple[int, int]:
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
    flops = contenders.gemm_flops(layers, batch, phase)
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
        config.stash[ROWS].append(
            Row(contender, impl_name, phase, list(layers), batch, series, seconds, gflops)
        )
    benchmark.extra_info.update(info)
