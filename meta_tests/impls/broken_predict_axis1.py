"""predict takes the argmax along axis 1 (over samples) instead of axis 0 (over classes)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
