"""The adapter for CS231n's layer functions: ``pytest --impl=layers.py --adapter=cs231n``.

The course's assignments build networks from functions with the ``(out, cache)`` convention:
``affine_forward(x, w, b)`` (``w`` ``(D, M)``, ``b`` ``(M,)``) and ``affine_backward(dout,
cache) -> (dx, dw, db)``, ``relu_forward`` / ``relu_backward``, ``softmax_loss(scores, y) ->
(loss, dscores)`` with integer labels, and ``layer_utils.py``'s sandwiches
``affine_relu_forward`` / ``affine_relu_backward``, which the adapter uses where the module has
them (in the course they call the student's own layers). Batches are rows; the network's last
layer gives scores (logits), whose softmax the kit takes itself.

The functions hold no parameters and draw none: the adapter's network keeps ``W1, b1, …`` as
``FullyConnectedNet`` does and draws them itself, so the initialisation checks are skipped as
not the code's. The update is the module's ``sgd(w, dw, config)`` (the course's
``optim.sgd``) where it has one; otherwise the adapter's own step, and the update check is
skipped too.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from .params import HeldBy

USES = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss")

API_NAMES = {
    "relu": "relu_forward",
    "relu_derivative": "relu_backward",
    "NeuralNetwork.forward": "affine_forward, relu_forward, affine_relu_forward",
    "NeuralNetwork.cross_entropy_loss": "softmax_loss",
    "NeuralNetwork.backward": "softmax_loss, affine_backward, relu_backward, affine_relu_backward",
    "NeuralNetwork.update": "sgd",
    "NeuralNetwork.train_step": "softmax_loss",
    "NeuralNetwork.predict": "the scores' argmax",
    "affine layer": "affine_forward, affine_backward",
    "relu layer": "relu_forward, relu_backward",
    "softmax_cross_entropy layer": "softmax_loss",
}


def adapt(code: Any) -> types.ModuleType:
    """The contract's names, made of the layer functions in ``code`` (the user's module)."""
    adapted = types.ModuleType("cs231n_adapter")
    adapted.ADAPTS = "CS231n's layer functions"
    adapted.USES, adapted.API_NAMES = USES, dict(API_NAMES)
    adapted.LAYOUT, adapted.LABELS, adapted.OUTPUT = "rows", "integers", "logits"
    own = {
        "NeuralNetwork.__init__": "CS231n's layer functions hold no parameters: the adapter's "
        "network draws them itself"
    }
    sgd = getattr(code, "sgd", None)
    if sgd is None:
        own["NeuralNetwork.update"] = (
            "the module has no sgd(w, dw, config): the adapter's network takes the step itself"
        )
        adapted.API_NAMES.pop("NeuralNetwork.update")
    adapted.ADAPTER_BUILDS = own

    # affine_forward flattens x of shape (N, d_1, ..., d_k): its layer check gives it one.
    adapted.LAYER_ND_INPUTS = True

    def relu(x: Any) -> tuple[Any, Any]:
        # The layer functions take arrays (a NumPy scalar has no item assignment).
        return _layer(code.relu_forward, code.relu_backward, np.asarray(x))

    adapted.relu = lambda z: relu(z)[0]
    # relu_backward with an upstream gradient of ones: the derivative, entry by entry.
    adapted.relu_derivative = lambda z: relu(z)[1](np.ones_like(np.asarray(z, dtype=float)))
    adapted.NeuralNetwork = _network_class(code, sgd)
    adapted.LAYERS = {
        "affine": lambda x, w, b: _layer(code.affine_forward, code.affine_backward, x, w, b),
        "relu": relu,
        "softmax_cross_entropy": code.softmax_loss,
    }
    return adapted


def _layer(forward: Any, backward: Any, *args: Any) -> tuple[Any, Any]:
    out, cache = forward(*args)
    return out, lambda dout: backward(dout, cache)


def _sandwich(code: Any) -> tuple[Any, Any]:
    """affine_relu_forward / _backward: the module's own, else the course's composition."""
    forward, backward = (
        getattr(code, n, None) for n in ("affine_relu_forward", "affine_relu_backward")
    )
    if forward is None or backward is None:

        def forward(x: Any, w: Any, b: Any) -> tuple[Any, Any]:
            a, fc_cache = code.affine_forward(x, w, b)
            out, relu_cache = code.relu_forward(a)
            return out, (fc_cache, relu_cache)

        def backward(dout: Any, cache: Any) -> Any:
            fc_cache, relu_cache = cache
            return code.affine_backward(code.relu_backward(dout, relu_cache), fc_cache)

    return forward, backward


def _network_class(code: Any, sgd: Any) -> type:
    hidden_forward, hidden_backward = _sandwich(code)

    class NeuralNetwork:
        """FullyConnectedNet's structure without its regularisation or dropout: affine-ReLU
        sandwiches, a last affine layer giving scores, softmax_loss; parameters in ``params``
        as W1, b1, W2, …"""

        def __init__(self, layer_sizes: Any):
            sizes = [int(n) for n in layer_sizes]
            self.num_layers = len(sizes) - 1
            self.params: dict[str, Any] = {}
            for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
                self.params[f"W{i}"] = np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
                self.params[f"b{i}"] = np.zeros(n_out)
            self.grads: dict[str, Any] = {}
            self._caches: list[Any] = []
            self._scores: Any = None

        def _list(self, prefix: str, source: str = "params") -> HeldBy:
            held = getattr(self, source)
            keys = [f"{prefix}{i}" for i in range(1, self.num_layers + 1)]
            return HeldBy(
                len(keys), lambda i: held.get(keys[i]), lambda i, v: held.__setitem__(keys[i], v)
            )

        def _set(self, prefix: str, values: Any) -> None:
            values = list(values)
            if len(values) != self.num_layers:
                raise ValueError(f"this network has {self.num_layers} layers, not {len(values)}")
            for i, v in enumerate(values, start=1):
                self.params[f"{prefix}{i}"] = v

        weights = property(lambda self: self._list("W"), lambda self, v: self._set("W", v))
        biases = property(lambda self: self._list("b"), lambda self, v: self._set("b", v))
        dW = property(lambda self: list(self._list("W", "grads")))
        db = property(lambda self: list(self._list("b", "grads")))

        def forward(self, X: Any) -> Any:
            out, self._caches = X, []
            for i in range(1, self.num_layers):
                out, cache = hidden_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
                self._caches.append(cache)
            last = self.num_layers
            out, cache = code.affine_forward(out, self.params[f"W{last}"], self.params[f"b{last}"])
            self._caches.append(cache)
            self._scores = out
            return out

        def cross_entropy_loss(self, scores: Any, y: Any) -> Any:
            return code.softmax_loss(scores, y)[0]

        def backward(self, y: Any) -> None:
            self._backward(code.softmax_loss(self._scores, y)[1])

        def _backward(self, dscores: Any) -> None:
            last = self.num_layers
            self.grads = {}
            dx, self.grads[f"W{last}"], self.grads[f"b{last}"] = code.affine_backward(
                dscores, self._caches[-1]
            )
            for i in range(last - 1, 0, -1):
                dx, self.grads[f"W{i}"], self.grads[f"b{i}"] = hidden_backward(
                    dx, self._caches[i - 1]
                )

        def update(self, lr: float) -> None:
            for key in sorted(self.params):
                if sgd is not None:
                    self.params[key], _ = sgd(
                        self.params[key], self.grads[key], {"learning_rate": lr}
                    )
                else:
                    self.params[key] -= lr * self.grads[key]

        def train_step(self, X: Any, y: Any, lr: float) -> Any:
            """The course's Solver step: loss and gradients from one softmax_loss, then sgd."""
            loss, dscores = code.softmax_loss(self.forward(X), y)
            self._backward(dscores)
            self.update(lr)
            return loss

        def predict(self, X: Any) -> Any:
            return np.argmax(self.forward(X), axis=1)

    return NeuralNetwork
