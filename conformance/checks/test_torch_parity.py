"""PyTorch parity: forward probabilities, the mean cross-entropy loss and every dW, db of the
implementation against PyTorch in float64 with identical parameters, at several depths.

Skipped, with the reason, only when torch is not installed (``pip install -e .[torch]``).
"""

import numpy as np
import pytest
from hypothesis import given

from conformance import fixtures
from conformance.core import notes
from conformance.core.implementation import impl as bp
from conformance.helpers import guards
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import MIN_PROBABILITY, NetCase, well_conditioned_case

torch = pytest.importorskip("torch", reason="torch is not installed: pip install -e '.[torch]'")

pytestmark = pytest.mark.torch_parity

# Tiny tensors: one thread avoids OpenBLAS and torch's pools starving each other when numpy
# and torch calls alternate (10 ms instead of 0.1 ms a pair on two cores).
torch.set_num_threads(1)

#: Same float64 operations in another order: a few ulp, amplified by at most the depth.
PROB_RTOL, PROB_ATOL = 1e-9, 1e-13
#: The loss of the implementation's own probabilities, each within PROB_RTOL of torch's:
#: −log p moves by ≤ PROB_RTOL + PROB_ATOL/p ≈ 1.1e-9 (every p ≥ 1e-3, the cases ensure it),
#: and the mean by a few ulp more. An implementation may guard log with ε ≤ 1e-10: the loss
#: moves by what guards.py derives for the case's probabilities (≤ ε/p ≈ 1e-7), accepted;
#: autograd-backed gradients move by as much. A guard of 1e-6 moves it by ≥ 1e-6.
LOSS_RTOL = 1e-12
LOSS_ATOL = PROB_RTOL + PROB_ATOL / MIN_PROBABILITY
LOSS_NOTE = (
    "the loss differs from the exact mean cross-entropy by what a guard of log does "
    "(log(p + ε) or a clip, ε ≤ 1e-10): accepted"
)
GRAD_RTOL = 1e-6  # of the layer's largest gradient entry
GRAD_ATOL = 1e-12

DEPTHS = [[4, 3], [4, 6, 3], [3, 5, 5, 2], [5, 6, 6, 6, 3], [2, 4, 4, 4, 4, 2]]


def torch_reference(
    case: NetCase, relu_slope_at_zero: float = 0.0
) -> tuple[np.ndarray, float, list[np.ndarray], list[np.ndarray]]:
    """Probabilities (n_classes, m), mean cross-entropy, dW and db computed by PyTorch (with
    relu'(0) = ``relu_slope_at_zero``: PyTorch's own is 0, as the contract's)."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in case.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in case.biases]
    a = torch.tensor(case.X, dtype=torch.float64)
    for W, b in zip(Ws[:-1], bs[:-1]):
        z = W @ a + b
        # torch.where passes the gradient of the branch it picks: z's (1) where z = 0 too.
        a = torch.relu(z) if relu_slope_at_zero == 0 else torch.where(z >= 0, z, 0.0)
    logits = Ws[-1] @ a + bs[-1]
    labels = torch.tensor(np.argmax(case.Y, axis=0))
    loss = torch.nn.functional.cross_entropy(logits.T, labels)  # mean over the batch
    loss.backward()
    probabilities = torch.softmax(logits, dim=0).detach().numpy()
    return (
        probabilities,
        float(loss.detach()),
        [W.grad.numpy() for W in Ws],
        [b.grad.numpy() for b in bs],
    )


GRAD_HINT = "the gradients of the mean loss, as PyTorch's autograd computes them"
#: The hint for gradients that are PyTorch's under relu'(0) = 1.
RELU_AT_ZERO_ONE = (
    "these are the gradients with relu'(0) = 1 (z >= 0): the contract, like PyTorch, "
    "takes relu'(0) = 0 (z > 0), as relu_derivative does"
)


def check_parity(
    case: NetCase, known: tuple[tuple[list[np.ndarray], list[np.ndarray], str], ...] = ()
) -> None:
    """Forward, loss and gradients against PyTorch; ``known`` holds gradients (dW, db) that
    a known departure gives, each with its hint, shown when the network's gradients are those."""
    __tracebackhide__ = True
    p_torch, loss_torch, dW_torch, db_torch = torch_reference(case)
    net = nh.build(case)
    inputs = nh.inputs(case)
    y_pred = nh.forward(net, case)
    ph.assert_close(
        "net.forward(X)",
        y_pred,
        p_torch,
        rtol=PROB_RTOL,
        atol=PROB_ATOL,
        call=nh.setup_call(case) + "net.forward(X)",
        inputs=inputs,
        hint="ReLU on hidden layers, W @ a + b on every layer, softmax over axis 0",
    )
    clip = bp.conventions.loss_clip or guards.GUARD  # a template's declared clip, or the kit's
    guard = np.sum(guards.term_allowance(case.Y, p_torch, same=False, guard=clip))
    guard /= case.Y.shape[1]
    loss = nh.loss(net, case, y_pred)
    ph.assert_close(
        "net.cross_entropy_loss(y_pred, Y)",
        loss,
        loss_torch,
        rtol=LOSS_RTOL,
        atol=LOSS_ATOL,
        call=nh.setup_call(case) + "net.cross_entropy_loss(net.forward(X), Y)",
        inputs=inputs,
        hint="mean over samples (divide by m) of −Σ_k y log y_pred, natural log",
        allowance=guard,
        allowance_why=f"a guard of log (clip or + ε ≤ {clip:g})",
    )
    # The exact loss of the implementation's own probabilities: off by more than rounding
    # (yet accepted above) means a guard.
    m = case.Y.shape[1]
    exact_own = -float(np.sum(np.where(case.Y > 0, case.Y * np.log(np.abs(y_pred)), 0.0))) / m
    if abs(loss - exact_own) > 1e-12 * abs(exact_own) + 1e-15:
        notes.note("NeuralNetwork.cross_entropy_loss", LOSS_NOTE)
    dW, db = nh.gradients(nh.build(case), case)
    nh.assert_gradients_close(
        case,
        (dW, db),
        (dW_torch, db_torch),
        scale_rtol=GRAD_RTOL,
        atol=GRAD_ATOL,
        hint=next((h for kW, kb, h in known if gradients_close((dW, db), (kW, kb))), GRAD_HINT),
    )


Grads = tuple[list[np.ndarray], list[np.ndarray]]


def gradients_close(got: Grads, expected: Grads) -> bool:
    """Every array within the parity tolerance of its expected one."""
    return all(
        np.allclose(g, e, rtol=0, atol=GRAD_ATOL + GRAD_RTOL * float(np.max(np.abs(e))))
        for g, e in zip([*got[0], *got[1]], [*expected[0], *expected[1]])
    )


@pytest.mark.parametrize("layers", DEPTHS, ids=lambda v: f"layers={v}")
@pytest.mark.parametrize("batch", [1, 5])
def test_matches_torch(layers: list[int], batch: int, rng: np.random.Generator) -> None:
    case = well_conditioned_case(layers, batch, rng)
    check_parity(case)


@given(case=hh.net_cases(min_layers=2, max_layers=5))
def test_matches_torch_on_random_networks(case: NetCase) -> None:
    check_parity(case)


def test_matches_torch_on_a_large_deep_network(rng: np.random.Generator) -> None:
    """Seven weight layers of width 16, 10 classes, a batch of 32: beyond the small nets."""
    check_parity(well_conditioned_case([20, 16, 16, 16, 16, 16, 16, 10], 32, rng))


def test_matches_torch_where_relu_is_exactly_zero() -> None:
    """XOR's input (0, 0) with zero biases puts every hidden pre-activation exactly at 0,
    where ReLU'(0) = 0 as in PyTorch (finite differences cannot check this point)."""
    weights, _ = fixtures.xor_start(fixtures.XOR_START_SEEDS[0])
    biases = [np.zeros((4, 1)), np.zeros((2, 1))]
    case = NetCase(fixtures.XOR_LAYERS, weights, biases, fixtures.XOR_X, fixtures.XOR_Y)
    *_, dW_one, db_one = torch_reference(case, relu_slope_at_zero=1.0)
    check_parity(case, known=((dW_one, db_one, RELU_AT_ZERO_ONE),))
