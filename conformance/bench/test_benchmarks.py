"""Speed (pytest-benchmark): forward, backward and train_step of the implementation under test,
the reference and PyTorch, side by side on the same networks and batches.

Collected only under ``--benchmark-only`` (or ``--benchmark-enable``); conformance runs skip
this module. Each row records in ``extra_info``: impl, phase, layers, batch, gflops and
peak_fraction; the ratios and the complexity check are in the terminal summary
(``conformance.bench.summary``).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import reference
from conformance.bench import contenders, recording
from conformance.core.implementation import impl
from conformance.helpers import pytest_helpers as ph


def contender_names() -> list[str]:
    """``impl`` (the implementation under test), the reference when that is another module,
    then PyTorch on the CPU in float64 and float32, and on CUDA when a GPU is present."""
    names = ["impl"] if impl.module is reference else ["impl", "reference"]
    names += ["torch-float64", "torch-float32"]
    if contenders.cuda_available():
        names.append("torch-cuda")
    return names


def layers_id(layers: list[int]) -> str:
    return "x".join(map(str, layers))


def grid() -> list[Any]:
    return [
        pytest.param(phase, layers, batch, name, id=f"{phase}-{layers_id(layers)}-b{batch}-{name}")
        for phase, layers, batch, name in itertools.product(
            contenders.PHASES, contenders.GRID_LAYERS, contenders.GRID_BATCHES, contender_names()
        )
    ]


def scaling_points() -> list[Any]:
    names = [n for n in contender_names() if n in ("impl", "reference")]
    return [
        pytest.param(phase, series, x, name, id=f"{phase}-{series}-{x}-{name}")
        for series, xs in (
            ("batch", contenders.SCALING_BATCHES),
            ("width", contenders.SCALING_WIDTHS),
        )
        for phase, x, name in itertools.product(("forward", "backward"), xs, names)
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrized at collection, not import: the contenders depend on the implementation
    under test, which loads after the kit's modules are imported (the guard imports them all
    first)."""
    if metafunc.function is test_speed:
        metafunc.parametrize("phase, layers, batch, name", grid())
    elif metafunc.function is test_scaling:
        metafunc.parametrize("phase, series, x, name", scaling_points())


def test_speed(
    benchmark: Any,
    request: pytest.FixtureRequest,
    phase: str,
    layers: list[int],
    batch: int,
    name: str,
) -> None:
    """One contender, one phase, one network and batch size: a group of the table."""
    benchmark.group = f"{phase} {layers} batch={batch}"
    time_phase(benchmark, request.config, name, phase, layers, batch, series="grid")


def test_scaling(
    benchmark: Any, request: pytest.FixtureRequest, phase: str, series: str, x: int, name: str
) -> None:
    """The complexity check's points: time against the batch size on [784, 128, 10], and
    against the hidden width of [784, width, 10] at batch 64."""
    if series == "batch":
        layers, batch = contenders.SCALING_BATCH_LAYERS, x
    else:
        layers, batch = [784, x, 10], contenders.SCALING_WIDTH_BATCH
    benchmark.group = f"scaling: {phase} time against {series}"
    time_phase(benchmark, request.config, name, phase, layers, batch, series=series)


def time_phase(
    benchmark: Any,
    config: pytest.Config,
    name: str,
    phase: str,
    layers: list[int],
    batch: int,
    *,
    series: str,
) -> None:
    __tracebackhide__ = True
    problem = contenders.Problem.make(layers, batch)
    if name.startswith("torch"):
        if not contenders.torch_available():
            pytest.skip("PyTorch is not installed: pip install 'backprop-conformance[torch]'")
        contender: contenders.Contender = contenders.TorchContender(name, problem)
    else:
        module = impl.module if name == "impl" else reference
        contender = contenders.ContractContender(name, module, problem)
        check_runs(contender, problem)

    n_threads = recording.threads_option(config)
    # The other library's threads stay at one, so that none spin while this one works.
    with contenders.threads(n_threads, numpy_blas=not name.startswith("torch")):
        rounds, warmup = recording.plan_rounds(benchmark, contender, phase)
        benchmark.pedantic(
            contender.call(phase),
            setup=lambda: (contender.prepare(phase), {}),
            rounds=rounds,
            warmup_rounds=warmup,
        )
    recording.record(
        config,
        benchmark,
        contender=name,
        impl_name=impl_label(name),
        phase=phase,
        layers=layers,
        batch=batch,
        series=series,
    )


def impl_label(name: str) -> str:
    """The ``impl`` field: the module's name, ``reference``, or the PyTorch row's name."""
    if name == "impl":
        return "reference" if impl.module is reference else impl.name
    return name


def check_runs(contender: contenders.ContractContender, problem: contenders.Problem) -> None:
    """One untimed forward and backward, so that an implementation that does not run, or
    returns the wrong thing, fails here with the kit's message instead of being timed."""
    __tracebackhide__ = True
    net, X, Y = contender.net, problem.X[0].copy(), problem.Y[0].copy()
    call = f"net = bp.NeuralNetwork({problem.layers})\nnet.forward(X)"
    got = net.forward(X)
    ph.as_array("net.forward(X)", got, shape=(problem.layers[-1], problem.batch), call=call)
    net.backward(Y)
    for attr in ("dW", "db"):
        grads = getattr(net, attr, None)
        if not isinstance(grads, list | tuple) or len(grads) != len(problem.weights):
            ph.fail(
                f"net.{attr} is {type(grads).__name__} after backward, but should be a list of "
                f"{len(problem.weights)} arrays",
                call=call + "\nnet.backward(Y)",
            )
