"""The two-layer network's update adds the gradient (θ ← θ + lr·∂L/∂θ): it must be caught on the depth it supports."""

from correct_two_layer import *  # noqa: F401,F403
import correct_two_layer

HIDDEN_LAYERS = 1
EXPECTED_AREA = "training"


class NeuralNetwork(correct_two_layer.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W += learning_rate * dW
            b += learning_rate * db
