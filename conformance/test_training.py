"""Training: initialisation, update, train_step, predict, and XOR convergence.

The tutorial's 2-4-2 net at lr 0.5 for 5000 steps learns XOR from only about two He-initialised
starting points in three, and an implementation may seed its own generator so that every
network starts alike. So convergence is checked from fixed starting points that the kit sets
(ones the reference learns from robustly): the verdict never depends on the implementation's
random state. Its initialisation is checked separately, by its statistics.
"""

import numpy as np
import pytest

from conformance import network_helpers as nh
from conformance import pytest_helpers as ph
from conformance._data import fixtures
from conformance._impl import impl as bp
from conformance.numerics import NetCase, reference_network, well_conditioned_case

pytestmark = pytest.mark.training

LR = 0.3  # not 1, so lr and lr² differ
#: Parameters after one step agree to the gradients' tolerance times lr; the loss to the
#: ε-in-log allowance of the parity checks (see test_torch_parity).
STEP_ATOL, LOSS_RTOL = 1e-9, 1e-6


@pytest.mark.parametrize("layers", [[3, 2], [4, 5, 3], [2, 3, 3, 3, 2]], ids=str)
def test_fresh_network_has_contract_shapes_and_zero_biases(layers: list[int]) -> None:
    net = bp.NeuralNetwork(layers)
    nh.check_parameters(net, layers)
    for i, b in enumerate(net.biases):
        ph.assert_close(
            f"NeuralNetwork({layers}).biases[{i}]",
            b,
            np.zeros_like(b),
            rtol=0,
            atol=0,
            call=f"NeuralNetwork({layers})",
            hint="biases start at zero",
        )


def test_weights_are_he_initialised() -> None:
    """weights[i] ~ N(0, 2 / n_in): sample std within 3% of √(2/n_in) (the estimate's own
    standard error is ≤ 0.5% at these sizes, so 3% is > 6σ) and mean within 6 standard errors."""
    layers = [500, 300, 100]
    net = bp.NeuralNetwork(layers)
    nh.check_parameters(net, layers)
    for i, (n_in, W) in enumerate(zip(layers, net.weights)):
        W = np.asarray(W)
        std = np.sqrt(2.0 / n_in)
        call = f"NeuralNetwork({layers})"
        ph.assert_close(
            f"weights[{i}].std()",
            W.std(),
            std,
            rtol=0.03,
            atol=0,
            call=call,
            hint="He initialisation: randn(n_out, n_in) * sqrt(2 / n_in)",
        )
        ph.assert_close(
            f"weights[{i}].mean()",
            W.mean(),
            0.0,
            rtol=0,
            atol=6 * std / np.sqrt(W.size),
            call=call,
            hint="He initialisation draws from a normal distribution centred at 0",
        )


def test_update_is_one_sgd_step(rng: np.random.Generator) -> None:
    """update(lr): θ ← θ − lr·∂L/∂θ for every weight and bias, with the dW, db backward set."""
    case = well_conditioned_case([3, 4, 4, 2], 3, rng)
    net = nh.build(case)
    dW, db = nh.gradients(net, case)
    dW, db = [g.copy() for g in dW], [g.copy() for g in db]
    net.update(LR)
    call = nh.setup_call(case) + f"net.forward(X); net.backward(Y); net.update({LR})"
    for name, params, start, grads in (
        ("weights", net.weights, case.weights, dW),
        ("biases", net.biases, case.biases, db),
    ):
        for i, (p, p0, g) in enumerate(zip(params, start, grads)):
            ph.assert_close(
                f"net.{name}[{i}]",
                np.asarray(p),
                p0 - LR * g,
                rtol=0,
                atol=1e-15,
                call=call,
                inputs=nh.inputs(case),
                hint="subtract lr·gradient in place, from every weight and bias",
            )


def test_train_step_returns_the_loss_before_its_update(rng: np.random.Generator) -> None:
    """train_step(X, Y, lr) = forward, loss, backward, update; it returns the loss of its
    own forward pass, and leaves the parameters one SGD step further."""
    case = well_conditioned_case([3, 4, 4, 2], 4, rng)
    oracle = reference_network(case.weights, case.biases)
    expected_loss = oracle.cross_entropy_loss(oracle.forward(case.X), case.Y)
    oracle.backward(case.Y)
    oracle.update(LR)
    net = nh.build(case)
    call = nh.setup_call(case) + f"net.train_step(X, Y, {LR})"
    got = ph.as_float(
        "net.train_step(X, Y, lr)",
        net.train_step(case.X.copy(), case.Y.copy(), LR),
        call=call,
        inputs=nh.inputs(case),
    )
    ph.assert_close(
        "net.train_step(X, Y, lr)",
        got,
        expected_loss,
        rtol=LOSS_RTOL,
        atol=0,
        call=call,
        inputs=nh.inputs(case),
        hint="return the loss of this step's forward pass, computed before update",
    )
    for name, params, expected in (
        ("weights", net.weights, oracle.weights),
        ("biases", net.biases, oracle.biases),
    ):
        for i, (p, e) in enumerate(zip(params, expected)):
            ph.assert_close(
                f"net.{name}[{i}] after train_step",
                np.asarray(p),
                e,
                rtol=0,
                atol=STEP_ATOL,
                call=call,
                inputs=nh.inputs(case),
                hint="forward, loss, backward, then update — in that order",
            )


def test_successive_train_steps_are_independent_sgd_steps(rng: np.random.Generator) -> None:
    """Three train_step calls on one network, each on a different batch: every step uses the
    gradients of its own forward pass (nothing accumulates or goes stale between steps)."""
    case = well_conditioned_case([3, 4, 4, 2], 4, rng)
    oracle = reference_network(case.weights, case.biases)
    net = nh.build(case)
    X, Y = case.X, case.Y
    for step in range(3):
        if step:  # a fresh batch, well-conditioned for the parameters reached so far
            X, Y = next(
                (X, Y)
                for X, Y in (
                    (rng.standard_normal(case.X.shape), case.Y[:, rng.permutation(case.batch)])
                    for _ in range(1000)
                )
                if NetCase(case.layers, oracle.weights, oracle.biases, X, Y).well_conditioned()
            )
        expected = oracle.train_step(X, Y, LR)
        got = net.train_step(X.copy(), Y.copy(), LR)
        call = nh.setup_call(case) + f"# train_step on batch {step} of 3 (X{step}, Y{step})"
        named = nh.inputs(case) | {f"X{step}": X, f"Y{step}": Y}
        ph.assert_close(
            f"loss of train_step {step}",
            ph.as_float("train_step", got),
            expected,
            rtol=LOSS_RTOL,
            atol=0,
            call=call,
            inputs=named,
            hint="backward must recompute dW, db from scratch on every call",
        )
    for i, (p, e) in enumerate(zip(net.weights, oracle.weights)):
        ph.assert_close(
            f"net.weights[{i}] after 3 train_steps",
            np.asarray(p),
            e,
            rtol=0,
            atol=STEP_ATOL,
            call=nh.setup_call(case) + "# three train_steps",
            inputs=nh.inputs(case),
            hint="backward must recompute dW, db from scratch on every call",
        )


def test_forward_and_backward_leave_their_inputs_unchanged(rng: np.random.Generator) -> None:
    case = well_conditioned_case([3, 4, 2], 3, rng)
    net = nh.build(case)
    X, Y = case.X.copy(), case.Y.copy()
    net.forward(X)
    net.backward(Y)
    call = nh.setup_call(case) + "net.forward(X); net.backward(Y)"
    ph.assert_unchanged("X", case.X, X, call=call, inputs=nh.inputs(case))
    ph.assert_unchanged("Y", case.Y, Y, call=call, inputs=nh.inputs(case))


@pytest.mark.parametrize("batch", [1, 7])
def test_predict_returns_class_indices(batch: int, rng: np.random.Generator) -> None:
    """predict(X): integer argmax over classes (axis 0), shape (n_samples,)."""
    case = well_conditioned_case([3, 5, 4], batch, rng)
    net = nh.build(case)
    call = nh.setup_call(case) + "net.predict(X)"
    got = net.predict(case.X.copy())
    if not isinstance(got, np.ndarray) or got.shape != (batch,):
        ph.fail(
            f"net.predict(X) is {type(got).__name__} of shape {np.shape(got)}, but should be "
            f"an array of shape ({batch},)",
            call=call,
            inputs=nh.inputs(case),
            hint="np.argmax(y_pred, axis=0)",
        )
    if not np.issubdtype(got.dtype, np.integer):
        ph.fail(
            f"net.predict(X).dtype={got.dtype}, but should be an integer dtype",
            call=call,
            inputs=nh.inputs(case),
            hint="return class indices, not probabilities",
        )
    expected = np.argmax(case.probabilities, axis=0)
    ph.assert_close(
        "net.predict(X)",
        got,
        expected,
        rtol=0,
        atol=0,
        call=call,
        inputs=nh.inputs(case),
        hint="np.argmax(y_pred, axis=0): one index per column",
    )


def train_xor(net) -> tuple[list[float], np.ndarray]:
    X, Y = fixtures.XOR_X, fixtures.XOR_Y
    losses = [
        float(net.train_step(X.copy(), Y.copy(), fixtures.XOR_LR))
        for _ in range(fixtures.XOR_STEPS)
    ]
    return losses, np.asarray(net.predict(X.copy()))


def learned(losses: list[float], predictions: np.ndarray) -> bool:
    labels = np.argmax(fixtures.XOR_Y, axis=0)
    return (
        np.array_equal(np.ravel(predictions), labels) and losses[-1] < fixtures.XOR_LOSS_CONVERGED
    )


@pytest.mark.parametrize("seed", fixtures.XOR_START_SEEDS)
def test_xor_converges_from_a_good_start(seed: int) -> None:
    """From starting points the reference learns XOR from, 5000 steps at lr 0.5 must too."""
    weights, biases = fixtures.xor_start(seed)
    case = NetCase(fixtures.XOR_LAYERS, weights, biases, fixtures.XOR_X, fixtures.XOR_Y, seed)
    losses, predictions = train_xor(nh.build(case))
    if not learned(losses, predictions):
        ph.fail(
            f"after {fixtures.XOR_STEPS} train_step calls at lr {fixtures.XOR_LR} the loss is "
            f"{losses[-1]:.4g} (started at {losses[0]:.4g}) and predict(X)={predictions}, "
            f"but should be < {fixtures.XOR_LOSS_CONVERGED} and [0 1 1 0]",
            call=nh.setup_call(case) + "[net.train_step(X, Y, 0.5) for _ in range(5000)]",
            inputs=nh.inputs(case),
            hint="the reference reaches a loss near 3e-4 from this start",
        )
