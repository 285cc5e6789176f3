"""predict returns the largest probability (np.max) instead of its index (np.argmax)."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def predict(self, X):
        return np.max(self.forward(X), axis=1)
