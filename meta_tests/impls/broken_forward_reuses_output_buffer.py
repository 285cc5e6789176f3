"""forward writes its probabilities into a preallocated buffer it reuses: the array it returned is
overwritten by the next forward (or predict) with the same batch size."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def forward(self, X):
        out = super().forward(X)
        buf = getattr(self, "_out", None)
        if buf is None or buf.shape != out.shape:
            buf = self._out = np.empty_like(out)
        buf[...] = out
        self.activations[-1] = buf
        return buf
