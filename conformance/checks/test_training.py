"""Training: initialisation, update, train_step, what forward and backward hand out and
keep, and predict. XOR convergence, the same area, is in test_xor.

Initialisation is judged by its statistics, never by the implementation's random state.
"""

import numpy as np
import pytest

from conformance.core import notes
from conformance.core.implementation import impl as bp
from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers import replays
from conformance.helpers.numerics import NetCase, reference_network, well_conditioned_case
from conformance.helpers.replays import LOSS_RTOL, STEP_ATOL

pytestmark = pytest.mark.training

LR = 0.3  # not 1, so lr and lr² differ
SUCCESSIVE_LRS = (0.3, 0.0, 0.7)


@pytest.mark.parametrize("layers", [[3, 2], [4, 5, 3], [2, 3, 3, 3, 2]], ids=str)
def test_fresh_network_has_contract_shapes_and_zero_biases(layers: list[int]) -> None:
    """Shapes, zero biases, and one array of its own per parameter: two layers sharing a
    bias array (``[np.zeros((n, 1))] * k``) would be trained as one."""
    nh.not_the_adapters("NeuralNetwork.__init__")
    net = bp.NeuralNetwork(layers)
    nh.check_parameters(net, layers)
    params = [*net.weights, *net.biases]
    for i, a in enumerate(params):
        for j, b in enumerate(params[:i]):
            if np.shares_memory(a, b):
                ph.fail(
                    f"NeuralNetwork({layers}): parameters {j} and {i} of weights + biases share "
                    "memory, but each must be an array of its own",
                    call=f"NeuralNetwork({layers})",
                    hint="create a new array per layer: [np.zeros((n, 1)) for n in sizes]",
                )
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
    """weights[i] ~ N(0, 2 / n_in), or N(0, INIT_STD²) where a course template declares its
    scale (then noted, not failed): nh.assert_normal_weights has the statistics."""
    nh.not_the_adapters("NeuralNetwork.__init__")
    layers = nh.supported([500, 300, 100])
    net = bp.NeuralNetwork(layers)
    nh.check_parameters(net, layers)
    declared = bp.conventions.init_std
    for i, (n_in, W) in enumerate(zip(layers, net.weights)):
        if declared is None:
            std, hint = (
                np.sqrt(2.0 / n_in),
                "He initialisation: randn(n_out, n_in) * sqrt(2 / n_in)",
            )
        else:
            std, hint = declared, f"the declared template: {declared:g} * randn(n_out, n_in)"
        nh.assert_normal_weights(
            f"weights[{i}]", np.asarray(W), std, f"NeuralNetwork({layers})", hint
        )
    if declared is not None:
        notes.note(
            "NeuralNetwork.__init__",
            f"weights start as {declared:g} * randn, as the course template declares "
            "(INIT_STD / --init-std); the contract's is He, sqrt(2 / n_in)",
        )


@pytest.mark.parametrize("input_scale", [1, 100])
def test_update_is_one_sgd_step(input_scale: float, rng: np.random.Generator) -> None:
    """update(lr): θ ← θ − lr·∂L/∂θ for every weight and bias, with the dW, db backward set;
    inputs ×100 make gradients large, where a clipped or normalised step shows."""
    nh.not_the_adapters("NeuralNetwork.update")
    base = well_conditioned_case(nh.supported([3, 4, 4, 2]), 3, rng)
    case = NetCase(base.layers, base.weights, base.biases, base.X * input_scale, base.Y)
    net = nh.build(case)
    dW, db = nh.gradients(net, case)
    dW, db = [g.copy() for g in dW], [g.copy() for g in db]
    net.update(LR)
    call = nh.setup_call(case) + f"net.forward(X); net.backward(Y); net.update({LR})"
    nh.assert_parameters_close(
        net,
        [W - LR * g for W, g in zip(case.weights, dW)],
        [b - LR * g for b, g in zip(case.biases, db)],
        when="",
        rtol=4 * np.finfo(np.float64).eps,
        atol=1e-15,
        call=call,
        inputs=nh.inputs(case),
        hint=None,
        step_from=(case, (dW, db), LR),
    )


def test_train_step_returns_the_loss_before_its_update(rng: np.random.Generator) -> None:
    """train_step(X, Y, lr) = forward, loss, backward, update; it returns the loss of its
    own forward pass, and leaves the parameters one SGD step further."""
    case = well_conditioned_case(nh.supported([3, 4, 4, 2]), 4, rng)
    oracle = reference_network(case.weights, case.biases)
    expected_loss = oracle.cross_entropy_loss(oracle.forward(case.X), case.Y)
    oracle.backward(case.Y)
    gradients = ([g.copy() for g in oracle.dW], [g.copy() for g in oracle.db])
    oracle.update(LR)
    net = nh.build(case)
    call = nh.setup_call(case) + f"net.train_step(X, Y, {LR})"
    got = ph.as_float(
        "net.train_step(X, Y, lr)",
        net.train_step(case.X.copy(), case.Y.copy(), LR),
        call=call,
        inputs=nh.inputs(case),
    )
    loss_after = oracle.cross_entropy_loss(oracle.forward(case.X), case.Y)
    ph.assert_close(
        "net.train_step(X, Y, lr)",
        got,
        expected_loss,
        rtol=LOSS_RTOL,
        atol=0,
        call=call,
        inputs=nh.inputs(case),
        hint=(
            f"it is the loss after the update ({loss_after:.6g}): return the loss of this "
            "step's forward pass, computed before update"
            if np.isclose(got, loss_after, rtol=LOSS_RTOL, atol=0)
            else None
        ),
    )
    nh.assert_parameters_close(
        net,
        oracle.weights,
        oracle.biases,
        when=" after train_step",
        rtol=0,
        atol=STEP_ATOL,
        call=call,
        inputs=nh.inputs(case),
        hint=None,
        step_from=(case, gradients, LR),
        unchanged="train_step left {what} where it was: it must step with this batch's gradients, "
        "update(lr) after backward(Y)",
    )


def test_successive_train_steps_are_independent_sgd_steps(rng: np.random.Generator) -> None:
    """Three train_step calls on one network, each on a different batch and at its own
    learning rate (0 among them): every step uses the gradients of its own forward pass and
    the lr it is given (nothing accumulates, goes stale or sticks between steps)."""
    case = well_conditioned_case(nh.supported([3, 4, 4, 2]), 4, rng)
    oracle = reference_network(case.weights, case.biases)
    net = nh.build(case)
    X, Y = case.X, case.Y
    batches, losses = [], []
    for step in range(3):
        if step:  # a fresh batch, well-conditioned for the parameters reached so far
            X, Y = replays.fresh_batch(case, oracle, rng)
        batches.append((X, Y))
        lr = SUCCESSIVE_LRS[step]
        expected = oracle.train_step(X, Y, lr)
        got = net.train_step(X.copy(), Y.copy(), lr)
        call = nh.setup_call(case) + f"# train_step(X{step}, Y{step}, {lr}), step {step} of 3"
        named = nh.inputs(case) | {f"X{step}": X, f"Y{step}": Y}
        losses.append(ph.as_float("train_step", got))
        if not np.isclose(losses[-1], expected, rtol=LOSS_RTOL, atol=0):
            ph.assert_close(
                f"loss of train_step {step}",
                losses[-1],
                expected,
                rtol=LOSS_RTOL,
                atol=0,
                call=call,
                inputs=named,
                hint=replays.successive_mistake(case, batches, losses, None, SUCCESSIVE_LRS),
            )
    nh.assert_parameters_close(
        net,
        oracle.weights,
        None,
        when=" after 3 train_steps",
        rtol=0,
        atol=STEP_ATOL,
        call=nh.setup_call(case) + "# three train_steps",
        inputs=nh.inputs(case),
        hint=replays.successive_mistake(case, batches, losses, net.weights, SUCCESSIVE_LRS),
    )


def test_cross_entropy_loss_is_a_function_of_its_arguments(rng: np.random.Generator) -> None:
    """cross_entropy_loss(y_pred, y_true) of probabilities it is handed (not the cached
    forward output): the mean over samples of −Σ_k y_true log y_pred."""
    case = well_conditioned_case(nh.supported([3, 4, 3]), 5, rng)
    net = nh.build(case)
    nh.forward(net, case)
    y_pred = rng.uniform(0.05, 1.0, size=case.Y.shape)
    y_pred /= y_pred.sum(axis=0, keepdims=True)
    expected = float(-np.sum(case.Y * np.log(y_pred)) / case.batch)
    call = nh.setup_call(case) + "net.forward(X); net.cross_entropy_loss(y_pred, Y)"
    named = nh.inputs(case) | {"y_pred": y_pred}
    got = ph.as_float(
        "net.cross_entropy_loss(y_pred, Y)",
        net.cross_entropy_loss(y_pred.copy(), case.Y.copy()),
        call=call,
        inputs=named,
    )
    ph.assert_close(
        "net.cross_entropy_loss(y_pred, Y)",
        got,
        expected,
        rtol=LOSS_RTOL,
        atol=0,
        call=call,
        inputs=named,
        hint="compute the loss from the y_pred argument, not from stored state",
    )


def test_forward_follows_its_batch_and_parameters(rng: np.random.Generator) -> None:
    """forward computes afresh on every call: a second batch gets its own output, and the
    same X object gets a new one once the parameters have changed (as they do in training,
    which hands train_step the same X on every step). Judged against the implementation's
    own forward on a fresh network."""
    case = well_conditioned_case(nh.supported([3, 4, 3]), 5, rng)
    X2 = rng.standard_normal(case.X.shape)
    W0 = case.weights[0] * 0.5
    moved = NetCase(case.layers, [W0, *case.weights[1:]], case.biases, case.X, case.Y)
    batch2 = NetCase(case.layers, case.weights, case.biases, X2, case.Y)
    first = nh.forward(nh.build(case), case)
    for what, second, fresh, named in (
        ("a second batch X2", "net.forward(X2)", batch2, {"X2": X2}),
        ("the same X after net.weights[0] changed", "net.weights[0] = W0; net.forward(X)",
         moved, {"W0": W0}),
    ):  # fmt: skip
        net = nh.build(case)
        X = case.X.copy()
        net.forward(X)
        if fresh is moved:
            net.weights[0] = W0.copy()
            got = net.forward(X)  # the same object, as a training loop passes it
        else:
            got = net.forward(X2.copy())
        call = nh.setup_call(case) + f"net.forward(X); {second}"
        named = nh.inputs(case) | named
        got = ph.as_array(
            f"net.forward for {what}", got, shape=first.shape, call=call, inputs=named
        )
        ph.assert_close(
            f"net.forward for {what}",
            got,
            nh.forward(nh.build(fresh), fresh),
            rtol=1e-12,
            atol=1e-15,
            call=call,
            inputs=named,
            hint=(
                "it is the first call's output again: compute forward afresh from the "
                "parameters and the X of each call (no cache keyed on X, no memo)"
                if np.allclose(got, first, rtol=1e-12, atol=1e-15)
                else None
            ),
        )


def test_results_handed_out_stay_valid(rng: np.random.Generator) -> None:
    """What forward returns is not overwritten by backward or by a later forward or predict,
    and backward called twice gives the same gradients."""
    case = well_conditioned_case(nh.supported([3, 4, 3]), 5, rng)
    net = nh.build(case)
    setup = nh.setup_call(case) + "p = net.forward(X); net.backward(Y)"
    y_pred = nh.forward(net, case)
    kept = y_pred.copy()
    net.backward(case.Y.copy())
    first = [np.array(g, dtype=np.float64) for g in (*net.dW, *net.db)]
    ph.assert_unchanged(
        "p = net.forward(X) after net.backward(Y)",
        kept,
        y_pred,
        call=setup + "; p",
        inputs=nh.inputs(case),
        hint="backward wrote into the array forward returned: compute dz in a new array "
        "(dz = y_pred − Y, not dz -= Y)",
    )
    net.backward(case.Y.copy())
    for k, (g, g0) in enumerate(zip((*net.dW, *net.db), first)):
        g = np.asarray(g, dtype=np.float64)
        doubled = g.shape == g0.shape and np.allclose(g, 2 * g0, rtol=1e-9, atol=0)
        ph.assert_close(
            f"gradient {k} of a second backward(Y)",
            g,
            g0,
            rtol=0,
            atol=0,
            call=setup + "; first = net.dW + net.db; net.backward(Y); net.dW + net.db",
            inputs=nh.inputs(case),
            hint=(
                "it is twice the first backward's: dW, db add up over calls; backward must "
                "replace them, not add to them"
                if doubled and np.any(g0 != 0)
                else "the second backward(Y) differs from the first: backward must not change "
                "what it reads (the cached activations) or carry anything over between calls"
            ),
        )
    net.predict(case.X * 3)
    net.forward(case.X * 2)
    ph.assert_unchanged(
        "p = net.forward(X) after later predict and forward calls",
        kept,
        y_pred,
        call=setup + "; net.predict(3 * X); net.forward(2 * X); p",
        inputs=nh.inputs(case),
        hint="a later call wrote into the array forward returned: return a new array from "
        "forward, not a buffer you reuse",
    )


def test_forward_and_backward_leave_their_inputs_unchanged(rng: np.random.Generator) -> None:
    case = well_conditioned_case(nh.supported([3, 4, 2]), 3, rng)
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
    case = well_conditioned_case(nh.supported([3, 5, 4]), batch, rng)
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


def test_predict_breaks_ties_towards_the_first_class(rng: np.random.Generator) -> None:
    """A zero output layer makes every class equally likely: argmax, like np.argmax and
    torch.argmax, returns the first of equal maxima."""
    base = well_conditioned_case(nh.supported([3, 4, 3]), 4, rng)
    weights = [base.weights[0], np.zeros_like(base.weights[1])]
    case = NetCase(base.layers, weights, [base.biases[0], np.zeros((3, 1))], base.X, base.Y)
    got = np.asarray(nh.build(case).predict(case.X.copy()))
    ph.assert_close(
        "net.predict(X)",
        got,
        np.zeros(case.batch),
        rtol=0,
        atol=0,
        call=nh.setup_call(case) + "net.predict(X)",
        inputs=nh.inputs(case),
        hint="np.argmax(y_pred, axis=0) returns the first index of equal maxima",
    )
