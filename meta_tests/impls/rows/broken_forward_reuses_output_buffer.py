"""forward writes its probabilities into a preallocated buffer it reuses: the array it returned is
overwritten by the next forward (or predict) with the same batch size."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def forward(self, X):
        out = super().forward(X)
        buf = getattr(self, "_out", None)
        if buf is None or buf.shape != out.shape:
            buf = self._out = np.empty_like(out)
        buf[...] = out
        self.activations[-1] = buf
        return buf
