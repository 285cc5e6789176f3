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

The directions, coordinates, differences and tolerances are in
conformance.helpers.sampled_differences; this module runs the check and words its failures.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator, Sequence

import numpy as np

from conformance.core.implementation import impl as bp
from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers import recognisers
from conformance.helpers.numerics import FD_ATOL, FD_RTOL, FD_STEP, NetCase
from conformance.helpers.sampled_differences import (
    DIRECTION_ATOL,
    DIRECTION_RTOL,
    DIRECTION_STEP,
    N_DIRECTIONS,
    RANDOM_ENTRIES,
    Coordinate,
    Loss,
    Params,
    Reference,
    coordinate_difference,
    directional_difference,
    dot,
    loss_function,
    params_of,
    random_direction,
    random_directions,
    sample_coordinates,
)

#: What the suite calls, and what the reproduction snippets of a failure (rebuild) call as
#: ``sg.NAME``: Coordinate, coordinate_difference, directional_difference and random_direction
#: live in sampled_differences and are re-exported, so that a snippet needs one import.
__all__ = [
    "Coordinate",
    "check_sampled_gradients",
    "coordinate_difference",
    "directional_difference",
    "dot",
    "loss_function",
    "n_differences",
    "passes",
    "random_direction",
    "too_slow",
]

#: Skip (not fail) a check projected to take longer than this fraction of --impl-timeout: a
#: scalar autodiff engine is correct but needs about a minute per pass of [784, 128, 10]. On a
#: busy 2-core machine, networks of matrix products project to ≤ 2 s, such an engine to ≥ 300 s
#: (itself an underestimate: its garbage collection grows with the network).
TIME_FRACTION = 0.1
#: (hidden width, samples) of the small networks timed, in turn, to project a pass of a large
#: one; then the large one itself. The climb stops at the first whose best pass takes SETTLED
#: seconds, so a projection is scaled up only from a pass that long, which noise of a few ms
#: on a loaded machine cannot turn into seconds (projected from the first two probes alone, a
#: 3 ms stall became 20 s and skipped a correct torch network's check).
PROBES = ((2, 1), (16, 2), (32, 4))
#: Best of this many passes of each: a busy machine only ever adds time, and a stall in one
#: pass must not settle a climb that matrix products would finish in milliseconds.
PROBE_REPEATS = 3
SETTLED = 0.2

HINT_DIRECTION = (
    "uᵀ(dW, db) adds up the errors of every entry, so a direction that disagrees says "
    "something is wrong, not where; against the kit's reference"
)


# -- where the gradient goes wrong --------------------------------------------------------------


def locate(got: Params, reference: Params, batch: int) -> str:
    """A one-line guess at where ``got`` goes wrong, from the reference's gradient, searched
    from the output layer back (where a bug enters backward)."""
    for i in reversed(range(len(got[0]))):
        arrays = [("dW", got[0][i], reference[0][i]), ("db", got[1][i], reference[1][i])]
        for kind, g, e in arrays:
            if diagnosis := recognisers.gradient(g, e, batch):
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
    loss: Loss,
    n_random: int = RANDOM_ENTRIES,
) -> None:
    """dW, db (``got``) at sampled entries against central differences of ``loss`` with step
    FD_STEP, each within FD_ATOL + FD_RTOL·max|∇L| of its array, as the full check (the maximum
    from the reference: the numeric gradient of the whole array is what this check avoids)."""
    __tracebackhide__ = True
    theta, h = params_of(case), FD_STEP
    coordinates = sample_coordinates(case.layers, rng, n_random)
    points = []
    for c in coordinates:
        plus, minus = c.shifted(theta, h), c.shifted(theta, -h)
        if not reference.clear_of_kinks(plus, minus):  # KINK_MARGIN is 1000 steps
            raise RuntimeError(f"kit: a step of {h:g} in {c.gradient} crosses ReLU's kink")
        points += [plus, minus]
    losses = loss.many(points)  # one loop where the submission runs
    off = []
    for n, c in enumerate(coordinates):
        call = f"sg.coordinate_difference(loss, case, sg.{c!r}, {h!r})"
        with reproduced_by(rebuild(case) + call):
            numeric = (losses[2 * n]() - losses[2 * n + 1]()) / (2 * h)
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
    loss: Loss,
    n_directions: int = N_DIRECTIONS,
) -> None:
    """uᵀ(dW, db) (``got``) against (L(θ + hu) − L(θ − hu)) / 2h of ``loss`` for
    ``n_directions`` random u."""
    __tracebackhide__ = True
    tolerance = DIRECTION_RTOL * reference.sample_norms + DIRECTION_ATOL
    h = DIRECTION_STEP
    results = []
    directions = list(zip(range(n_directions), random_directions(case, rng, h, reference)))
    losses = loss.many([p for _, (_, _, plus, minus) in directions for p in (plus, minus)])
    for k, (seed, u, _, _) in directions:
        call = f"u = sg.random_direction(case.layers, {seed})\n"
        call += f"sg.directional_difference(loss, case, u, {h!r})"
        with reproduced_by(rebuild(case) + call):
            numeric = (losses[2 * k]() - losses[2 * k + 1]()) / (2 * h)
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
    """Projected seconds of one forward pass of the case, from timed passes of growing networks
    of its input and output widths (PROBES), then of the case itself: the last one timed plus
    the marginal cost per parameter × sample between the last two, which a network of Python
    scalars pays in full and one of matrix products hardly at all (so call overhead, a pipe's
    in grading mode, is not scaled up). The climb stops at the first pass of SETTLED seconds.
    """
    probes = [([case.layers[0], hidden, case.layers[-1]], batch) for hidden, batch in PROBES]
    probes = [
        (layers, batch)
        for layers, batch in probes
        if work(layers, batch) < work(case.layers, case.batch)
    ]
    timed: list[tuple[int, float]] = []
    for layers, batch in [*probes, (list(case.layers), case.batch)]:
        net, X = bp.NeuralNetwork(layers), case.X[:, :batch].copy()
        best = math.inf
        for _ in range(PROBE_REPEATS):
            start = time.perf_counter()
            net.forward(X)
            best = min(best, time.perf_counter() - start)
        timed.append((work(layers, batch), best))
        if best >= SETTLED:
            break
    (work1, t1) = timed[-1]
    if len(timed) == 1:
        return t1 * work(case.layers, case.batch) / work1
    (work0, t0) = timed[-2]
    marginal = max(0.0, (t1 - t0) / (work1 - work0))
    return t1 + marginal * (work(case.layers, case.batch) - work1)


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
        "this check takes well under a second"
    )


def work(layers: Sequence[int], batch: int) -> int:
    """Multiply-adds of a forward pass, near enough: parameters × samples."""
    return n_params(layers) * batch


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
