"""forward returns its cached output when called again with the same X object, even after update changed the weights."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def forward(self, X):
        if getattr(self, "_last_X", None) is X:
            return self.activations[-1]
        self._last_X = X
        return super().forward(X)
