"""cross_entropy_loss returns the sum over samples of logsumexp(z) - z[y] instead of the mean."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "torch_parity"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def cross_entropy_loss(self, logits, y):
        z = np.asarray(logits, dtype=np.float64)
        y = np.asarray(y).astype(np.intp)
        m = z.shape[0]
        shifted = z - np.max(z, axis=1, keepdims=True)
        with np.errstate(over="ignore"):
            log_sum = np.log(np.sum(np.exp(shifted), axis=1))
        return float(np.sum(log_sum - shifted[np.arange(m), y]))
