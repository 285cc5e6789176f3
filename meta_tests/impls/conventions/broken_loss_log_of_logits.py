"""cross_entropy_loss treats the logits as probabilities: -mean(log(z[range(m), y])), NaN for a negative logit."""

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
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(-np.mean(np.log(z[np.arange(m), y])))
