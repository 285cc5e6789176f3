"""Checks of a network that returns logits (OUTPUT = "logits"): collected only for one.

Its loss takes logits, so it must be stable where the contract's loss is handed probabilities:
logits of a few hundred or more overflow exp, and log(Σ exp z) must be computed shifted, as
max z + log Σ exp(z − max z). Forward's own logits never get that large in the other checks.
"""

from __future__ import annotations

import numpy as np
import pytest

from conformance.core.implementation import impl as bp
from conformance.helpers import network_helpers as nh
from conformance.helpers import pytest_helpers as ph

pytestmark = pytest.mark.training  # collected only for OUTPUT = "logits" (conftest.py)

#: Logits (the contract's layout: one sample per column) and each sample's class: exp
#: overflows float64 beyond 709.78 and underflows below −745, so each column but the third
#: holds logits past both, with its class's probability ordinary (0.27 to 1): a loss that takes
#: the log of the shifted softmax is exact here, one that never shifts is not even finite.
LARGE_LOGITS = np.array(
    [[1000.0, -1000.0, 0.0, 745.0], [999.0, -1001.0, 0.0, 710.0], [990.0, -1000.5, 1e-3, -745.0]]
)
CLASSES = np.array([1, 1, 2, 0])


def logsumexp(Z: np.ndarray) -> np.ndarray:
    top = np.max(Z, axis=0)
    return top + np.log(np.sum(np.exp(Z - top), axis=0))


@pytest.mark.for_logits
def test_the_loss_of_large_logits_is_finite_and_exact() -> None:
    """Mean over samples of log Σ_k exp z_k − z_y: exact to 1e-12 relative for logits of
    ±1000 and ±745 (a loss without the shift by max z is inf or NaN here)."""
    Y = np.eye(LARGE_LOGITS.shape[0])[:, CLASSES]
    expected = float(np.mean(logsumexp(LARGE_LOGITS) - LARGE_LOGITS[CLASSES, range(4)]))
    layers = nh.supported([2, LARGE_LOGITS.shape[0]])  # the loss is this check's subject
    net = bp.NeuralNetwork(layers)
    call = f"net = bp.NeuralNetwork({layers})\nnet.cross_entropy_loss(Z, Y)"
    inputs = {"Z": LARGE_LOGITS, "Y": Y}
    got = ph.as_float(
        "net.cross_entropy_loss(Z, Y)",
        net._bp_loss_of_logits(LARGE_LOGITS.copy(), Y),
        call=call,
        inputs=inputs,
    )
    ph.assert_close(
        "net.cross_entropy_loss(Z, Y) of logits Z",
        got,
        expected,
        rtol=1e-12,
        atol=0,
        call=call,
        inputs=inputs,
        hint="shift each sample's logits by their max before exp: "
        "log Σ exp z = max z + log Σ exp(z − max z)",
    )
