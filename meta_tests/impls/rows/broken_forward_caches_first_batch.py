"""forward memoises its first result and returns it again for every later call."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "gradients"


class NeuralNetwork(rows_base.NeuralNetwork):
    def forward(self, X):
        if getattr(self, "_cached", None) is None:
            self._cached = super().forward(X)
        return self._cached
