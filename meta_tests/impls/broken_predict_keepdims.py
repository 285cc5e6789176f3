"""predict keeps the reduced axis: returns shape (1, n_samples) instead of (n_samples,)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def predict(self, X):
        return np.argmax(self.forward(X), axis=0, keepdims=True)
