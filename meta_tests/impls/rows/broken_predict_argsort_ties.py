"""predict takes the top class with np.argsort(...)[:, -1]: on ties it returns the last maximal class, not argmax's first."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def predict(self, X):
        return np.argsort(self.forward(X), axis=1, kind="stable")[:, -1]
