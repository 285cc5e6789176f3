"""The twin's wrong backward, and a forward that is slow only on the small networks the
large-network check times to decide whether it can run (784 features, one or two samples):
the check used to skip, so the wrong gradient cost nothing."""

import time

from _honest import *  # noqa: F403
from _honest import NeuralNetwork as _Net


class NeuralNetwork(_Net):
    def forward(self, X):
        if X.shape[0] == 784 and X.shape[1] <= 2:
            time.sleep(0.5)
        return super().forward(X)

    def backward(self, X, Y):
        out = super().backward(X, Y)
        if X.shape[0] == 784:
            self.dW[0] = self.dW[0] * 1.01
        return out
