"""softmax_loss returns the loss summed over the N samples, not their mean, while dx is still divided by N (the gradient of the mean)."""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401
import numpy as np

# area: torch_parity
EXPECTED_AREA = "torch_parity"


def softmax_loss(x, y):
    """
    Computes the loss and gradient for softmax classification.
    """
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y])
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx
