"""What the benchmarks time: the contenders, the work each phase does, the machine's peak.

A contender runs one network in three phases, each a call with no set-up inside it:
``forward(X)``, ``backward(Y)`` after an untimed fresh forward, and ``train_step(X, Y, lr)``.
The implementation under test and the reference are driven through the contract (column
layout: X is (n_features, m)); PyTorch runs the same network the way PyTorch is written
(row layout, ``nn.Linear``, ``F.cross_entropy`` on the logits, ``optim.SGD``).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PHASES = ("forward", "backward", "train_step")
#: The networks and batch sizes every contender is timed on.
GRID_LAYERS = ([784, 128, 10], [784, 256, 256, 10])
GRID_BATCHES = (1, 64, 1024)
#: The complexity check: time against batch size on one network, and against the hidden
#: width at one batch size, where the matrix products (not call overhead) dominate.
SCALING_BATCHES = (128, 256, 512, 1024)
SCALING_BATCH_LAYERS = [784, 128, 10]
SCALING_WIDTHS = (128, 256, 512, 1024)
SCALING_WIDTH_BATCH = 64
#: An exponent between the two largest sizes above this is called out: every phase's work is
#: linear in batch and in width, and a quadratic term (a width × width array per sample) shows
#: as 1.7–2 there.
EXPONENT_LIMIT = 1.5
#: Small enough that thousands of train_step rounds leave the parameters near their start.
LEARNING_RATE = 1e-3
#: Distinct inputs cycled through the rounds, each round getting a fresh copy, so that an
#: implementation caching on its input's identity or content gains nothing.
N_INPUTS = 4

TORCH_CONTENDERS = ("torch-float64", "torch-float32", "torch-cuda")


def gemm_flops(layers: Sequence[int], batch: int, phase: str) -> int:
    """Floating-point operations of the matrix products (2·n_in·n_out·m each) in one phase.

    forward: one product per layer. backward: dW for every layer, and the gradient passed
    down (Wᵀ dz) for every layer but the first (nothing needs ∂L/∂X). train_step: both, plus
    the update's two operations per parameter. Elementwise work (ReLU, softmax) is left out:
    it is O(n·m), against O(n_in·n_out·m) for the products.
    """
    per_layer = [2 * n_in * n_out * batch for n_in, n_out in zip(layers, layers[1:])]
    forward = sum(per_layer)
    backward = sum(per_layer) + sum(per_layer[1:])
    if phase == "forward":
        return forward
    if phase == "backward":
        return backward
    params = sum(n_out * (n_in + 1) for n_in, n_out in zip(layers, layers[1:]))
    return forward + backward + 2 * params


@dataclass
class Problem:
    """One network's parameters and a pool of inputs, shared by every contender.

    weights[i] (n_{i+1}, n_i), biases[i] (n_{i+1}, 1), X[k] (n_0, m), Y[k] one-hot (n_L, m).
    """

    layers: list[int]
    batch: int
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: list[np.ndarray]
    Y: list[np.ndarray]

    @classmethod
    def make(cls, layers: Sequence[int], batch: int, seed: int = 0) -> Problem:
        rng = np.random.default_rng([seed, batch, *layers])
        layers = list(layers)
        pairs = list(zip(layers, layers[1:]))
        weights = [rng.standard_normal((o, i)) * np.sqrt(2.0 / i) for i, o in pairs]
        biases = [rng.standard_normal((o, 1)) * 0.1 for o in layers[1:]]
        X = [rng.standard_normal((layers[0], batch)) for _ in range(N_INPUTS)]
        Y = [np.eye(layers[-1])[:, rng.integers(0, layers[-1], batch)] for _ in range(N_INPUTS)]
        return cls(layers, batch, weights, biases, X, Y)


class Contender:
    """Runs one phase with fresh inputs each round: ``prepare(phase)`` (untimed) returns the
    positional arguments of ``call(phase)``, the function that is timed."""

    name: str

    def prepare(self, phase: str) -> tuple[Any, ...]:
        raise NotImplementedError

    def call(self, phase: str) -> Callable[..., Any]:
        raise NotImplementedError


class ContractContender(Contender):
    """An implementation of the kit's contract: the reference or the one under test."""

    def __init__(self, name: str, module: Any, problem: Problem):
        self.name, self.problem = name, problem
        self.net = module.NeuralNetwork(list(problem.layers))
        for i, (W, b) in enumerate(zip(problem.weights, problem.biases)):
            self.net.weights[i] = W.copy()
            self.net.biases[i] = b.copy()
        self._round = 0

    def _inputs(self) -> tuple[np.ndarray, np.ndarray]:
        k = self._round % N_INPUTS
        self._round += 1
        return self.problem.X[k].copy(), self.problem.Y[k].copy()

    def prepare(self, phase: str) -> tuple[Any, ...]:
        X, Y = self._inputs()
        if phase == "forward":
            return (X,)
        if phase == "backward":
            self.net.forward(X)
            return (Y,)
        return (X, Y, LEARNING_RATE)

    def call(self, phase: str) -> Callable[..., Any]:
        if phase != "backward":
            return getattr(self.net, phase)

        def backward(Y: np.ndarray) -> Any:
            self.net.backward(Y)
            # Read back inside the timed call: gradients computed lazily are paid for here.
            return self.net.dW, self.net.db

        return backward


class TorchContender(Contender):
    """The same network in idiomatic PyTorch: ``nn.Sequential`` of ``nn.Linear`` and ReLU,
    softmax probabilities out of forward, ``F.cross_entropy`` on the logits for backward,
    ``optim.SGD`` for the update. Inputs are (m, n_features), PyTorch's row layout."""

    def __init__(self, name: str, problem: Problem):
        import torch

        self.torch = torch
        self.name = name
        self.dtype = torch.float32 if name in ("torch-float32", "torch-cuda") else torch.float64
        self.device = torch.device("cuda" if name == "torch-cuda" else "cpu")
        modules: list[Any] = []
        for W, b in zip(problem.weights, problem.biases):
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=self.dtype, device=self.device)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(b[:, 0]))
            modules += [linear, torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*modules[:-1])
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.X = [self._tensor(X.T) for X in problem.X]
        self.labels = [torch.from_numpy(np.argmax(Y, axis=0)).to(self.device) for Y in problem.Y]
        self._round = 0
        self._logits: Any = None

    def _tensor(self, a: np.ndarray) -> Any:
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(self.device, self.dtype)

    def _sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def prepare(self, phase: str) -> tuple[Any, ...]:
        k = self._round % N_INPUTS
        self._round += 1
        X, labels = self.X[k].clone(), self.labels[k].clone()
        if phase == "backward":
            self.optimizer.zero_grad(set_to_none=True)
            self._logits = self.model(X)
        self._sync()
        return (labels,) if phase == "backward" else (X, labels)

    def call(self, phase: str) -> Callable[..., Any]:
        torch, F = self.torch, self.torch.nn.functional

        def forward(X: Any, labels: Any) -> Any:
            probabilities = torch.softmax(self.model(X), dim=1)
            self._sync()
            return probabilities

        def backward(labels: Any) -> None:
            F.cross_entropy(self._logits, labels).backward()
            self._sync()

        def train_step(X: Any, labels: Any) -> float:
            self.optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(self.model(X), labels)
            loss.backward()
            self.optimizer.step()
            return loss.item()  # a host value, as the contract's train_step returns

        return {"forward": forward, "backward": backward, "train_step": train_step}[phase]


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def cuda_available() -> bool:
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


# --- threads ------------------------------------------------------------------------------


@contextlib.contextmanager
def threads(n: int, *, numpy_blas: bool = True) -> Iterator[None]:
    """numpy's BLAS and PyTorch both at ``n`` threads; with ``numpy_blas=False`` numpy's BLAS
    at 1, so its idle threads cannot spin while PyTorch's work (they starve each other)."""
    from threadpoolctl import threadpool_limits

    torch_threads = None
    if torch_available():
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n if numpy_blas else 1, user_api="blas"):
            yield
    finally:
        if torch_threads is not None:
            import torch

            torch.set_num_threads(torch_threads)


def blas_description() -> str:
    """numpy's BLAS library, version and kernel, e.g. ``openblas 0.3.31 (SkylakeX)``."""
    from threadpoolctl import threadpool_info

    blas = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
    # numpy's own first: scipy, when something imported it, brings a second OpenBLAS.
    blas.sort(key=lambda lib: "numpy" not in lib.get("filepath", ""))
    if not blas:
        return "unknown BLAS"
    lib = blas[0]
    arch = f" ({lib['architecture']})" if lib.get("architecture") else ""
    return f"{lib['internal_api']} {lib.get('version') or '?'}{arch}"


def torch_description() -> str:
    if not torch_available():
        return "not installed"
    import torch

    backend = "MKL" if torch.backends.mkl.is_available() else "no MKL"
    return f"{torch.__version__} ({backend})"


# --- the machine's peak ---------------------------------------------------------------------

PEAK_SIZE = 2048
PEAK_REPEATS = 5


def _best_time(f: Callable[[], Any], repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def gemm_peak(
    n_threads: int, size: int = PEAK_SIZE, repeats: int = PEAK_REPEATS
) -> dict[str, float]:
    """float64 matrix-multiply GFLOP/s of numpy (and PyTorch, when installed) at ``size``²,
    best of ``repeats``, with ``n_threads`` threads; ``peak`` is the larger of the two."""
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    flops = 2.0 * size**3
    result: dict[str, float] = {}
    with threads(n_threads):
        A @ B  # warm-up: threads started, pages touched
        result["numpy"] = flops / _best_time(lambda: A @ B, repeats) / 1e9
    if torch_available():
        import torch

        At, Bt = torch.from_numpy(A), torch.from_numpy(B)
        with threads(n_threads, numpy_blas=False):
            At @ Bt
            result["torch"] = flops / _best_time(lambda: At @ Bt, repeats) / 1e9
    result["peak"] = max(result.values())
    return result


def products_seconds(
    layers: Sequence[int], batch: int, n_threads: int, repeats: int = PEAK_REPEATS
) -> dict[str, float]:
    """Seconds of the matrix products alone of one forward+backward of ``layers`` at
    ``batch`` (those gemm_flops counts), in numpy and in PyTorch float64 (when installed),
    best of ``repeats``: what each library's BLAS alone costs that group.

    Each in the layout its contender runs: numpy in the contract's columns (forward W @ A,
    backward dZ @ Aᵀ and, but for the first layer, Wᵀ @ dZ), PyTorch in nn.Linear's rows
    (A @ Wᵀ, dZᵀ @ A and dZ @ W), since a BLAS's speed depends on the operands' layout.
    """
    rng = np.random.default_rng([batch, *layers])
    pairs = list(zip(layers, layers[1:]))
    W = [rng.standard_normal((o, i)) for i, o in pairs]
    A = [rng.standard_normal((i, batch)) for i, _ in pairs]
    dZ = [rng.standard_normal((o, batch)) for _, o in pairs]

    def columns() -> None:
        for k in range(len(W)):
            W[k] @ A[k]
            dZ[k] @ A[k].T
            if k > 0:
                W[k].T @ dZ[k]

    result: dict[str, float] = {}
    with threads(n_threads):
        columns()
        result["numpy"] = _best_time(columns, repeats)
    if torch_available():
        import torch

        Wt = [torch.from_numpy(w) for w in W]
        At, dZt = ([torch.from_numpy(a.T.copy()) for a in arrays] for arrays in (A, dZ))

        def rows() -> None:
            for k in range(len(Wt)):
                At[k] @ Wt[k].T
                dZt[k].T @ At[k]
                if k > 0:
                    dZt[k] @ Wt[k]

        with threads(n_threads, numpy_blas=False):
            rows()
            result["torch"] = _best_time(rows, repeats)
    return result


# --- the complexity check ----------------------------------------------------------------------


def fitted_exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """The least-squares slope of log(time) against log(size): time ∝ size^slope."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(seconds, float))
    return float(np.polyfit(x, y, 1)[0])
