"""The adapter for the layer classes of "Neural Networks from Scratch in Python" (Kinsley &
Kukieła): ``pytest --impl=mycode.py --adapter=nnfs``.

The book builds a network from objects: ``Layer_Dense(n_inputs, n_neurons)`` (``weights``
``(n_inputs, n_neurons)``, ``biases`` ``(1, n_neurons)``), ``Activation_ReLU``, the combined
``Activation_Softmax_Loss_CategoricalCrossentropy`` (its ``activation`` and ``loss``) and
``Optimizer_SGD(learning_rate)``; each ``forward`` sets ``output``, each ``backward`` sets
``dinputs`` (and ``dweights``, ``dbiases``). Batches are rows, labels class indices. The
adapter strings those objects together as the book's training loop does, and nothing more:
every number the checks see is computed by the user's classes.

The book's template sets two things on purpose, which the adapter declares: weights start as
``0.01 * np.random.randn`` (not He), and the loss clips probabilities to [1e-7, 1 − 1e-7].
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from .params import attribute_list, set_all

#: The book's classes the adapter uses, for the header and for a module that lacks one.
USES = (
    "Layer_Dense",
    "Activation_ReLU",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Optimizer_SGD",
)

#: The book's code behind each contract name, for the diagnosis.
API_NAMES = {
    "relu": "Activation_ReLU.forward",
    "relu_derivative": "Activation_ReLU.backward",
    "softmax": "Activation_Softmax.forward",
    "NeuralNetwork.__init__": "Layer_Dense.__init__",
    "NeuralNetwork.forward": "Layer_Dense.forward, Activation_ReLU.forward, "
    "Activation_Softmax.forward",
    "NeuralNetwork.cross_entropy_loss": "Loss_CategoricalCrossentropy.forward, Loss.calculate",
    "NeuralNetwork.backward": "Layer_Dense.backward, Activation_ReLU.backward, "
    "Activation_Softmax_Loss_CategoricalCrossentropy.backward",
    "NeuralNetwork.update": "Optimizer_SGD.update_params",
    "NeuralNetwork.train_step": "Activation_Softmax_Loss_CategoricalCrossentropy.forward",
    "NeuralNetwork.predict": "Activation_Softmax.forward (argmax)",
    "affine layer": "Layer_Dense",
    "relu layer": "Activation_ReLU",
    "softmax_cross_entropy layer": "Activation_Softmax_Loss_CategoricalCrossentropy",
}


def adapt(code: Any) -> types.ModuleType:
    """The contract's names, made of the classes in ``code`` (the user's module)."""
    adapted = types.ModuleType("nnfs_adapter")
    adapted.ADAPTS = "nnfs layer classes (" + ", ".join(USES) + ")"
    adapted.USES = USES
    adapted.LAYOUT, adapted.LABELS, adapted.OUTPUT = "rows", "integers", "probabilities"
    adapted.INIT_STD, adapted.LOSS_CLIP = 0.01, 1e-7
    adapted.API_NAMES = API_NAMES

    def relu(z: Any) -> Any:
        layer = code.Activation_ReLU()
        layer.forward(z)
        return layer.output

    def relu_derivative(z: Any) -> Any:
        """ReLU's backward with an upstream gradient of ones: its derivative, entry by entry."""
        layer = code.Activation_ReLU()
        layer.forward(z)
        layer.backward(np.ones_like(np.asarray(z, dtype=float)))
        return layer.dinputs

    def softmax(z: Any) -> Any:
        """The combined class's own softmax, over the last axis (the book's is over axis 1
        of a batch: other shapes are given to it as one)."""
        z = np.asarray(z)
        layer = code.Activation_Softmax_Loss_CategoricalCrossentropy().activation
        layer.forward(z.reshape(-1, z.shape[-1]) if z.ndim else z.reshape(1, 1))
        return np.reshape(layer.output, z.shape)

    adapted.relu, adapted.relu_derivative, adapted.softmax = relu, relu_derivative, softmax
    adapted.NeuralNetwork = _network_class(code)
    adapted.LAYERS = {
        "affine": lambda x, w, b: _affine(code, x, w, b),
        "relu": lambda x: _relu(code, x),
        "softmax_cross_entropy": lambda scores, y: _softmax_loss(code, scores, y),
    }
    return adapted


def _affine(code: Any, x: Any, w: Any, b: Any) -> tuple[Any, Any]:
    layer = code.Layer_Dense(w.shape[0], w.shape[1])
    layer.weights, layer.biases = w, b
    layer.forward(x)

    def backward(dout: Any) -> tuple[Any, Any, Any]:
        layer.backward(dout)
        return layer.dinputs, layer.dweights, layer.dbiases

    return layer.output, backward


def _relu(code: Any, x: Any) -> tuple[Any, Any]:
    layer = code.Activation_ReLU()
    layer.forward(x)

    def backward(dout: Any) -> Any:
        layer.backward(dout)
        return layer.dinputs

    return layer.output, backward


def _softmax_loss(code: Any, scores: Any, y: Any) -> tuple[Any, Any]:
    """The book's way: the loss from the combined forward, its gradient from the combined
    backward given the combined class's own output."""
    layer = code.Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = layer.forward(scores, y)
    layer.backward(layer.output, y)
    return loss, layer.dinputs


def _network_class(code: Any) -> type:
    class NeuralNetwork:
        """Layer_Dense and Activation_ReLU in turn, the combined softmax and loss at the end,
        Optimizer_SGD for the update: the book's training loop for any depth."""

        def __init__(self, layer_sizes: Any):
            sizes = [int(n) for n in layer_sizes]
            self.dense = [code.Layer_Dense(a, b) for a, b in zip(sizes, sizes[1:])]
            self.activations = [code.Activation_ReLU() for _ in sizes[2:]]
            self.loss_activation = code.Activation_Softmax_Loss_CategoricalCrossentropy()
            self._probabilities: Any = None

        weights = property(
            lambda self: attribute_list(self.dense, "weights"),
            lambda self, v: set_all(self.dense, "weights", v),
        )
        biases = property(
            lambda self: attribute_list(self.dense, "biases"),
            lambda self, v: set_all(self.dense, "biases", v),
        )
        dW = property(lambda self: [getattr(d, "dweights", None) for d in self.dense])
        db = property(lambda self: [getattr(d, "dbiases", None) for d in self.dense])

        def _scores(self, X: Any) -> Any:
            out = X
            for dense, activation in zip(self.dense, self.activations):
                dense.forward(out)
                activation.forward(dense.output)
                out = activation.output
            self.dense[-1].forward(out)
            return self.dense[-1].output

        def forward(self, X: Any) -> Any:
            softmax = self.loss_activation.activation
            softmax.forward(self._scores(X))
            self._probabilities = softmax.output
            return self._probabilities

        def cross_entropy_loss(self, y_pred: Any, y_true: Any) -> Any:
            return self.loss_activation.loss.calculate(y_pred, y_true)

        def backward(self, y_true: Any) -> None:
            self.loss_activation.backward(self._probabilities, y_true)
            upstream = self.loss_activation.dinputs
            for i in reversed(range(len(self.dense))):
                self.dense[i].backward(upstream)
                upstream = self.dense[i].dinputs
                if i:
                    self.activations[i - 1].backward(upstream)
                    upstream = self.activations[i - 1].dinputs

        def update(self, lr: float) -> None:
            optimizer = code.Optimizer_SGD(learning_rate=lr)
            for dense in self.dense:
                optimizer.update_params(dense)

        def train_step(self, X: Any, Y: Any, lr: float) -> Any:
            """The book's loop: the combined forward gives the loss, then backward, update."""
            loss = self.loss_activation.forward(self._scores(X), Y)
            self._probabilities = self.loss_activation.output
            self.backward(Y)
            self.update(lr)
            return loss

        def predict(self, X: Any) -> Any:
            return np.argmax(self.forward(X), axis=1)

    return NeuralNetwork
