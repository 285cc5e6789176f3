"""forward returns its cached output when called again with the same X object, even after update changed the weights."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def forward(self, X):
        if getattr(self, "_last_X", None) is X:
            return self.activations[-1]
        self._last_X = X
        return super().forward(X)
