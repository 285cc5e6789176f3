"""Recognisers of common mistakes, from how what a network gave relates to what it should give.

Each returns a one-line hint only when the evidence for it holds, and None otherwise: a hint
that guesses wrong teaches the wrong thing, so a failure without a recognised pattern shows its
numbers and the contract's formula, not a guess. Arrays of one or two entries carry no pattern
(any two numbers have "the same ratio" to a 2-class gradient, whose rows are ±d), so
claims about every entry need at least MIN_PATTERN_ENTRIES of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Fewest entries a "every entry is …" claim is made from.
MIN_PATTERN_ENTRIES = 3
#: Relative agreement that counts as "the same" for a recognised pattern: far looser than
#: rounding (1e-15), far tighter than a coincidence of two unrelated computations.
SAME_RTOL = 1e-6
#: What db is, for the hints of a db summed over more than the samples.
DB_SUM = "db sums over the samples only, np.sum(dz, axis=1, keepdims=True)"


def _close(a, b, scale: float) -> bool:
    return bool(np.allclose(a, b, rtol=SAME_RTOL, atol=1e-9 * scale))


def _constant_ratio(got: np.ndarray, expected: np.ndarray, scale: float) -> float | None:
    """The factor k with got = k·expected in every entry that matters, if there is one."""
    mask = np.abs(expected) > 1e-3 * scale
    if mask.sum() < MIN_PATTERN_ENTRIES or not _close(got[~mask], 0, scale):
        return None
    ratios = got[mask] / expected[mask]
    return float(ratios[0]) if _close(ratios, ratios[0], 1.0) else None


def gradient(
    got: np.ndarray,
    expected: np.ndarray,
    batch: int,
    per_sample: Sequence[np.ndarray] = (),
) -> str | None:
    """A one-line account of how a gradient array ``got`` departs from ``expected``;
    ``per_sample`` holds the gradient of each sample's loss alone (the batch mean of them is
    ``expected``), so that a gradient taken from one sample can be recognised."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    scale = float(np.max(np.abs(expected)))
    if scale == 0 or not np.isfinite(scale):
        return None
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and _close(got.T, expected, scale):
        return "it is the transpose of the expected gradient: check W vs Wᵀ and a vs aᵀ"
    if _close(got, 0, scale):
        if got.ndim == 2 and got.shape[1] == 1 and _close(expected.sum(), 0, scale):
            return (
                "it is 0 in every entry, but the gradient is not; a sum over units and samples "
                "together (np.sum without axis=) gives 0 here, as y_pred − y_true sums to 0 "
                f"over the classes: {DB_SUM}"
            )
        return "it is zero in every entry, but the gradient is not"
    if (
        got.size >= MIN_PATTERN_ENTRIES - 1  # a column of a layer with two or more units
        and _close(got, got.flat[0], scale)
        and not _close(expected, expected.flat[0], scale)
        and _close(got.flat[0], expected.sum(), scale)
    ):
        return (
            f"every entry is {got.flat[0]:.6g}, the sum of all the expected entries: a sum "
            f"over units and samples together (np.sum without axis=); {DB_SUM}"
        )
    if batch > 1:
        for j, g in enumerate(per_sample):
            if _close(g, batch * expected, scale):
                continue  # the other samples add nothing here: one sample is the whole sum
            if _close(got, g, scale):
                return (
                    f"it equals the gradient of sample {j} alone (column {j} of X), not the "
                    f"mean over the batch's {batch} samples"
                )
            if _close(got, g / batch, scale):
                return (
                    f"it equals sample {j}'s term alone (its gradient / {batch}, column {j} of "
                    f"X): the terms of all {batch} samples must be added, not overwritten"
                )
    return common_factor(got, expected, batch)


def common_factor(got: np.ndarray, expected: np.ndarray, batch: int) -> str | None:
    """ "Every entry is k× the expected one", with what k says (m, 1/m, −1), or None: from
    at least MIN_PATTERN_ENTRIES entries that matter, and never for k ≈ 0 or 1."""
    scale = float(np.max(np.abs(expected)))
    factor = _constant_ratio(got, expected, scale) if 0 < scale < np.inf else None
    if factor is None or abs(factor) < 1e-3:
        return None
    if batch > 1 and np.isclose(factor, batch, rtol=SAME_RTOL):
        return f"every entry is {batch}× too large, with {batch} samples in the batch: divide by m"
    if batch > 1 and np.isclose(factor, 1 / batch, rtol=SAME_RTOL):
        return f"every entry is {batch}× too small: divide by m only once"
    if np.isclose(factor, -1.0, rtol=SAME_RTOL):
        return "every entry has the wrong sign: the gradient of the loss is y_pred − y_true"
    if not np.isclose(factor, 1.0, rtol=SAME_RTOL):
        return f"every entry is off by the same factor {factor:.6g}"
    return None


def step(
    before: np.ndarray,
    after: np.ndarray,
    gradient: np.ndarray,
    lr: float,
    what: str,
    unchanged: str | None = None,
) -> str | None:
    """How the step a parameter array took (``after − before``) departs from plain SGD's
    −lr·``gradient``, or None if no pattern fits. ``what`` names the array; ``unchanged``
    replaces the hint for an array that did not move (a caller that knows more)."""
    taken = np.asarray(after, dtype=np.float64) - before
    sgd = -lr * gradient
    scale = float(np.max(np.abs(sgd)))
    if not 0 < scale < np.inf or taken.shape != sgd.shape or not np.all(np.isfinite(taken)):
        return None
    if _close(taken, sgd, scale):
        return None
    if _close(taken, 0, scale):
        return (
            unchanged.format(what=what)
            if unchanged
            else (
                f"{what} did not change: the step must change the network's own arrays, in place "
                "(W -= lr * dW) or by assigning net.weights[i] (a loop's W = W − lr·dW rebinds "
                "only the loop variable)"
            )
        )
    factor = _constant_ratio(taken, sgd, scale)
    if factor is not None:
        if np.isclose(factor, -1.0, rtol=SAME_RTOL):
            return f"{what} moved by +lr·gradient: subtract the gradient (descent), not add it"
        if lr not in (0, 1) and np.isclose(factor, lr, rtol=SAME_RTOL):
            return f"{what} moved by lr²·gradient: multiply by lr once"
        if 0 < factor < 1:
            return (
                f"{what} moved by {factor:.6g}× lr·gradient in every entry: the gradient was "
                "scaled down (as norm clipping does); plain SGD steps by lr·gradient exactly"
            )
        if not np.isclose(factor, 1.0, rtol=SAME_RTOL):
            return f"{what} moved by {factor:.6g}× lr·gradient in every entry"
        return None
    cut = float(np.max(np.abs(taken)))
    clipped = np.clip(sgd, -cut, cut)
    was_cut = np.abs(sgd) > cut * (1 + SAME_RTOL)
    kept = ~was_cut & (np.abs(sgd) > 1e-3 * scale)
    # Entrywise clipping only where it is told apart from scaling: some entries cut, others
    # (nonzero) taken whole.
    if _close(taken, clipped, scale) and was_cut.any() and kept.any():
        return (
            f"{what}'s step is lr·gradient cut off at ±{cut:.6g} (the gradient clipped entrywise "
            f"to ±{cut / lr if lr else cut:.6g}): plain SGD steps by lr·gradient exactly"
        )
    shorter = np.abs(taken) <= np.abs(sgd) * (1 + SAME_RTOL) + 1e-9 * scale
    if np.all(shorter & (taken * sgd >= 0)) and not _close(np.abs(taken), np.abs(sgd), scale):
        worst = np.unravel_index(int(np.argmax(np.abs(sgd) - np.abs(taken))), sgd.shape)
        ratio = float(taken[worst] / sgd[worst])
        return (
            f"{what}'s step is shorter than lr·gradient ({ratio:.3g}× at "
            f"{list(map(int, worst))}) and nowhere longer: the step was cut short, as clipping "
            "does; plain SGD steps by lr·gradient exactly"
        )
    return None


def layout(shapes: Sequence[tuple[int, ...]], expected: Sequence[tuple[int, ...]]) -> str | None:
    """The row layout, recognised when every array whose contract shape is not square has
    the transposed shape (a bias column may instead be flat, as row-layout code often keeps
    it), and at least one does."""
    if len(shapes) != len(expected):
        return None
    reversed_seen = False
    for got, want in zip(shapes, expected):
        got, want = tuple(got), tuple(want)
        if len(want) != 2 or want[0] == want[1]:
            continue  # a square array looks the same in both layouts
        if got == want[::-1]:
            reversed_seen = True
        elif not (want[1] == 1 and got == (want[0],)):
            return None
    if not reversed_seen:
        return None
    return ROW_LAYOUT_HINT


#: The hint of a network whose every shape is transposed (conformance.layouts.display says it
#: the other way round in a run of the row layout).
ROW_LAYOUT_HINT = (
    "every shape is transposed: this network uses the row layout, X (n_samples, n_features), "
    "but the run is in the contract's column layout, X (n_features, n_samples), weights[i] "
    '(n_out, n_in), biases[i] (n_out, 1): run with --layout=rows, or declare LAYOUT = "rows"'
)
