"""Activations and their derivatives: sigmoid, ReLU, tanh (contract: elementwise, any shape).

Checked against exact values (mpmath, golden.json) and the reference, derivatives against
finite differences of the implementation's own activation, at extreme inputs, for shapes,
dtypes and for leaving the input untouched.
"""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import reference
from conformance import fixtures
from conformance.core.implementation import impl as bp
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import ELEMENTWISE_ATOL, ELEMENTWISE_RTOL, EPS

pytestmark = pytest.mark.activations

ACTIVATIONS = ["sigmoid", "relu", "tanh"]
DERIVATIVES = ["sigmoid_derivative", "relu_derivative", "tanh_derivative"]
ELEMENTWISE = ACTIVATIONS + DERIVATIVES
#: Each function's range: outputs must lie in it for every finite input.
RANGES = {
    "sigmoid": (0.0, 1.0),
    "relu": (0.0, np.inf),
    "tanh": (-1.0, 1.0),
    "sigmoid_derivative": (0.0, 0.25),
    "relu_derivative": (0.0, 1.0),
    "tanh_derivative": (0.0, 1.0),
}
HINTS = {
    "sigmoid": "for z < 0 use e^z / (1 + e^z), so e^(−z) never overflows",
    "sigmoid_derivative": "σ'(z) = σ(z)·(1 − σ(z)), with σ taken at the pre-activation z",
    "relu_derivative": "ReLU'(z) is 1 where z > 0 and 0 elsewhere, 0 at z = 0 as in PyTorch",
    "tanh_derivative": "tanh'(z) = 1 − tanh(z)²",
}
#: Moderate values of both signs in Fortran order and as a strided view, always among the
#: examples: the drawn arrays are mostly extreme values, whose results are all 0s and 1s that
#: leftover memory can match, so an output left unwritten (an implementation that fills a
#: ravel() of it, which is a copy for such layouts) would pass.
LAYOUT_EXAMPLES = [
    hh.relayout(np.linspace(-3.0, 2.5, 24).reshape(2, 3, 4), layout) for layout in ("F", "strided")
]


def call(name: str, z: np.ndarray, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """bp.<name>(z) on a copy, checked for type, shape and dtype."""
    __tracebackhide__ = True
    got = getattr(bp, name)(hh.copy_of(z))
    return ph.as_array(
        f"{name}(z)",
        got,
        shape=z.shape if shape is None else shape,
        call=f"{name}(z)",
        inputs={"z": z},
    )


def assert_values(name: str, z: np.ndarray, expected: np.ndarray) -> None:
    """bp.<name>(z) equals ``expected`` to the elementwise tolerances."""
    __tracebackhide__ = True
    ph.assert_close(
        f"{name}(z)",
        call(name, z),
        expected,
        rtol=ELEMENTWISE_RTOL,
        atol=ELEMENTWISE_ATOL,
        call=f"{name}(z)",
        inputs={"z": z},
        hint=HINTS.get(name),
    )


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_matches_exact_values(name: str) -> None:
    """Values at 27 points from −1e300 to 1e300, against mpmath to 50 digits."""
    golden = fixtures.golden()["activations"]
    z, expected = np.array(golden["z"]), np.array(golden[name])
    assert_values(name, z, expected)


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(z=hh.arrays())
@example(z=LAYOUT_EXAMPLES[0])
@example(z=LAYOUT_EXAMPLES[1])
def test_matches_reference_on_any_finite_input(name: str, z: np.ndarray) -> None:
    """Any shape (0-d to 3-d), layout and finite float64: same values as the reference."""
    assert_values(name, z, getattr(reference, name)(z))


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(z=hh.arrays())
def test_stays_finite_and_in_range(name: str, z: np.ndarray) -> None:
    got = call(name, z)
    low, high = RANGES[name]
    # The bounds are exact; a result may round past them by the elementwise tolerance.
    slack = ELEMENTWISE_ATOL + ELEMENTWISE_RTOL * np.abs(np.array([low, high]))
    with np.errstate(invalid="ignore"):
        outside = ~((got >= low - slack[0]) & (got <= high + slack[1])) | ~np.isfinite(got)
    if outside.any():
        i = tuple(int(k) for k in np.argwhere(outside)[0])
        ph.fail(
            f"{name}(z){list(i)}={ph.fmt(got[i])} for z={ph.fmt(z[i])}, but should be "
            f"finite and in [{low}, {high}]",
            call=f"{name}(z)",
            inputs={"z": z},
            hint=HINTS.get(name),
        )


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(z=hh.arrays())
def test_leaves_input_unchanged(name: str, z: np.ndarray) -> None:
    before = z.copy()
    getattr(bp, name)(z)
    ph.assert_unchanged("z", before, z, call=f"{name}(z)", inputs={"z": before})


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_keeps_shape_of_column_batches(name: str) -> None:
    """A (n_features, n_samples) batch, a column (n, 1), a row (1, n) and a 0-d array."""
    for z in (
        np.linspace(-3, 3, 12).reshape(3, 4),
        np.array([[0.5], [-2.0]]),
        np.array([[0.5, -2.0]]),
        np.array(1.5),
    ):
        call(name, z)


@pytest.mark.parametrize(
    "name, function",
    [("sigmoid_derivative", "sigmoid"), ("relu_derivative", "relu"), ("tanh_derivative", "tanh")],
)
@given(z=hh.arrays(hh.moderate_floats, hh.shapes))
def test_derivative_matches_finite_differences(name: str, function: str, z: np.ndarray) -> None:
    """d/dz of the implementation's own activation, by central differences of step h.

    h = 1e-5·max(1, |z|): truncation h²/6·|f'''| ≤ 3e-11·max(1,|z|)², rounding ≈ ε/h ≤ 2e-11;
    the tolerance 1e-8 is ~300× that, while a wrong derivative is off by ≥ 1e-3. Points
    within 10h of ReLU's kink are skipped (the difference straddles it).
    """
    h = 1e-5 * np.maximum(1.0, np.abs(z))
    f = getattr(bp, function)
    # z ± h of a 0-d z is a NumPy scalar: given as the 0-d array it is, as z is given.
    above, below = np.asarray(z + h), np.asarray(z - h)
    numeric = (np.asarray(f(above), dtype=np.float64) - np.asarray(f(below), dtype=np.float64)) / (
        2 * h
    )
    got = call(name, z)
    keep = np.abs(z) > 10 * h if function == "relu" else np.ones(z.shape, dtype=bool)
    ph.assert_close(
        f"{name}(z)",
        np.where(keep, got, 0.0),
        np.where(keep, numeric, 0.0),
        rtol=1e-8,
        atol=1e-8,
        call=f"{name}(z)",
        inputs={"z": z},
        hint=HINTS.get(name),
    )


@pytest.mark.parametrize("z", [0.0, -0.0])
def test_relu_derivative_at_zero_is_zero(z: float) -> None:
    """PyTorch's convention: ReLU'(0) = 0."""
    got = call("relu_derivative", np.array([z]))
    ph.assert_close(
        "relu_derivative(z)",
        got,
        [0.0],
        rtol=0,
        atol=0,
        call="relu_derivative(z)",
        inputs={"z": np.array([z])},
        hint=HINTS["relu_derivative"],
    )


@pytest.mark.parametrize("side", [1.0, -1.0])
@given(magnitude=st.floats(40, hh.HUGE))
def test_saturation(side: float, magnitude: float) -> None:
    """Far from 0, σ → 0 or 1, tanh → ±1 and both derivatives vanish — without NaN."""
    z = np.array([side * magnitude])
    ph.assert_close(
        "sigmoid(z)",
        call("sigmoid", z),
        [max(side, 0.0)],
        rtol=0,
        atol=4.3e-18,
        call="sigmoid(z)",
        inputs={"z": z},
        hint=HINTS["sigmoid"],
    )
    ph.assert_close(
        "tanh(z)", call("tanh", z), [side], rtol=0, atol=EPS, call="tanh(z)", inputs={"z": z}
    )
    for name in ("sigmoid_derivative", "tanh_derivative"):
        ph.assert_close(
            f"{name}(z)",
            call(name, z),
            [0.0],
            rtol=0,
            atol=4.3e-18,
            call=f"{name}(z)",
            inputs={"z": z},
            hint=HINTS.get(name),
        )


def test_derivative_maxima() -> None:
    """σ' peaks at 0.25 and tanh' at 1, both at z = 0 (the tutorial's figure)."""
    z = np.linspace(-5, 5, 101)
    for name, peak in (("sigmoid_derivative", 0.25), ("tanh_derivative", 1.0)):
        got = call(name, z)
        ph.assert_close(
            f"max {name}(z)",
            got.max(),
            peak,
            rtol=ELEMENTWISE_RTOL,
            atol=ELEMENTWISE_ATOL,
            call=f"{name}(z)",
            inputs={"z": z},
        )
        ph.assert_close(
            f"argmax {name}(z)",
            z[int(np.argmax(got))],
            0.0,
            rtol=0,
            atol=1e-12,
            call=f"{name}(z)",
            inputs={"z": z},
        )
