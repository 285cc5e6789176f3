"""predict takes the argmax along axis 0 (over samples) instead of axis 1 (over classes)."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def predict(self, X):
        return np.argmax(self.forward(X), axis=0)
