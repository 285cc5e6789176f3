"""A failure told in the implementation's own conventions.

The checks compare in the contract's terms (``adapter`` presents the implementation in them,
exactly); what a learner reads is turned back here: in the row layout the arrays and shapes
printed, the worst index and the hints that name an axis or a shape; with integer labels or
logits, the reproduction's labels and probabilities, so that it runs against their own module
as it is. Only a failure of a call that carries the conventions (the network or softmax) is
turned: an elementwise function, an information measure or numerical_gradient sees the same
arrays in every convention.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from conformance.conventions import INTEGERS, LOGITS, ROWS, Conventions
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
    ("dW[i] = dz_i @ a_{i}ᵀ", "dW[i] = a_{i}ᵀ @ dz_i"),
    ("dz_{i-1} = (W_iᵀ @ dz_i) * relu'(z_{i-1})", "dz_{i-1} = (dz_i @ W_iᵀ) * relu'(z_{i-1})"),
    (re.compile(r"\bcolumn (\d+) of X\b"), r"row \1 of X"),
    (
        ROW_LAYOUT_HINT,
        "every shape is transposed: this network uses the column layout, X (n_features, "
        "n_samples), but the run is in the row layout, X (n_samples, n_features), weights[i] "
        "(n_in, n_out), biases[i] (1, n_out): run without --layout=rows (and without "
        'LAYOUT = "rows" in the module)',
    ),
]


#: The contract's phrases that speak of probabilities out of forward, for logits.
LOGIT_PHRASES = [
    (", softmax over the last axis", ", and forward returns the last layer's logits (no softmax)"),
    (", softmax over axis 0", ", and forward returns the last layer's logits (no softmax)"),
    (
        "starting from dz = (y_pred − y_true) / m",
        "starting from dz = (softmax(logits) − y_true) / m",
    ),
    ("np.argmax(y_pred, ", "np.argmax(logits, "),
]


def carries(call: str | None) -> bool:
    return bool(call) and _CARRIES.search(call) is not None  # type: ignore[arg-type]


def text(conventions: Conventions, line: str) -> str:
    """A message or hint with the contract's phrases in the implementation's conventions."""
    if conventions.layout == ROWS:
        for phrase, rows in PHRASES:
            if isinstance(phrase, str):
                line = line.replace(phrase, rows)
            else:
                line = phrase.sub(rows, line)
    if conventions.output == LOGITS:
        for phrase, logits in LOGIT_PHRASES:
            line = line.replace(phrase, logits)
    if conventions.labels == INTEGERS:
        line = line.replace("y_pred − y_true", "y_pred − one_hot(y_true)")
    if conventions.output == LOGITS:  # what the kit judged is the softmax of what it returned
        line = re.sub(r"(?<![\w(])net\.forward\((X|\.\.\.)\)", r"softmax(net.forward(\1))", line)
    return line


def array(a: np.ndarray) -> np.ndarray:
    """An array as the implementation holds it (a 1-D or 0-d one is the same in both)."""
    return a.T


def shape(s: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s)[::-1]


def index(i: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(i)[::-1]


def inputs(
    conventions: Conventions, named: Mapping[str, Any], flat: Sequence[bool] = ()
) -> dict[str, Any]:
    """A reproduction's inputs in the implementation's conventions: in the row layout every
    array of two or more dimensions transposed (a reproduction of a call that carries the
    conventions holds only batches, parameters and softmax's logits); one-hot labels as class
    indices; probabilities handed to the loss as logits (their log, which softmax maps back)."""
    turned = {}
    for k, v in named.items():
        if isinstance(v, np.ndarray) and v.ndim == 2:
            if k in LABEL_NAMES and conventions.labels == INTEGERS:
                v = np.argmax(v, axis=0)
            elif k in PROBABILITY_NAMES and conventions.output == LOGITS:
                with np.errstate(divide="ignore"):
                    v = np.log(v)
        if conventions.layout == ROWS and isinstance(v, np.ndarray) and v.ndim >= 2:
            v = v.T
            bias = BIAS_NAME.fullmatch(k)
            if bias and int(bias.group(1)) < len(flat) and flat[int(bias.group(1))]:
                v = v.ravel()  # the network keeps this bias flat, (n_out,)
        turned[k] = v
    return turned


#: How a reproduction names the biases it puts into the network (nh.inputs).
BIAS_NAME = re.compile(r"b(\d+)")
#: The names the checks give labels and probabilities in a reproduction.
LABEL_NAMES = {"Y", "y_true"}
PROBABILITY_NAMES = {"y_pred"}
