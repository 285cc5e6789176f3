"""Gradient checks that scale to large networks (imported as ``sg``).

Central differences of every parameter cost two forward passes per parameter (≈ 16 s for the
101,770 of [784, 128, 10]). These checks cost a few dozen passes whatever the size:

* **random directions**: signed Gaussian u, of unit length over all parameters of all layers
  jointly; uᵀ(dW, db) against the central difference (L(θ + hu) − L(θ − hu)) / 2h of the
  implementation's own loss. Any error e in the gradient shifts uᵀ(dW, db) by uᵀe, a Gaussian
  of standard deviation ‖e‖/√N, so a wrong layer, row or scale shows in almost every direction;
  non-negative directions (torch's fast gradcheck) miss transposes and zeroed rows.
* **sampled coordinates**: each layer's first and last entries of W and b (where off-by-one
  slices go wrong) and a few random ones, entrywise against central differences; a failure
  names the layer and the index.

Parameters travel as ``Params = (weights, biases)``: lists with one (n_out, n_in) and one
(n_out, 1) array per layer, like ``NeuralNetwork.weights`` and ``.biases``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph
from conformance.core.implementation import impl as bp
from conformance.helpers.numerics import (
    EPS,
    FD_ATOL,
    FD_RTOL,
    FD_STEP,
    MIN_PROBABILITY,
    NetCase,
    reference_network,
)

Params = tuple[list[np.ndarray], list[np.ndarray]]

#: Random directions per check. An error e in the gradient shows in a direction unless
#: |Z| < tol·√N/‖e‖, Z standard normal. A 1% scale error of [784, 128, 10] has ‖e‖ ≈ 0.08,
#: against tol ≈ 3e-5 and √N ≈ 319: each direction misses it with P(|Z| < 0.12) ≈ 0.1, all 8
#: with ≈ 1e-8 (and the sampled coordinates catch it on their own).
N_DIRECTIONS = 8
#: Random entries of each W[i] and each b[i], besides its first and last.
RANDOM_ENTRIES = 3

#: Step along a unit direction. Each parameter moves by about h/√N ≈ 3e-8 and each hidden
#: pre-activation by about 0.3·h ≈ 3e-6 (measured), far inside KINK_MARGIN.
DIRECTION_STEP = 1e-5
#: 10× the method's error. Rounding: a loss value is off by a few ulp (≤ 3 ulp measured for
#: every correct implementation; 16 allowed) of L ≤ ln(1/MIN_PROBABILITY) ≈ 6.9, so the
#: difference quotient is off by ≤ 16·ε·6.9/h ≈ 2.5e-9. Truncation: h²/6·|L'''| ≈ 2e-11 with
#: |L'''| ≤ 1 along a unit direction (≈ 3e-4 measured).
DIRECTION_ATOL = 10 * 16 * EPS * math.log(1 / MIN_PROBABILITY) / DIRECTION_STEP
#: A loss that guards log with ε ≤ 1e-10, −log(p + ε), scales sample s's term g_s of ∇L by
#: p/(p + ε), i.e. shifts ∇L by Σ_s c_s·g_s with 0 ≤ c_s ≤ ε/MIN_PROBABILITY = 1e-7; by
#: Cauchy–Schwarz that moves uᵀ∇L by at most 1e-7·Σ_s‖g_s‖ for every unit u. The tolerance is
#: DIRECTION_RTOL·Σ_s‖g_s‖ + DIRECTION_ATOL, 10× that bound; Σ_s‖g_s‖ ≈ 3–4·‖∇L‖ here.
DIRECTION_RTOL = 1e-6

#: Skip (not fail) a check projected to take longer than this fraction of --impl-timeout: a
#: scalar autodiff engine is correct but needs about a minute per pass of [784, 128, 10]. On a
#: busy 2-core machine, networks of matrix products project to ≤ 2 s, such an engine to ≥ 300 s
#: (itself an underestimate: its garbage collection grows with the network).
TIME_FRACTION = 0.1
#: (hidden width, samples) of the two small networks timed to project a pass of a large one,
#: and how many passes of each are timed.
PROBES = ((2, 1), (16, 2))
PROBE_REPEATS = 3

HINT_DIRECTION = (
    "uᵀ(dW, db) adds up the errors of every entry, so a direction that disagrees says "
    "something is wrong, not where; against the kit's reference"
)


# -- parameters and directions ------------------------------------------------------------------


def params_of(case: NetCase) -> Params:
    return list(case.weights), list(case.biases)


def random_direction(layers: Sequence[int], seed: int) -> Params:
    """A signed Gaussian direction, shaped like the parameters of ``layers`` and of unit length
    over all of them jointly; drawn from ``seed`` in the order W0, b0, W1, b1, …"""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layers, layers[1:]):
        weights.append(rng.standard_normal((n_out, n_in)))
        biases.append(rng.standard_normal((n_out, 1)))
    norm = math.sqrt(dot((weights, biases), (weights, biases)))
    return [W / norm for W in weights], [b / norm for b in biases]


def dot(a: Params, b: Params) -> float:
    """Σ over every layer of ⟨a.W, b.W⟩ + ⟨a.b, b.b⟩."""
    return math.fsum(float(np.vdot(x, y)) for x, y in zip(a[0] + a[1], b[0] + b[1]))


def shifted(theta: Params, u: Params, t: float) -> Params:
    """θ + t·u, new arrays."""
    return [W + t * U for W, U in zip(theta[0], u[0])], [b + t * v for b, v in zip(theta[1], u[1])]


def random_directions(
    case: NetCase, rng: np.random.Generator, h: float, reference: Reference
) -> Iterator[tuple[int, Params, Params, Params]]:
    """(seed, u, θ + hu, θ − hu) for seeds drawn from ``rng``, skipping those whose steps would
    carry a hidden pre-activation across ReLU's kink (Reference.clear_of_kinks)."""
    theta = params_of(case)
    for _ in range(1000):
        seed = int(rng.integers(2**32))
        u = random_direction(case.layers, seed)
        plus, minus = shifted(theta, u, h), shifted(theta, u, -h)
        if reference.clear_of_kinks(plus, minus):
            yield seed, u, plus, minus
    raise RuntimeError(f"kit: too few directions keep {case!r} clear of ReLU's kink")


# -- coordinates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coordinate:
    """One entry of one parameter array: ``kind`` "W" or "b", ``layer`` i, ``index`` (r, c)."""

    kind: str
    layer: int
    index: tuple[int, int]

    @property
    def gradient(self) -> str:
        """Where the implementation reports it, e.g. ``dW[0][37, 400]``."""
        return f"d{self.kind}[{self.layer}][{self.index[0]}, {self.index[1]}]"

    def array(self, params: Params) -> np.ndarray:
        """This coordinate's array (W[i] or b[i]) of ``params``."""
        return params[self.kind == "b"][self.layer]

    def of(self, params: Params) -> float:
        return float(self.array(params)[self.index])

    def shifted(self, theta: Params, t: float) -> Params:
        """θ with this entry moved by t; only its array is new."""
        weights, biases = list(theta[0]), list(theta[1])
        arrays = weights if self.kind == "W" else biases
        arrays[self.layer] = arrays[self.layer].copy()
        arrays[self.layer][self.index] += t
        return weights, biases


def sample_coordinates(
    layers: Sequence[int], rng: np.random.Generator, n_random: int = RANDOM_ENTRIES
) -> list[Coordinate]:
    """Of each W[i] and b[i]: the first and last entries and ``n_random`` distinct random ones
    between them, in order from the output layer back (where a bug enters backward)."""
    coordinates = []
    for i in reversed(range(len(layers) - 1)):
        for kind, shape in (("W", (layers[i + 1], layers[i])), ("b", (layers[i + 1], 1))):
            size = math.prod(shape)
            picked = {0, size - 1}
            inner = size - 2
            if inner > 0:
                drawn = rng.choice(inner, min(n_random, inner), replace=False)
                picked |= {int(k) + 1 for k in drawn}
            for k in sorted(picked):
                r, c = np.unravel_index(k, shape)
                coordinates.append(Coordinate(kind, i, (int(r), int(c))))
    return coordinates


# -- the implementation's loss ------------------------------------------------------------------


def loss_function(net: Any, case: NetCase) -> Callable[[Params], float]:
    """θ ↦ net.cross_entropy_loss(net.forward(X), Y) with θ put into ``net`` item by item, as
    nh.build does (copies, so the implementation cannot alias the kit's arrays).

    Only arrays not already in ``net`` are sent: in grading mode each one crosses a pipe, and a
    coordinate changes one array of the network.
    """
    n = len(case.weights)
    sent: list[list[Any]] = [[None] * n, [None] * n]

    def loss(theta: Params) -> float:
        __tracebackhide__ = True
        for arrays, target, last in zip(theta, (net.weights, net.biases), sent):
            for i, a in enumerate(arrays):
                if a is not last[i]:
                    target[i] = a.copy()
                    last[i] = a
        y_pred = ph.as_array(
            "net.forward(X)", net.forward(case.X.copy()), shape=(case.layers[-1], case.batch)
        )
        return ph.as_float(
            "net.cross_entropy_loss(y_pred, Y)", net.cross_entropy_loss(y_pred, case.Y.copy())
        )

    return loss


def central_difference(
    loss: Callable[[Params], float], plus: Params, minus: Params, h: float
) -> float:
    """(L(plus) − L(minus)) / 2h."""
    __tracebackhide__ = True
    return (loss(plus) - loss(minus)) / (2 * h)


def directional_difference(
    loss: Callable[[Params], float], case: NetCase, u: Params, h: float
) -> float:
    """(L(θ + hu) − L(θ − hu)) / 2h at the case's parameters θ."""
    theta = params_of(case)
    return central_difference(loss, shifted(theta, u, h), shifted(theta, u, -h), h)


def coordinate_difference(
    loss: Callable[[Params], float], case: NetCase, coordinate: Coordinate, h: float
) -> float:
    """(L(θ + h e) − L(θ − h e)) / 2h for the coordinate's unit vector e."""
    theta = params_of(case)
    return central_difference(loss, coordinate.shifted(theta, h), coordinate.shifted(theta, -h), h)


# -- what the kit knows about the case ----------------------------------------------------------


class Reference:
    """The kit's reference network on the case: kinks, tolerance scales and hints, never the
    verdict. One network, given each parameter set in turn (the reference's forward reads its
    lists and writes nothing into the arrays)."""

    def __init__(self, case: NetCase):
        self.case = case
        self.net = reference_network(case.weights, case.biases)
        self.net.forward(case.X)
        self.net.backward(case.Y)
        #: ∇L, shaped as Params.
        self.gradient: Params = (list(self.net.dW), list(self.net.db))
        #: Σ_s‖g_s‖, the sum over samples of the norm of sample s's term g_s = ∇L_s/m of ∇L.
        self.sample_norms = 0.0
        for s in range(case.batch):
            self.net.forward(case.X[:, [s]])
            self.net.backward(case.Y[:, [s]])
            grad_s = (self.net.dW, self.net.db)
            self.sample_norms += math.sqrt(dot(grad_s, grad_s)) / case.batch

    def clear_of_kinks(self, *ends: Params) -> bool:
        """Every hidden pre-activation moves, from θ to each of ``ends``, by less than its
        distance |z(θ)| to ReLU's kink.

        Between θ − hu and θ + hu, with no kink crossed, the first hidden layer's z is affine
        in t and the second's quadratic, whose largest move on [−h, h] is at one end; so for up
        to two hidden layers no pre-activation changes sign anywhere on the segment (deeper
        nets: at the ends, with moves of ~1e-6 against a margin of KINK_MARGIN = 1e-3).
        """
        for weights, biases in ends:
            self.net.weights, self.net.biases = weights, biases
            self.net.forward(self.case.X)
            moved = zip(self.net.z_values[:-1], self.case.hidden_z)
            if any(np.any(np.abs(z - z0) >= np.abs(z0)) for z, z0 in moved):
                return False
        return True


def locate(got: Params, reference: Params, batch: int) -> str:
    """A one-line guess at where ``got`` goes wrong, from the reference's gradient, searched
    from the output layer back (where a bug enters backward)."""
    for i in reversed(range(len(got[0]))):
        arrays = [("dW", got[0][i], reference[0][i]), ("db", got[1][i], reference[1][i])]
        for kind, g, e in arrays:
            if diagnosis := nh.diagnose(g, e, batch):
                return f"net.{kind}[{i}]: {diagnosis}"
            scrambled = e.T.reshape(e.shape)
            if min(g.shape) > 1 and g.shape[0] != g.shape[1] and np.allclose(g, scrambled):
                return (
                    f"net.{kind}[{i}] is the transpose of its gradient reshaped to "
                    f"{g.shape}: compute dz @ aᵀ, not (a @ dzᵀ).reshape(W.shape)"
                )
        off = {kind: ~(np.abs(g - e) <= 1e-6 * np.max(np.abs(e))) for kind, g, e in arrays}
        if i < len(got[0]) - 1 and all(o.any() for o in off.values()):
            return (
                f"net.dW[{i}] and net.db[{i}] are off, every layer after them is right: the "
                f"error is in dz of layer {i}, the step back through weights[{i + 1}], "
                f"dz_{i} = (W_{i + 1}ᵀ @ dz_{i + 1}) * relu'(z_{i})"
            )
        for kind, g, e in arrays:
            if not off[kind].any():
                continue
            rows = np.flatnonzero(np.all(g == 0, axis=1) & np.any(e != 0, axis=1))
            if rows.size:
                return f"row {int(rows[0])} of net.{kind}[{i}] is all zero, but its gradient is not"
            worst = tuple(int(k) for k in np.unravel_index(np.argmax(np.abs(g - e)), e.shape))
            return (
                f"net.{kind}[{i}] is off in {int(off[kind].sum())} of {e.size} entries, most "
                f"at {list(worst)}: {g[worst]:.6g} instead of {e[worst]:.6g}"
            )
    return (
        "dW and db agree with the kit's reference gradient, so the loss is what disagrees: the "
        "gradient must be that of net.cross_entropy_loss(net.forward(X), Y), the mean loss"
    )


# -- the checks ---------------------------------------------------------------------------------


def rebuild(case: NetCase) -> str:
    """Lines that rebuild the case (too large to print) and the network carrying it."""
    return (
        "from conformance.helpers import sampled_gradients as sg\n"
        "from conformance.helpers.numerics import make_case\n"
        f"case = make_case({case.layers}, {case.batch}, {case.seed})\n"
        "net = bp.NeuralNetwork(case.layers)\n"
        "net.weights[:] = [W.copy() for W in case.weights]\n"
        "net.biases[:] = [b.copy() for b in case.biases]\n"
        "net.forward(case.X.copy()); net.backward(case.Y.copy())\n"
        "loss = sg.loss_function(bp.NeuralNetwork(case.layers), case)\n"
    )


@contextlib.contextmanager
def reproduced_by(code: str) -> Iterator[None]:
    """A failure raised inside gets ``code`` as its reproduction, in place of one that would
    print the case's arrays as shapes."""
    __tracebackhide__ = True
    try:
        yield
    except AssertionError as err:
        notes = [n for n in getattr(err, "__notes__", []) if not n.startswith("reproduce:")]
        err.__notes__ = [*notes, ph.snippet(code, {})]
        raise


def analytic_gradient(case: NetCase) -> Params:
    """The implementation's dW, db after forward(X), backward(Y), as the kit's own copies."""
    __tracebackhide__ = True
    with reproduced_by(rebuild(case) + "net.dW, net.db"):
        dW, db = nh.gradients(nh.build(case), case)
    return [g.copy() for g in dW], [g.copy() for g in db]


def check_sampled_gradients(case: NetCase, rng: np.random.Generator) -> None:
    """The implementation's dW, db at sampled entries (a failure names one), then along random
    directions (which see every entry at once); a failure says whether the other part agrees."""
    __tracebackhide__ = True
    got = analytic_gradient(case)
    reference = Reference(case)
    loss = loss_function(bp.NeuralNetwork(list(case.layers)), case)
    failures = []
    for check in (check_coordinates, check_directions):
        try:
            check(case, rng, got, reference, loss)
        except AssertionError as err:
            failures.append(err)
    if not failures:
        return
    first = failures[0]
    notes = getattr(first, "__notes__", [])
    if len(failures) == 2 and str(failures[1]).startswith("direction "):
        notes.insert(0, f"the random directions disagree too: {str(failures[1]).split('; ')[-1]}")
    elif str(first).startswith("direction "):
        notes.insert(
            0,
            f"all {n_entries(case.layers)} sampled entries agree, each layer's first and last "
            "among them: the error is in entries not sampled, or spread thin",
        )
    first.__notes__ = notes
    raise first


def check_coordinates(
    case: NetCase,
    rng: np.random.Generator,
    got: Params,
    reference: Reference,
    loss: Callable[[Params], float],
    n_random: int = RANDOM_ENTRIES,
) -> None:
    """dW, db (``got``) at sampled entries against central differences of ``loss`` with step
    FD_STEP, each within FD_ATOL + FD_RTOL·max|∇L| of its array, as the full check (the maximum
    from the reference: the numeric gradient of the whole array is what this check avoids)."""
    __tracebackhide__ = True
    theta, h = params_of(case), FD_STEP
    coordinates = sample_coordinates(case.layers, rng, n_random)
    off = []
    for n, c in enumerate(coordinates):
        plus, minus = c.shifted(theta, h), c.shifted(theta, -h)
        if not reference.clear_of_kinks(plus, minus):  # KINK_MARGIN is 1000 steps
            raise RuntimeError(f"kit: a step of {h:g} in {c.gradient} crosses ReLU's kink")
        call = f"sg.coordinate_difference(loss, case, sg.{c!r}, {h!r})"
        with reproduced_by(rebuild(case) + call):
            numeric = central_difference(loss, plus, minus, h)
        analytic = c.of(got)
        scale = float(np.max(np.abs(c.array(reference.gradient))))
        tolerance = FD_ATOL + FD_RTOL * scale
        if not abs(analytic - numeric) <= tolerance:
            off.append((n, c, analytic, numeric, tolerance))
    if not off:
        return
    n, c, analytic, numeric, tolerance = off[0]  # the one nearest the output
    err = abs(analytic - numeric)
    rel = err / abs(numeric) if numeric else np.inf
    ph.fail(
        f"coordinate {n + 1} of {len(coordinates)}: net.{c.gradient}={analytic!r}, but should "
        f"be {numeric!r}, the central difference with step {h:g} in {c.gradient[1:]} of "
        f"net.cross_entropy_loss(net.forward(X), Y) (abs err {err:.3g}, rel err {rel:.3g}; "
        f"tolerance {tolerance:.3g} = {FD_ATOL:g} + {FD_RTOL:g}·max|∇L| of "
        f"{c.kind}[{c.layer}]); {len(off)} of {len(coordinates)} sampled entries are off",
        call=rebuild(case)
        + f"net.{c.gradient}, sg.coordinate_difference(loss, case, sg.{c!r}, {h!r})",
        hint=f"against the kit's reference: {locate(got, reference.gradient, case.batch)}",
    )


def check_directions(
    case: NetCase,
    rng: np.random.Generator,
    got: Params,
    reference: Reference,
    loss: Callable[[Params], float],
    n_directions: int = N_DIRECTIONS,
) -> None:
    """uᵀ(dW, db) (``got``) against (L(θ + hu) − L(θ − hu)) / 2h of ``loss`` for
    ``n_directions`` random u."""
    __tracebackhide__ = True
    tolerance = DIRECTION_RTOL * reference.sample_norms + DIRECTION_ATOL
    h = DIRECTION_STEP
    results = []
    directions = random_directions(case, rng, h, reference)
    for k, (seed, u, plus, minus) in zip(range(n_directions), directions):
        call = f"u = sg.random_direction(case.layers, {seed})\n"
        call += f"sg.directional_difference(loss, case, u, {h!r})"
        with reproduced_by(rebuild(case) + call):
            numeric = central_difference(loss, plus, minus, h)
        results.append((k, seed, dot(got, u), numeric))
    off = [r for r in results if not abs(r[2] - r[3]) <= tolerance]  # NaN is off
    if not off:
        return
    k, seed, analytic, numeric = max(off, key=lambda r: np.nan_to_num(abs(r[2] - r[3]), nan=np.inf))
    ph.fail(
        f"direction {k + 1} of {n_directions}: uᵀ(net.dW, net.db)={analytic!r}, but should be "
        f"{numeric!r}, the central difference (L(θ + hu) − L(θ − hu))/2h with h={h:g} of "
        f"L = net.cross_entropy_loss(net.forward(X), Y) (abs err {abs(analytic - numeric):.3g}; "
        f"tolerance {tolerance:.3g} = {DIRECTION_RTOL:g}·Σ_s‖∇L_s‖ + {DIRECTION_ATOL:.2g}); "
        f"{len(off)} of {n_directions} directions are off",
        call=rebuild(case)
        + f"u = sg.random_direction(case.layers, {seed})  # unit length over all layers\n"
        + f"sg.dot((net.dW, net.db), u), sg.directional_difference(loss, case, u, {h!r})",
        hint=f"{HINT_DIRECTION}: {locate(got, reference.gradient, case.batch)}",
    )


# -- cost ---------------------------------------------------------------------------------------


def seconds_per_pass(case: NetCase) -> float:
    """Projected seconds of one forward pass of the case, from timed passes of two small
    networks of its input and output widths (PROBES): their fixed cost plus the marginal cost
    per parameter × sample, which a network of Python scalars pays in full and one of matrix
    products hardly at all (so call overhead, a pipe's in grading mode, is not scaled up).

    Each is the best of PROBE_REPEATS passes, taken in turn: a busy machine only ever adds
    time, and added to the smaller probe alone it would hide the marginal cost.
    """
    probes = []
    for hidden, batch in PROBES:
        layers = [case.layers[0], hidden, case.layers[-1]]
        X = case.X[:, :batch].copy()
        probes.append((bp.NeuralNetwork(layers), X, n_params(layers) * X.shape[1]))
    best = [math.inf] * len(probes)
    for _ in range(PROBE_REPEATS):
        for k, (net, X, _work) in enumerate(probes):
            start = time.perf_counter()
            net.forward(X)
            best[k] = min(best[k], time.perf_counter() - start)
    (work0, work1), (t0, t1) = [work for _, _, work in probes], best
    marginal = max(0.0, (t1 - t0) / (work1 - work0))
    return t0 + marginal * (n_params(case.layers) * case.batch - work0)


def too_slow(case: NetCase, passes: int, time_limit: float) -> str | None:
    """Why ``passes`` forward passes of the case would take more than TIME_FRACTION of
    ``time_limit`` seconds (0: no limit), or None."""
    if time_limit <= 0:
        return None
    projected = passes * seconds_per_pass(case)
    if projected <= TIME_FRACTION * time_limit:
        return None
    return (
        f"net.forward is too slow for this check: timed on small networks, the {passes} "
        f"forward passes of {case.layers} on {case.batch} samples it needs would take about "
        f"{projected:.2g} s, more than {TIME_FRACTION:g} of --impl-timeout={time_limit:g}; the "
        "small networks of this area check the same gradients, and with matrix products "
        "(W @ a) this check takes well under a second"
    )


def n_params(layers: Sequence[int]) -> int:
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layers, layers[1:]))


def passes(n_differences: int) -> int:
    """Forward passes of a check: forward and backward for dW, db, two per difference."""
    return 2 + 2 * n_differences


def n_entries(layers: Sequence[int]) -> int:
    """How many entries sample_coordinates picks (fewer only from arrays of under 5 entries)."""
    return 2 * (len(layers) - 1) * (2 + RANDOM_ENTRIES)


def n_differences(layers: Sequence[int]) -> int:
    """Central differences of check_sampled_gradients: sampled entries, then directions."""
    return n_entries(layers) + N_DIRECTIONS
