"""softmax_loss exponentiates the scores without subtracting the row max: np.exp overflows to inf for scores above ~709 and the loss and dx become nan."""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401
import numpy as np

# area: training
EXPECTED_AREA = "training"


def softmax_loss(x, y):
    """
    Computes the loss and gradient for softmax classification.
    """
    N = x.shape[0]
    probs = np.exp(x)
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx
