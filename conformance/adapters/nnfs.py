"""The adapter for the layer classes of "Neural Networks from Scratch in Python" (Kinsley &
Kukieła): ``pytest --impl=mycode.py --adapter=nnfs``.

The book builds a network from objects: ``Layer_Dense(n_inputs, n_neurons)`` (``weights``
``(n_inputs, n_neurons)``, ``biases`` ``(1, n_neurons)``), ``Activation_ReLU``,
``Activation_Softmax``, ``Loss_CategoricalCrossentropy`` (``calculate`` is the mean of its
``forward``), the combined ``Activation_Softmax_Loss_CategoricalCrossentropy`` for the
backward pass, and ``Optimizer_SGD(learning_rate)``; each ``forward`` sets ``output``, each
``backward`` sets ``dinputs`` (and ``dweights``, ``dbiases``). Batches are rows, labels class
indices. The adapter strings those objects together as the book's training loop does, and
nothing more: every number the checks see is computed by the user's classes.

The book's code changes over its chapters, and the adapter takes each form: ``forward(inputs)``
or ``forward(inputs, training)`` (chapter 21's dropout), an optimizer with or without
``pre_update_params`` / ``post_update_params``, a loss whose ``calculate`` accumulates
(``new_pass`` first), a combined class with or without its own forward.

The book's template sets two things on purpose, which the adapter declares: weights start as
``0.01 * np.random.randn`` (not He), and the loss clips probabilities to [1e-7, 1 − 1e-7].
"""

from __future__ import annotations

import inspect
import types
from typing import Any

import numpy as np

from .params import attribute_list, set_all

#: The book's classes the adapter uses (a module without one is told so in one line).
USES = (
    "Layer_Dense",
    "Activation_ReLU",
    "Activation_Softmax",
    "Loss_CategoricalCrossentropy",
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
    "NeuralNetwork.train_step": "Loss_CategoricalCrossentropy, Optimizer_SGD",
    "NeuralNetwork.predict": "Activation_Softmax.forward (argmax)",
    "affine layer": "Layer_Dense",
    "relu layer": "Activation_ReLU",
    "softmax_cross_entropy layer": "Loss_CategoricalCrossentropy, "
    "Activation_Softmax_Loss_CategoricalCrossentropy.backward",
    "softmax layer": "Activation_Softmax",
    "cross_entropy layer": "Loss_CategoricalCrossentropy",
}


def adapt(code: Any) -> types.ModuleType:
    """The contract's names, made of the classes in ``code`` (the user's module)."""
    adapted = types.ModuleType("nnfs_adapter")
    adapted.ADAPTS = "the nnfs book's layer classes"
    adapted.USES = USES
    adapted.LAYOUT, adapted.LABELS, adapted.OUTPUT = "rows", "integers", "probabilities"
    adapted.INIT_STD, adapted.LOSS_CLIP = 0.01, 1e-7
    adapted.API_NAMES = API_NAMES
    book = Book(code)

    def relu_derivative(z: Any) -> Any:
        """ReLU's backward with an upstream gradient of ones: its derivative, entry by entry."""
        return book.relu(z)[1](np.ones_like(np.asarray(z, dtype=float)))

    def softmax(z: Any) -> Any:
        """Activation_Softmax over the last axis (the book's is over axis 1 of a batch: other
        shapes are given to it as one)."""
        z = np.asarray(z)
        batch = z.reshape(-1, z.shape[-1]) if z.ndim else z.reshape(1, 1)
        return np.reshape(book.softmax(batch)[0], z.shape)

    adapted.relu = lambda z: book.relu(z)[0]
    adapted.relu_derivative, adapted.softmax = relu_derivative, softmax
    adapted.NeuralNetwork = _network_class(code, book)
    adapted.LAYERS = {
        "affine": book.affine,
        "relu": book.relu,
        "softmax": book.softmax,
        "cross_entropy": book.cross_entropy,
        "softmax_cross_entropy": book.softmax_loss,
    }
    # The book's losses take class indices and one-hot rows alike: both are checked.
    adapted.LAYER_ONE_HOT_LABELS = True
    return adapted


class Book:
    """The calls the book's training loop makes, in whichever chapter's form the code has."""

    def __init__(self, code: Any):
        self.code = code
        self._training: dict[Any, bool] = {}

    def forward(self, layer: Any, inputs: Any) -> Any:
        """``layer.forward(inputs)``, with ``training=True`` where it takes one; its output."""
        kind = type(layer)
        if kind not in self._training:
            try:
                self._training[kind] = "training" in inspect.signature(layer.forward).parameters
            except (TypeError, ValueError):
                self._training[kind] = False
        if self._training[kind]:
            layer.forward(inputs, training=True)
        else:
            layer.forward(inputs)
        return layer.output

    def _loss(self) -> Any:
        """A Loss_CategoricalCrossentropy on a new pass (where its calculate accumulates)."""
        loss = self.code.Loss_CategoricalCrossentropy()
        if callable(getattr(loss, "new_pass", None)):
            loss.new_pass()
        return loss

    def loss(self, probabilities: Any, y: Any) -> Any:
        """The mean loss, as ``Loss.calculate`` gives it."""
        return self._loss().calculate(probabilities, y)

    def loss_backward(self, probabilities: Any, y: Any) -> Any:
        """The combined class's backward, given the softmax's own output, as the book does."""
        combined = self.code.Activation_Softmax_Loss_CategoricalCrossentropy()
        combined.backward(probabilities, y)
        return combined.dinputs

    def step(self, lr: float, layers: list[Any]) -> None:
        optimizer = self.code.Optimizer_SGD(learning_rate=lr)
        if callable(getattr(optimizer, "pre_update_params", None)):
            optimizer.pre_update_params()
        for layer in layers:
            optimizer.update_params(layer)
        if callable(getattr(optimizer, "post_update_params", None)):
            optimizer.post_update_params()

    # -- LAYERS: each layer on its own (checks/test_layers.py)

    def affine(self, x: Any, w: Any, b: Any) -> tuple[Any, Any]:
        layer = self.code.Layer_Dense(w.shape[0], w.shape[1])
        layer.weights, layer.biases = w, b
        out = self.forward(layer, x)

        def backward(dout: Any) -> tuple[Any, Any, Any]:
            layer.backward(dout)
            return layer.dinputs, layer.dweights, layer.dbiases

        return out, backward

    def relu(self, x: Any) -> tuple[Any, Any]:
        layer = self.code.Activation_ReLU()
        out = self.forward(layer, x)

        def backward(dout: Any) -> Any:
            layer.backward(dout)
            return layer.dinputs

        return out, backward

    def softmax(self, x: Any) -> tuple[Any, Any]:
        """Activation_Softmax with its own backward (the book's Jacobian, chapter 9)."""
        layer = self.code.Activation_Softmax()
        out = self.forward(layer, x)

        def backward(dout: Any) -> Any:
            layer.backward(dout)
            return layer.dinputs

        return out, backward

    def cross_entropy(self, probabilities: Any, y: Any) -> tuple[Any, Any]:
        """Loss_CategoricalCrossentropy on its own: the mean loss and its backward."""
        loss = self._loss()
        value = loss.calculate(probabilities, y)
        loss.backward(probabilities, y)
        return value, loss.dinputs

    def softmax_loss(self, scores: Any, y: Any) -> tuple[Any, Any]:
        """The book's way: softmax, the loss of its output, the combined backward given it."""
        probabilities = self.forward(self.code.Activation_Softmax(), scores)
        return self.loss(probabilities, y), self.loss_backward(probabilities, y)


def _network_class(code: Any, book: Book) -> type:
    class NeuralNetwork:
        """Layer_Dense and Activation_ReLU in turn, Activation_Softmax at the end, the loss and
        the combined backward, Optimizer_SGD for the update: the book's loop, any depth."""

        def __init__(self, layer_sizes: Any):
            sizes = [int(n) for n in layer_sizes]
            self.dense = [code.Layer_Dense(a, b) for a, b in zip(sizes, sizes[1:])]
            self.activations = [code.Activation_ReLU() for _ in sizes[2:]]
            self.softmax = code.Activation_Softmax()
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

        def forward(self, X: Any) -> Any:
            out = X
            for dense, activation in zip(self.dense, self.activations):
                out = book.forward(activation, book.forward(dense, out))
            self._probabilities = book.forward(self.softmax, book.forward(self.dense[-1], out))
            return self._probabilities

        def cross_entropy_loss(self, y_pred: Any, y_true: Any) -> Any:
            return book.loss(y_pred, y_true)

        def backward(self, y_true: Any) -> None:
            upstream = book.loss_backward(self._probabilities, y_true)
            for i in reversed(range(len(self.dense))):
                self.dense[i].backward(upstream)
                upstream = self.dense[i].dinputs
                if i:
                    self.activations[i - 1].backward(upstream)
                    upstream = self.activations[i - 1].dinputs

        def update(self, lr: float) -> None:
            book.step(lr, self.dense)

        def train_step(self, X: Any, Y: Any, lr: float) -> Any:
            """The book's loop: forward, the loss, backward, the optimizer's step."""
            loss = book.loss(self.forward(X), Y)
            self.backward(Y)
            self.update(lr)
            return loss

        def predict(self, X: Any) -> Any:
            return np.argmax(self.forward(X), axis=1)

    return NeuralNetwork
