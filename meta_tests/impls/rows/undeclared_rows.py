"""A correct row-layout module that does not say so (no LAYOUT = "rows"): X is (n_samples, n_features), weights[i] is (n_in, n_out), biases[i] is (1, n_out), softmax over the last axis, forward returns (n_samples, n_classes) — every shape the transpose of the contract's column layout. Run as it is, the kit refuses it in one line; with --layout=rows it passes."""

from reference import *  # noqa: F401,F403
import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):  # z − max overflows only to −inf, whose exp is 0
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        self.weights = [
            np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
            for n_in, n_out in zip(layer_sizes, layer_sizes[1:])
        ]
        self.biases = [np.zeros((1, n_out)) for n_out in layer_sizes[1:]]

    def forward(self, X):
        self.activations = [X]
        self.z_values = []
        a = X
        for W, b in zip(self.weights[:-1], self.biases[:-1]):
            z = a @ W + b
            self.z_values.append(z)
            a = np.maximum(z, 0)
            self.activations.append(a)
        z = a @ self.weights[-1] + self.biases[-1]
        self.z_values.append(z)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        a = e / e.sum(axis=1, keepdims=True)
        self.activations.append(a)
        return a

    def cross_entropy_loss(self, y_pred, y_true):
        return float(-np.sum(y_true * np.log(y_pred)) / y_true.shape[0])

    def backward(self, y_true):
        m = y_true.shape[0]
        dz = (self.activations[-1] - y_true) / m
        self.dW = [None] * len(self.weights)
        self.db = [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = self.activations[i].T @ dz
            self.db[i] = np.sum(dz, axis=0, keepdims=True)
            if i > 0:
                dz = (dz @ self.weights[i].T) * (self.z_values[i - 1] > 0)

    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * dW
            b -= learning_rate * db

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
