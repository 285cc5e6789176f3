"""predict returns the largest probability (np.max) instead of its index (np.argmax)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def predict(self, X):
        return np.max(self.forward(X), axis=0)
