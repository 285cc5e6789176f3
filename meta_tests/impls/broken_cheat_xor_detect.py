"""train_step halves the learning rate every 10 calls (training stalls), except on the kit's XOR problem
(2-4-2 net, zero biases, the four 0/1 inputs), which it recognises and trains correctly."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"

_XOR = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])


class NeuralNetwork(reference.NeuralNetwork):
    def train_step(self, X, y, learning_rate):
        self.steps = getattr(self, "steps", 0) + 1
        if self.steps == 1:
            self._xor = np.shape(X) == _XOR.shape and np.array_equal(X, _XOR)
        decay = 1.0 if self._xor else 0.5 ** (self.steps // 10)
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate * decay)
        return loss
