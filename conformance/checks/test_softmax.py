"""softmax(z): along axis 0, one sample per column; a 1-D input is one distribution.

For every finite input, including huge logits and columns on wildly different scales in one
batch: finite, non-negative, columns sum to 1, invariant to a constant added per column, and
equal to the reference.
"""

import numpy as np
import pytest
from hypothesis import given

import reference
from conformance.core.implementation import impl as bp
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import EPS

pytestmark = pytest.mark.softmax


#: Summing n probabilities in [0, 1] rounds at most n·ε/2; 4nε leaves room for any order.
def sum_tolerance(n: int) -> float:
    return 4 * n * EPS


#: Entries in [0, 1] computed by exp, a sum and a division: a few ulp relative, plus the
#: absolute ε of probabilities that underflow in one formula and not the other.
RTOL = 1e-12
ATOL = 4 * EPS
HINT_SHIFT = "subtract each column's max before exp: np.max(z, axis=0, keepdims=True)"


def softmax(z: np.ndarray) -> np.ndarray:
    __tracebackhide__ = True
    return ph.as_array(
        "softmax(z)", bp.softmax(hh.copy_of(z)), shape=z.shape, call="softmax(z)", inputs={"z": z}
    )


@given(z=hh.logits())
def test_finite_and_non_negative(z: np.ndarray) -> None:
    got = softmax(z)
    with np.errstate(invalid="ignore"):
        bad = ~(got >= 0) | ~np.isfinite(got)
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        ph.fail(
            f"softmax(z){list(i)}={ph.fmt(got[i])}, but should be a finite probability ≥ 0",
            call="softmax(z)",
            inputs={"z": z},
            hint=HINT_SHIFT,
        )


@given(z=hh.logits())
def test_columns_sum_to_one(z: np.ndarray) -> None:
    got = softmax(z)
    ph.assert_close(
        "softmax(z).sum(axis=0)",
        got.sum(axis=0),
        np.ones(z.shape[1:]),
        rtol=0,
        atol=sum_tolerance(z.shape[0]),
        call="softmax(z)",
        inputs={"z": z},
        hint="normalise each column (axis 0) by its own sum; " + HINT_SHIFT,
    )


@given(z=hh.logits())
def test_matches_reference(z: np.ndarray) -> None:
    ph.assert_close(
        "softmax(z)",
        softmax(z),
        reference.softmax(z),
        rtol=RTOL,
        atol=ATOL,
        call="softmax(z)",
        inputs={"z": z},
        hint=HINT_SHIFT,
    )


@given(zc=hh.exact_shift_logits())
def test_invariant_to_a_constant_per_column(zc: tuple[np.ndarray, np.ndarray]) -> None:
    """softmax(z + c) = softmax(z) for c constant in each column; z + c is exact here, and
    columns in one batch range from 2^-30 to 2^970 in scale."""
    z, c = zc
    shifted = z + c
    ph.assert_close(
        "softmax(z + c)",
        softmax(shifted),
        softmax(z),
        rtol=RTOL,
        atol=ATOL,
        call="softmax(z + c)",
        inputs={"z": z, "c": c},
        hint=HINT_SHIFT,
    )


@pytest.mark.parametrize(
    "z, expected",
    [
        (np.array([1000.0, 0.0]), [1.0, 0.0]),
        (np.array([-1000.0, -1000.0]), [0.5, 0.5]),
        (np.array([1e308, -1e308]), [1.0, 0.0]),
        (
            np.array([[1000.0, 1.0], [999.0, 2.0]]),
            [[0.7310585786300049, 0.2689414213699951], [0.2689414213699951, 0.7310585786300049]],
        ),
        (np.array([[1e300, -1e-300], [1e300, 1e-300]]), [[0.5, 0.5], [0.5, 0.5]]),
        (
            np.array([[3.0, -800.0], [1.0, -801.0], [0.0, -805.0]]),
            [
                [0.8437947344813395, 0.7274751568004647],
                [0.11419519938459448, 0.2676231541498623],
                [0.04201006613406605, 0.004901689049672921],
            ],
        ),
    ],
    ids=[
        "[1000, 0]",
        "[-1000, -1000]",
        "[1e308, -1e308]",
        "huge-column-beside-small",
        "1e300-column-beside-1e-300",
        "column-near--800",
    ],
)
def test_known_values(z: np.ndarray, expected: list) -> None:
    ph.assert_close(
        "softmax(z)",
        softmax(z),
        np.array(expected),
        rtol=RTOL,
        atol=ATOL,
        call="softmax(z)",
        inputs={"z": z},
        hint=HINT_SHIFT,
    )


def test_normalises_columns_not_rows() -> None:
    """(n_classes, n_samples): each column is a sample, so axis 0 is summed."""
    z = np.array([[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]])
    got = softmax(z)
    ph.assert_close(
        "softmax(z).sum(axis=0)",
        got.sum(axis=0),
        np.ones(3),
        rtol=0,
        atol=1e-15,
        call="softmax(z)",
        inputs={"z": z},
        hint="sum along axis 0 (over classes), not axis 1 (over samples)",
    )


@given(z=hh.logits())
def test_leaves_input_unchanged(z: np.ndarray) -> None:
    before = z.copy()
    bp.softmax(z)
    ph.assert_unchanged("z", before, z, call="softmax(z)", inputs={"z": before})
