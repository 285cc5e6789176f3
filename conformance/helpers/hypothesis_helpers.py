"""Hypothesis strategies of the suite (imported as ``hh``); sizes bound by named constants.

Every element is a finite float64. Network cases are drawn as (layers, batch, seed) so that
Hypothesis shrinks to a small architecture and the arrays come from a seeded generator.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conformance.conventions.adapter import depth_skip
from conformance.core.implementation import impl
from conformance.helpers.numerics import NetCase, make_case

MAX_DIMS = 3
MAX_SIDE = 5
MAX_CLASSES = 8
MAX_BATCH = 6
MAX_WIDTH = 6
#: Largest finite float64 magnitude the suite feeds in (≈ 1.8e308 is the float64 limit).
HUGE = 1e308

shapes = hnp.array_shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE)
#: Any finite float64, subnormals and the extremes included.
any_floats = st.floats(allow_nan=False, allow_infinity=False)
moderate_floats = st.floats(-30, 30, allow_nan=False)


LAYOUTS = ("C", "F", "strided")


def relayout(a: np.ndarray, layout: str) -> np.ndarray:
    """The same values in C order, Fortran order, or as a non-contiguous view: an
    implementation must not assume its input is C-contiguous."""
    if layout == "F":
        return np.asfortranarray(a)
    if layout == "strided":
        wide = np.zeros((*a.shape, 2))
        wide[..., 0] = a
        return wide[..., 0]
    return a


def copy_of(a: np.ndarray) -> np.ndarray:
    """A copy in the same layout as ``a`` (``a.copy()`` is always C-ordered): what a check
    passes to the implementation, so that the layout drawn is the layout it gets."""
    if a.flags.c_contiguous or a.flags.f_contiguous:
        return a.copy(order="K")
    return relayout(a, "strided")  # a new buffer, written from a


def arrays(
    elements: st.SearchStrategy[float] = any_floats,
    shape: st.SearchStrategy[tuple[int, ...]] = shapes,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of any layout (see relayout)."""
    values = hnp.arrays(np.float64, shape, elements=elements)
    # Mapped, not st.builds: a failure then prints the array drawn, not ``relayout(<...>)``
    # (the same draws in the same order, so the same examples).
    return st.tuples(values, st.sampled_from(LAYOUTS)).map(_relayout_pair)


def _relayout_pair(pair: tuple[np.ndarray, str]) -> np.ndarray:
    return relayout(*pair)


@st.composite
def logits(draw: st.DrawFn, *, ndim: int | None = None) -> np.ndarray:
    """1-D or 2-D logits (n_classes, n_samples) of arbitrary finite values."""
    ndim = draw(st.sampled_from([1, 2]), label="ndim") if ndim is None else ndim
    n = draw(st.integers(1, MAX_CLASSES), label="n_classes")
    shape = (n,) if ndim == 1 else (n, draw(st.integers(1, MAX_BATCH), label="n_samples"))
    return draw(arrays(any_floats, st.just(shape)), label="z")


@st.composite
def exact_shift_logits(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Logits and a per-column shift c such that z + c is exact in float64.

    Column j holds integers · 2^e_j with |integers| < 2^20 and e_j anywhere in [−30, 950]:
    columns of wildly different scales in one batch, whose shifted sums round nowhere, so
    softmax(z + c) must equal softmax(z) to rounding of the softmax itself.
    """
    n = draw(st.integers(2, MAX_CLASSES), label="n_classes")
    m = draw(st.integers(1, MAX_BATCH), label="n_samples")
    ints = st.integers(-(2**20), 2**20)
    exps = np.array(
        draw(st.lists(st.integers(-30, 950), min_size=m, max_size=m), label="exponents")
    )
    mant = np.array(
        draw(
            st.lists(st.lists(ints, min_size=m, max_size=m), min_size=n, max_size=n),
            label="mantissas",
        ),
        dtype=np.float64,
    )
    shift = np.array(draw(st.lists(ints, min_size=m, max_size=m), label="shifts"), dtype=np.float64)
    scale = np.ldexp(1.0, exps)
    return mant * scale, shift[None, :] * scale


@st.composite
def distributions(draw: st.DrawFn, n: int | None = None, *, zeros: bool = True) -> np.ndarray:
    """A 1-D probability vector; with ``zeros`` some entries may be exactly 0."""
    n = draw(st.integers(1, MAX_CLASSES), label="n") if n is None else n
    low = 0.0 if zeros else 1e-3
    w = np.array(draw(st.lists(st.floats(low, 1.0), min_size=n, max_size=n), label="weights"))
    assume(w.sum() > 0.1)
    return w / w.sum()


def depths(min_layers: int, max_layers: int) -> st.SearchStrategy[int]:
    """Numbers of layer sizes from min_layers to max_layers, those the network supports
    (conformance.conventions); none: the check is skipped, saying why."""
    conv = impl.conventions
    if conv.hidden is None:
        return st.integers(min_layers, max_layers)
    allowed = [n for n in range(min_layers, max_layers + 1) if n - 2 in conv.hidden]
    if not allowed:
        low, high = min_layers - 2, max_layers - 2
        depth_skip(conv, impl.name, f"networks of {low} to {high} hidden layers")
    return st.sampled_from(allowed)


@st.composite
def net_cases(
    draw: st.DrawFn, *, min_layers: int = 2, max_layers: int = 5, equal_hidden: bool = False
) -> NetCase:
    """A well-conditioned network case: ReLU pre-activations clear of 0, probabilities ≥ 1e-3.

    ``max_layers`` counts layer sizes (weight layers + 1). With ``equal_hidden`` every layer
    after the input has one width (the classes too), so every W that backward multiplies by is
    square and using W where Wᵀ belongs runs, giving wrong values instead of a shape error.
    """
    depth = draw(depths(min_layers, max_layers), label="n_layer_sizes")
    if equal_hidden:
        width = draw(st.integers(2, MAX_WIDTH), label="hidden_width")
        hidden = [width] * (depth - 2)
    else:
        hidden = draw(
            st.lists(st.integers(1, MAX_WIDTH), min_size=depth - 2, max_size=depth - 2),
            label="hidden",
        )
    n_in = draw(st.integers(1, MAX_WIDTH), label="n_features")
    n_out = width if equal_hidden else draw(st.integers(2, 5), label="n_classes")
    batch = draw(st.integers(1, MAX_BATCH), label="batch")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    case = make_case([n_in, *hidden, n_out], batch, seed)
    assume(case.well_conditioned())
    return case
