"""Numeric vs analytic: the network's dW, db against central differences of its own loss.

Every layer of nets up to four weight layers deep (equal hidden widths, so W-for-Wᵀ mistakes
run and show), batches of 1 to 6, pre-activations kept clear of ReLU's kink; networks of
MNIST's size by random directions and sampled entries (conformance.helpers.sampled_gradients);
and the tutorial's single sigmoid neuron with squared error.
"""

import numpy as np
import pytest
from hypothesis import given

from conformance import fixtures
from conformance.core.implementation import impl as bp
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers import sampled_gradients as sg
from conformance.helpers.numerics import (
    FD_ATOL,
    FD_RTOL,
    NetCase,
    central_difference,
    well_conditioned_case,
)

pytestmark = pytest.mark.gradients

HINT = (
    "dW[i] = dz_i @ a_{i}ᵀ, db[i] = Σ_samples dz_i (keepdims), "
    "dz_{i-1} = (W_iᵀ @ dz_i) * relu'(z_{i-1}), starting from dz = (y_pred − y_true) / m"
)


def check_against_finite_differences(case: NetCase) -> None:
    __tracebackhide__ = True
    dW, db = nh.gradients(nh.build(case), case)
    num_dW, num_db = nh.numeric_gradients(case)
    nh.assert_gradients_close(
        case, (dW, db), (num_dW, num_db), scale_rtol=FD_RTOL, atol=FD_ATOL, hint=HINT
    )


@given(case=hh.net_cases(min_layers=3, max_layers=4))
def test_gradients_match_finite_differences(case: NetCase) -> None:
    """Any widths, one or two hidden layers, batch 1–6."""
    check_against_finite_differences(case)


@given(case=hh.net_cases(min_layers=4, max_layers=5, equal_hidden=True))
def test_deep_equal_width_gradients_match_finite_differences(case: NetCase) -> None:
    """Three or four weight layers with equal hidden widths: transposes must be right."""
    check_against_finite_differences(case)


@pytest.mark.parametrize(
    "layers, batch",
    [([3, 2], 4), ([4, 5, 5, 5, 3], 5), ([3, 4, 4, 4], 3), ([2, 4, 2], 1), ([5, 3, 4, 2], 6)],
    ids=lambda v: str(v),
)
def test_gradients_match_finite_differences_for_fixed_cases(
    layers: list[int], batch: int, rng: np.random.Generator
) -> None:
    """No hidden layer, deep equal widths (square Ws), batch 1, a narrowing net: always run."""
    case = well_conditioned_case(layers, batch, rng)
    check_against_finite_differences(case)


#: Too large for the full check (two forward passes per parameter: ≈ 16 s for the 101,770 of
#: the first); the 256×256 hidden weight is square, so a missing transpose there runs silently.
LARGE_NETWORKS = [([784, 128, 10], 16), ([784, 256, 256, 10], 8)]


@pytest.mark.parametrize("layers, batch", LARGE_NETWORKS, ids=lambda v: str(v))
def test_large_network_gradients_match_sampled_finite_differences(
    layers: list[int], batch: int, rng: np.random.Generator, pytestconfig: pytest.Config
) -> None:
    """Each layer's first and last entries of dW and db, and random ones, against central
    differences (a failure names the entry); then uᵀ(dW, db) against (L(θ + hu) − L(θ − hu))/2h
    along random signed Gaussian directions u of unit length over all parameters, which any
    wrong layer, row, scale, transpose or entry shifts."""
    case = well_conditioned_case(layers, batch, rng)
    limit = pytestconfig.getoption("impl_timeout")
    if why := sg.too_slow(case, sg.passes(sg.n_differences(layers)), limit):
        pytest.skip(why)
    sg.check_sampled_gradients(case, rng)


def test_single_sigmoid_neuron_with_squared_error() -> None:
    """The tutorial's part 2: z = w·x + b, a = σ(z), L = (a − y)²; the chain rule
    dL/dw = 2(a − y)·σ'(z)·x from the implementation's σ and σ', against exact values, the
    kit's central differences and the implementation's own numerical_gradient."""
    g = fixtures.golden()["single_neuron"]
    x, w, b, y = np.array(g["x"]), np.array(g["w"]), g["b"], g["y"]
    z = np.array([w @ x + b])
    a = ph.as_array("sigmoid(z)", bp.sigmoid(z.copy()), shape=(1,))[0]
    delta = (
        2
        * (a - y)
        * ph.as_array("sigmoid_derivative(z)", bp.sigmoid_derivative(z.copy()), shape=(1,))[0]
    )
    inputs = {"x": x, "w": w, "b": b, "y": y}
    call = "sigmoid_derivative(np.array([w @ x + b]))  # dL/dw = 2(a − y)·σ'(z)·x"
    ph.assert_close(
        "dL/dw",
        delta * x,
        g["dL_dw"],
        rtol=1e-12,
        atol=1e-15,
        call=call,
        inputs=inputs,
        hint="σ'(z) = σ(z)(1 − σ(z)), at the pre-activation z",
    )
    ph.assert_close("dL/db", delta, g["dL_db"], rtol=1e-12, atol=1e-15, call=call, inputs=inputs)

    def loss(w_: np.ndarray) -> float:
        a_ = np.asarray(bp.sigmoid(np.array([w_ @ x + b])), dtype=np.float64)
        return float((a_[0] - y) ** 2)

    # Step 1e-6 on O(1) inputs: error ≈ 1e-10; tolerance 1e-8.
    ph.assert_close(
        "central differences of L(w)",
        central_difference(loss, w, 1e-6),
        delta * x,
        rtol=0,
        atol=1e-8,
        call="sigmoid(np.array([w @ x + b]))",
        inputs=inputs,
    )
    own = ph.as_array(
        "numerical_gradient(L, w)",
        bp.numerical_gradient(loss, w.copy()),
        shape=w.shape,
        call="numerical_gradient(L, w)",
        inputs=inputs,
    )
    ph.assert_close(
        "numerical_gradient(L, w)",
        own,
        g["dL_dw"],
        rtol=0,
        atol=1e-8,
        call="numerical_gradient(L, w)  # L(w) = (sigmoid(w @ x + b) - y)**2",
        inputs=inputs,
    )
