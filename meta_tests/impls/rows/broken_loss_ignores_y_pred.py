"""cross_entropy_loss ignores its y_pred argument and uses the cached output of the last forward."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def cross_entropy_loss(self, y_pred, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        log_p = np.log(np.maximum(self.activations[-1], np.finfo(np.float64).tiny))
        return float(-np.sum(y_true * log_p) / y_true.shape[0])
