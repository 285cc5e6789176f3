"""The row layout, presented to the checks as the contract's column layout.

A row-layout implementation (X of shape (n_samples, n_features), weights[i] (n_in, n_out),
biases[i] (1, n_out) or (n_out,), softmax over the last axis) is wrapped once, when it is
loaded, and every check runs unchanged: arrays cross the boundary as transposed *views*, never
copies, so nothing is rounded and whatever the implementation does to an array in place (a
forward that writes into X, an update that rebinds or writes, an output buffer it reuses) shows
in the check's array exactly as it would in the column layout. Only np.ndarray values are
turned; anything else (a list, a tensor, None) reaches the check as it came, to be judged as
it is. This runs in the kit's process in grading mode too: the submission's objects are then
proxies, and nothing here runs where the submission could reach it.

Messages are turned back into the implementation's layout by ``display``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: What an array is, for turning it: a batch (X, Y, forward's output), a weight matrix, a bias.
BATCH, WEIGHT, BIAS = "batch", "weight", "bias"
#: The network's arrays by attribute.
KINDS = {"weights": WEIGHT, "biases": BIAS, "dW": WEIGHT, "db": BIAS}


def to_columns(value: Any, kind: str = BATCH) -> Any:
    """The column-layout view of a row-layout array (a flat bias becomes a column)."""
    if not isinstance(value, np.ndarray):
        return value
    if kind == BIAS and value.ndim == 1:
        return value[:, np.newaxis]
    return value.T


def to_rows(value: Any, kind: str = BATCH, flat: bool = False) -> Any:
    """The row-layout view of a column-layout array (``flat``: a bias kept as (n_out,))."""
    if not isinstance(value, np.ndarray):
        return value
    if kind == BIAS and flat and value.ndim == 2 and value.shape[1] == 1:
        return value[:, 0]
    return value.T


class ThroughList(list):
    """``net.weights`` as the checks see it: the column views of the network's own list, where
    setting an item sets the network's item (in its own layout), as on the contract's list."""

    def __init__(self, owner: RowsNetwork, attr: str, kind: str):
        self._owner, self._attr, self._kind = owner, attr, kind
        super().__init__(to_columns(v, kind) for v in self._inner())

    def _inner(self) -> Any:
        return getattr(self._owner._bp_inner, self._attr)

    def __setitem__(self, index: Any, value: Any) -> None:
        inner = self._inner()
        if isinstance(index, slice):
            values = list(value)
            inner[index] = [self._owner._to_inner(self._kind, v) for v in values]
            super().__setitem__(index, values)
            return
        inner[index] = self._owner._to_inner(self._kind, value, index)
        super().__setitem__(index, value)


class RowsNetwork:
    """The implementation's network with the contract's column layout at its surface."""

    def __init__(self, inner: Any):
        object.__setattr__(self, "_bp_inner", inner)
        # Whether each bias is kept flat, (n_out,): read once, so that a parameter put in is
        # given back in the network's own style.
        biases = getattr(inner, "biases", None)
        flat = [isinstance(b, np.ndarray) and b.ndim == 1 for b in biases or ()]
        object.__setattr__(self, "_bp_flat", flat)

    def _to_inner(self, kind: str, value: Any, index: Any = None) -> Any:
        flat = isinstance(index, int) and 0 <= index < len(self._bp_flat) and self._bp_flat[index]
        return to_rows(value, kind, flat and kind == BIAS)

    # -- parameters and gradients --------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        inner = object.__getattribute__(self, "_bp_inner")
        kind = KINDS.get(name)
        value = getattr(inner, name)
        if kind is None:
            return value
        if name in ("weights", "biases") and isinstance(value, list):
            return ThroughList(self, name, kind)
        if isinstance(value, list | tuple):
            return [to_columns(v, kind) for v in value]
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        kind = KINDS.get(name)
        if kind is not None and isinstance(value, list | tuple):
            value = [self._to_inner(kind, v, i) for i, v in enumerate(value)]
        setattr(self._bp_inner, name, value)

    # -- the contract's methods ----------------------------------------------------------------

    def forward(self, X: Any) -> Any:
        return to_columns(self._bp_inner.forward(to_rows(X)))

    def cross_entropy_loss(self, y_pred: Any, y_true: Any) -> Any:
        return self._bp_inner.cross_entropy_loss(to_rows(y_pred), to_rows(y_true))

    def backward(self, y_true: Any) -> Any:
        return self._bp_inner.backward(to_rows(y_true))

    def update(self, learning_rate: Any) -> Any:
        return self._bp_inner.update(learning_rate)

    def train_step(self, X: Any, Y: Any, learning_rate: Any) -> Any:
        return self._bp_inner.train_step(to_rows(X), to_rows(Y), learning_rate)

    def predict(self, X: Any) -> Any:
        return self._bp_inner.predict(to_rows(X))

    def __repr__(self) -> str:
        return f"{self._bp_inner!r} (row layout)"

    # -- loops (conformance.sandbox.loops) run on the network itself, with their arguments turned

    def loop_arguments(self, name: str, args: Sequence[Any]) -> tuple[Any, ...]:
        if name == "repeat":
            method, call_args, *rest = args
            if method == "train_step":
                X, Y, lr = call_args
                call_args = (to_rows(X), to_rows(Y), lr)
            return (method, call_args, *rest)
        if name == "losses_at":
            attr, index, points, X, Y = args
            kind = KINDS[attr]
            turned = [self._to_inner(kind, p, index) for p in points]
            return (attr, index, turned, to_rows(X), to_rows(Y))
        if name == "put":
            weights, biases = args
            return (
                [self._to_inner(WEIGHT, W, i) for i, W in enumerate(weights)],
                [self._to_inner(BIAS, b, i) for i, b in enumerate(biases)],
            )
        if name == "losses_of":
            points, X, Y, shape = args
            # The same array turned into the same view, so that the loop still puts in only
            # the arrays that changed from one point to the next.
            seen: dict[int, Any] = {}

            def turned(kind: str, i: int, a: Any) -> Any:
                if id(a) not in seen:
                    seen[id(a)] = (a, self._to_inner(kind, a, i))
                return seen[id(a)][1]

            rows = [
                (
                    [turned(WEIGHT, i, W) for i, W in enumerate(weights)],
                    [turned(BIAS, i, b) for i, b in enumerate(biases)],
                )
                for weights, biases in points
            ]
            return (rows, to_rows(X), to_rows(Y), tuple(shape)[::-1])
        raise KeyError(f"no row-layout arguments for the loop {name!r}")

    def loop_values(self, name: str, values: list[Any]) -> list[Any]:
        """A loop's values in the column layout: forward's outputs of losses_of."""
        if name != "losses_of":
            return values
        return [
            (to_columns(item[0]), item[1]) if isinstance(item, tuple) and len(item) == 2 else item
            for item in values
        ]


def unwrap(target: Any) -> tuple[Any, RowsNetwork | None]:
    """(the object a loop runs on, the RowsNetwork it was reached through, if any)."""
    if isinstance(target, RowsNetwork):
        return target._bp_inner, target
    return target, None


class RowsModule:
    """The implementation's module with softmax and NeuralNetwork in the column layout."""

    def __init__(self, module: Any):
        self._bp_module = module

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._bp_module, name)
        if name == "softmax" and callable(value):
            return _softmax(value)
        if name == "NeuralNetwork" and callable(value):
            return _network_class(value)
        return value

    def __dir__(self) -> list[str]:
        return dir(self._bp_module)

    def __repr__(self) -> str:
        return f"{self._bp_module!r} (row layout)"


def _softmax(softmax: Callable[..., Any]) -> Callable[..., Any]:
    def columns(z: Any, *args: Any, **kwargs: Any) -> Any:
        return to_columns(softmax(to_rows(z), *args, **kwargs))

    columns.__wrapped__ = softmax  # type: ignore[attr-defined]  # its signature, for the checks
    return columns


class _NetworkClass:
    """``NeuralNetwork`` as the checks see it: calling it builds the implementation's network,
    wrapped; its methods and attributes are the class's own."""

    def __init__(self, cls: Any):
        self.__wrapped__ = cls

    def __call__(self, *args: Any, **kwargs: Any) -> RowsNetwork:
        return RowsNetwork(self.__wrapped__(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["__wrapped__"], name)

    def __repr__(self) -> str:
        return f"{self.__wrapped__!r} (row layout)"


def _network_class(cls: Any) -> _NetworkClass:
    return _NetworkClass(cls)
