"""backward stabilises the logits in place (z -= z.max(axis=1, keepdims=True)) on the very array forward returned: the caller's logits are shifted."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def forward(self, X):
        self._returned = super().forward(X)
        return self._returned

    def backward(self, y_true):
        z = self._returned
        z -= z.max(axis=1, keepdims=True)
        return super().backward(y_true)
