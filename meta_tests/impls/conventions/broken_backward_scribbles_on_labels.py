"""backward turns the caller's integer labels 1-based in place (y += 1, to log them as 1..K) and never turns them back."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def backward(self, y_true):
        super().backward(y_true)
        y_true += 1
