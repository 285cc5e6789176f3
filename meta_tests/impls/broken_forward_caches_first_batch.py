"""forward memoises its first result and returns it again for every later call."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "gradients"


class NeuralNetwork(reference.NeuralNetwork):
    def forward(self, X):
        if getattr(self, "_cached", None) is None:
            self._cached = super().forward(X)
        return self._cached
