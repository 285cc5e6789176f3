"""numerical_gradient(f, x, eps=1e-5): central differences of a scalar f at x of any shape.

Known functions with known gradients, to an accuracy only central differences reach; the
returned array shaped like x; x left unchanged.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.core.implementation import impl as bp
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import pytest_helpers as ph

pytestmark = pytest.mark.numerical_gradient

HINT = (
    "(f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps), one entry e_i at a time, over np.ndindex(x.shape)"
)

SHAPES = [(), (1,), (4,), (3, 2), (2, 3, 2)]


def smooth(x: np.ndarray) -> float:
    """Σ sin(x_i)·c_i + (Σ x_i)² / 4 with c_i = 1 + i/n: couples the entries, so a step in
    one entry that moves others shows; third derivatives ≤ 2, values ≤ ~10 for |x| ≤ 1."""
    c = 1.0 + np.arange(x.size).reshape(x.shape) / x.size
    return float(np.sum(np.sin(x) * c) + np.sum(x) ** 2 / 4)


def smooth_gradient(x: np.ndarray) -> np.ndarray:
    c = 1.0 + np.arange(x.size).reshape(x.shape) / x.size
    return np.cos(x) * c + np.sum(x) / 2


def gradient(f, x: np.ndarray, **kwargs) -> np.ndarray:
    __tracebackhide__ = True
    before = x.copy()
    args = ", ".join(["f", "x", *(f"{k}={v!r}" for k, v in kwargs.items())])
    got = bp.numerical_gradient(f, x, **kwargs)
    call = f"numerical_gradient({args})"
    ph.assert_unchanged("x", before, x, call=call, inputs={"x": before})
    return ph.as_array(call, got, shape=x.shape, call=call, inputs={"x": before})


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"shape={s}")
@given(data=st.data())
def test_matches_known_gradient(shape: tuple[int, ...], data: st.DataObject) -> None:
    """Default eps = 1e-5: central error eps²/6·|f'''| + ε·|f|/eps ≤ 3e-11 + 2e-10, so 1e-8
    passes every central difference and fails a forward difference (error ≈ eps/2·|f''| ≈ 5e-6)."""
    x = data.draw(hh.arrays(st.floats(-1, 1), st.just(shape)), label="x")  # any memory layout
    got = gradient(smooth, x)
    ph.assert_close(
        "numerical_gradient(f, x)",
        got,
        smooth_gradient(x),
        rtol=0,
        atol=1e-8,
        call="numerical_gradient(f, x)  # f = Σ sin(x)·c + (Σ x)²/4",
        inputs={"x": x},
        hint=HINT,
    )


@pytest.mark.parametrize("eps", [1e-2, 1e-3])
@pytest.mark.parametrize("layout", hh.LAYOUTS)
@pytest.mark.parametrize("shape", [(4,), (2, 2)], ids=lambda s: f"shape={s}")
def test_uses_central_differences_with_the_given_eps(
    eps: float, layout: str, shape: tuple[int, ...]
) -> None:
    """For f = Σ x³ the central difference is exactly 3x² + eps² (its truncation error),
    while a forward difference gives 3x² + 3x·eps + eps² and a step other than eps another
    error: this pins down both the formula and the step, at |x| up to 12. Rounding is
    ≤ ε·|f|/eps ≤ 5e-10 here; the tolerance is 1e-8 against a smallest error of eps² = 1e-6."""
    x = hh.relayout(np.array([0.25, 3.0, -7.5, 12.0]).reshape(shape), layout)

    def cube(v: np.ndarray) -> float:
        return float(np.sum(v**3))

    got = gradient(cube, x, eps=eps)
    ph.assert_close(
        f"numerical_gradient(f, x, eps={eps})",
        got,
        3 * x**2 + eps**2,
        rtol=1e-9,
        atol=1e-8,
        call=f"numerical_gradient(f, x, eps={eps})  # f = Σ x³",
        inputs={"x": x},
        hint=HINT + "; use the eps you are given, as it is",
    )


def test_calls_f_with_arrays_shaped_like_x() -> None:
    x = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    seen: list[tuple[int, ...]] = []

    def f(v: np.ndarray) -> float:
        seen.append(np.shape(v))
        return float(np.sum(np.asarray(v) ** 2))

    gradient(f, x)
    wrong = [s for s in seen if s != x.shape]
    if wrong:
        ph.fail(
            f"f was called with an argument of shape {wrong[0]}, but should get arrays "
            f"shaped like x {x.shape}",
            call="numerical_gradient(f, x)",
            inputs={"x": x},
            hint=HINT,
        )


def test_returns_a_new_array() -> None:
    x = np.array([0.3, -0.2])
    got = gradient(lambda v: float(np.sum(v**2)), x)
    if got is x or np.shares_memory(got, x):
        ph.fail(
            "numerical_gradient(f, x) returned x itself (or a view of it), but should return "
            "a new array",
            call="numerical_gradient(f, x)",
            inputs={"x": x},
        )
