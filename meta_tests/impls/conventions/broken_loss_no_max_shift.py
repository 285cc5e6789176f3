"""cross_entropy_loss computes logsumexp without subtracting the row max: np.log(np.sum(np.exp(z))) overflows to inf for large logits."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def cross_entropy_loss(self, logits, y):
        z = np.asarray(logits, dtype=np.float64)
        y = np.asarray(y).astype(np.intp)
        m = z.shape[0]
        log_sum = np.log(np.sum(np.exp(z), axis=1))
        return float(np.mean(log_sum - z[np.arange(m), y]))
