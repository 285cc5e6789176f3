"""predict takes the top class with np.argsort(...)[-1]: on ties it returns the last maximal class, not argmax's first."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def predict(self, X):
        return np.argsort(self.forward(X), axis=0, kind="stable")[-1]
