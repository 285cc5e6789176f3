"""Training replayed by the kit's reference under common mistakes, to recognise which one an
implementation made (a hint only when a replay matches what it did), and fresh batches for
successive steps."""

from __future__ import annotations

import numpy as np

from conformance.helpers.numerics import NetCase, reference_network

#: The training checks' tolerances, which a replay must meet as well: parameters after one
#: step agree to the gradients' tolerance times lr; the loss to the ε-in-log allowance of the
#: parity checks (see test_torch_parity).
STEP_ATOL, LOSS_RTOL = 1e-9, 1e-6


#: What successive train_steps do under common mistakes, and the hint each one earns.
SUCCESSIVE_MISTAKES = {
    "accumulates": "dW, db add up over calls: backward must replace them with this step's "
    "gradients, not add to the previous call's",
    "stale": "each step moved by the previous step's gradients (none on the first): call "
    "backward before update",
    "first_lr": "every step used the first call's lr: use the lr each call is given",
}


def successive_mistake(
    case: NetCase,
    batches: list[tuple[np.ndarray, np.ndarray]],
    losses: list[float],
    weights: list[np.ndarray] | None,
    lrs: tuple[float, ...],
) -> str | None:
    """The hint of the mistake in SUCCESSIVE_MISTAKES whose replay by the kit's reference
    (on ``batches`` at learning rates ``lrs``) gives the implementation's losses so far (and
    its weights, when given), or None."""
    for mistake, hint in SUCCESSIVE_MISTAKES.items():
        replay = reference_network(case.weights, case.biases)
        total = [np.zeros_like(p) for p in (*replay.weights, *replay.biases)]
        previous = [np.zeros_like(p) for p in total]
        replayed = []
        for step, (X, Y) in enumerate(batches):
            replayed.append(replay.cross_entropy_loss(replay.forward(X), Y))
            replay.backward(Y)
            grads = [g.copy() for g in (*replay.dW, *replay.db)]
            total = [t + g for t, g in zip(total, grads)]
            lr = lrs[0 if mistake == "first_lr" else step]
            used = {"accumulates": total, "stale": previous, "first_lr": grads}[mistake]
            for p, g in zip((*replay.weights, *replay.biases), used):
                p -= lr * g
            previous = grads
        same = np.allclose(losses, replayed[: len(losses)], rtol=LOSS_RTOL, atol=0)
        if same and weights is not None:
            same = all(
                np.shape(W) == R.shape and np.allclose(W, R, rtol=0, atol=STEP_ATOL)
                for W, R in zip(weights, replay.weights)
            )
        if same:
            return hint
    return None


def fresh_batch(case: NetCase, oracle, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A new batch shaped like the case's, well-conditioned for the oracle's parameters now."""
    for _ in range(1000):
        X = rng.standard_normal(case.X.shape)
        Y = case.Y[:, rng.permutation(case.batch)]
        if NetCase(case.layers, oracle.weights, oracle.biases, X, Y).well_conditioned():
            return X, Y
    raise RuntimeError("no well-conditioned batch in 1000 draws")
