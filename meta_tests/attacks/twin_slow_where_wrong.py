"""A backward that is wrong for inputs of 784 features (dW of the first layer 1% large)."""

from _honest import *  # noqa: F403
from _honest import NeuralNetwork as _Net


class NeuralNetwork(_Net):
    def backward(self, X, Y):
        out = super().backward(X, Y)
        if X.shape[0] == 784:
            self.dW[0] = self.dW[0] * 1.01
        return out
