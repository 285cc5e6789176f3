"""A failure told in the implementation's own layout.

The checks compare in the contract's column layout (``rows`` turns a row-layout network into
it, exactly); what a learner reads is turned back here: the arrays and shapes printed, the
worst index, the reproduction's inputs (run against their own module, in their own layout) and
the hints that name an axis or a shape. Only a failure of a call that carries the layout (the
network or softmax) is turned: an elementwise function, an information measure or
numerical_gradient sees the same arrays in either layout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from conformance.helpers.recognisers import ROW_LAYOUT_HINT

#: A call that carries the layout: it builds or runs the network, or calls softmax.
_CARRIES = re.compile(r"\bsoftmax\(|NeuralNetwork\(|\bnet\.|\bsg\.")

#: Column-layout phrases of the kit's messages and hints, and what they say in the row layout.
#: Plain strings are replaced as they are; patterns carry their own groups.
PHRASES: list[tuple[str | re.Pattern[str], str]] = [
    ("np.sum(dz, axis=1, keepdims=True)", "np.sum(dz, axis=0, keepdims=True)"),
    ("(np.sum without axis=, or over axis 0)", "(np.sum without axis=, or over axis 1)"),
    (
        "weights[i] is (n_out, n_in), biases[i] is (n_out, 1); dW, db match them",
        "weights[i] is (n_in, n_out), biases[i] is (1, n_out) or (n_out,); dW, db match them",
    ),
    ("batches are (n_features, n_samples)", "batches are (n_samples, n_features)"),
    (
        "subtract each column's max before exp: np.max(z, axis=0, keepdims=True)",
        "subtract each row's max before exp: np.max(z, axis=-1, keepdims=True)",
    ),
    (
        "normalise each column (axis 0) by its own sum",
        "normalise each row (the last axis) by its own sum",
    ),
    (
        "sum along axis 0 (over classes), not axis 1 (over samples)",
        "sum along the last axis (over classes), not axis 0 (over samples)",
    ),
    ("softmax(z).sum(axis=0)", "softmax(z).sum(axis=-1)"),
    (
        "W @ a + b on every layer, softmax over axis 0",
        "a @ W + b on every layer, softmax over the last axis",
    ),
    ("randn(n_out, n_in) * sqrt(2 / n_in)", "randn(n_in, n_out) * sqrt(2 / n_in)"),
    (
        "np.argmax(y_pred, axis=0): one index per column",
        "np.argmax(y_pred, axis=1): one index per row",
    ),
    ("np.argmax(y_pred, axis=0)", "np.argmax(y_pred, axis=1)"),
    (
        "compute dz @ aᵀ, not (a @ dzᵀ).reshape(W.shape)",
        "compute aᵀ @ dz, not (dzᵀ @ a).reshape(W.shape)",
    ),
    (re.compile(r"dz_(\d+) = \(W_(\d+)ᵀ @ dz_(\d+)\)"), r"dz_\1 = (dz_\3 @ W_\2ᵀ)"),
    ("dW[i] = dz_i @ a_{i}ᵀ / m", "dW[i] = a_{i}ᵀ @ dz_i / m"),
    ("dz_{i-1} = (W_iᵀ @ dz_i) * relu'(z_{i-1})", "dz_{i-1} = (dz_i @ W_iᵀ) * relu'(z_{i-1})"),
    ("with matrix products (W @ a)", "with matrix products (a @ W)"),
    (re.compile(r"\bcolumn (\d+) of X\b"), r"row \1 of X"),
    (re.compile(r"\brow (\d+) of net\.(dW|db)\b"), r"column \1 of net.\2"),
    (re.compile(r"\bmost at \[(\d+), (\d+)\]"), r"most at [\2, \1]"),
    (re.compile(r"\bnet\.(dW|db)\[(\d+)\]\[(\d+), (\d+)\]"), r"net.\1[\2][\4, \3]"),
    (
        ROW_LAYOUT_HINT,
        "every shape is transposed: this network uses the column layout, X (n_features, "
        "n_samples), but the run is in the row layout, X (n_samples, n_features), weights[i] "
        "(n_in, n_out), biases[i] (1, n_out): run without --layout=rows (and without "
        'LAYOUT = "rows" in the module)',
    ),
]


def carries(call: str | None) -> bool:
    return bool(call) and _CARRIES.search(call) is not None  # type: ignore[arg-type]


def text(line: str) -> str:
    """A message or hint with its column-layout phrases in the row layout."""
    for phrase, rows in PHRASES:
        if isinstance(phrase, str):
            line = line.replace(phrase, rows)
        else:
            line = phrase.sub(rows, line)
    return line


def array(a: np.ndarray) -> np.ndarray:
    """An array as the implementation holds it (a 1-D or 0-d one is the same in both)."""
    return a.T


def shape(s: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s)[::-1]


def index(i: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(i)[::-1]


def inputs(named: Mapping[str, Any]) -> dict[str, Any]:
    """A reproduction's inputs in the implementation's layout: every array of two or more
    dimensions transposed (a reproduction of a layout-carrying call holds only batches,
    parameters and softmax's logits)."""
    return {k: (v.T if isinstance(v, np.ndarray) and v.ndim >= 2 else v) for k, v in named.items()}
