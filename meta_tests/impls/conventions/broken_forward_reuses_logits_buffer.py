"""forward writes its logits into one buffer it keeps and returns that buffer: the logits a caller holds change at the next forward."""

from correct_torch_style import *  # noqa: F401,F403
import correct_torch_style
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(correct_torch_style.NeuralNetwork):
    def forward(self, X):
        out = super().forward(X)
        buf = getattr(self, "_buffer", None)
        if buf is None or buf.shape != out.shape:
            buf = self._buffer = np.empty_like(out)
        buf[...] = out
        return buf
