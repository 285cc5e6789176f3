"""An implementation with its own conventions, presented to the checks in the contract's terms.

Wrapped once, when it is loaded, so that every check runs unchanged:

- the row layout: arrays cross as transposed *views*, never copies, so nothing is rounded and
  whatever the implementation does to an array in place (a forward that writes into X, an
  update that rebinds or writes, an output buffer it reuses) shows in the check's array exactly
  as it would in the column layout;
- integer labels: the one-hot Y of a check becomes its argmax, the class indices, exactly;
- logits: forward's logits become the kit's softmax of them (the reference's, stable), and a
  loss is given the logits forward returned for those probabilities (else their log, which
  softmax maps back to them).

Only np.ndarray values are turned; anything else (a list, a tensor, None) reaches the check as
it came, to be judged as it is. In grading mode this runs in the kit's process: the
submission's objects are proxies, and nothing here runs where the submission could reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from conformance.conventions import INTEGERS, LOGITS, ROWS, Conventions
from reference.functions import softmax as kit_softmax

#: What an array is, for turning it: a batch (X, Y, forward's output), a weight matrix, a bias.
BATCH, WEIGHT, BIAS = "batch", "weight", "bias"
#: How many arrays a network remembers having turned (see ContractNetwork._same).
SAME_KEPT = 8
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
    """``net.weights`` as the checks see it: the contract's view of the network's own list,
    where setting an item sets the network's item (in its own layout), as on the contract's."""

    def __init__(self, owner: ContractNetwork, attr: str, items: list[Any]):
        self._owner, self._attr, self._kind = owner, attr, KINDS[attr]
        super().__init__(owner._out(self._kind, v) for v in items)

    def __setitem__(self, index: Any, value: Any) -> None:
        inner = getattr(self._owner._bp_inner, self._attr)
        if isinstance(index, slice):
            values = list(value)
            inner[index] = [self._owner._in(self._kind, v) for v in values]
            super().__setitem__(index, values)
            return
        inner[index] = self._owner._in(self._kind, value, index)
        super().__setitem__(index, value)


class ContractNetwork:
    """The implementation's network with the contract's conventions at its surface."""

    def __init__(self, inner: Any, conventions: Conventions):
        object.__setattr__(self, "_bp_inner", inner)
        object.__setattr__(self, "_bp_conv", conventions)
        object.__setattr__(self, "_bp_rows", conventions.layout == ROWS)
        # Whether each bias is kept flat, (n_out,): read once, so that a parameter put in is
        # given back in the network's own style.
        try:
            biases = getattr(inner, "biases", None) if self._bp_rows else None
            flat = [isinstance(b, np.ndarray) and b.ndim == 1 for b in biases or ()]
        except Exception:  # not a list the kit can read: the checks say so, not this
            flat = []
        object.__setattr__(self, "_bp_flat", flat)
        # Logits forward returned, as they were, and the probabilities handed out for them:
        # if the implementation writes into its logits later (a buffer it reuses), the
        # probabilities change too, as they would have were they its own output.
        object.__setattr__(self, "_bp_handed", [])
        # What the same array was last turned into: a network that caches on ``X is
        # self._X`` must see the same object again, as in the contract's layout.
        object.__setattr__(self, "_bp_turned", [])

    # -- turning arrays ----------------------------------------------------------------------

    def _out(self, kind: str, value: Any) -> Any:
        return to_columns(value, kind) if self._bp_rows else value

    def _in(self, kind: str, value: Any, index: Any = None) -> Any:
        if not self._bp_rows:
            return value
        if kind == BATCH:
            return self._same(value, lambda: to_rows(value))
        flat = isinstance(index, int) and 0 <= index < len(self._bp_flat) and self._bp_flat[index]
        return to_rows(value, kind, flat and kind == BIAS)

    def _labels(self, Y: Any) -> Any:
        if self._bp_conv.labels == INTEGERS and isinstance(Y, np.ndarray) and Y.ndim == 2:
            # One-hot: exactly the class indices (made again if Y was written into since).
            return self._same(Y, lambda: np.argmax(Y, axis=0), by_value=True)
        return self._in(BATCH, Y)

    def _same(self, value: Any, turn: Any, by_value: bool = False) -> Any:
        """``turn()``, or what it gave for this very array before (the last few kept)."""
        if not isinstance(value, np.ndarray):
            return turn()
        turned = self._bp_turned
        for array, was, result in turned:
            if array is value and (not by_value or np.array_equal(was, value)):
                return result
        result = turn()
        turned.append((value, value.copy() if by_value else None, result))
        del turned[:-SAME_KEPT]
        return result

    def _probabilities(self, out: Any) -> Any:
        out_c = self._out(BATCH, out)
        if (
            self._bp_conv.output != LOGITS
            or not isinstance(out_c, np.ndarray)
            or out_c.dtype != np.float64  # told as it is: the checks want float64
        ):
            return out_c
        p = kit_softmax(out_c)
        handed = self._bp_handed
        handed.append((out, out.copy(), p))
        del handed[:-SAME_KEPT]
        return p

    def _logits(self, y_pred: Any) -> Any:
        if self._bp_conv.output != LOGITS or not isinstance(y_pred, np.ndarray):
            return self._in(BATCH, y_pred)
        for logits, _, p in reversed(self._bp_handed):
            if p.shape == y_pred.shape and np.array_equal(p, y_pred):
                return logits
        with np.errstate(divide="ignore"):
            return self._in(BATCH, np.log(y_pred))

    def _synced(self, value: Any) -> Any:
        """After a call: what the implementation wrote since into arrays the adapter made,
        shown where the checks look. Logits it returned → the probabilities handed out for
        them; class indices it was given → the one-hot Y they came from (NaN where an index
        is not a class), so that "results stay valid" and "inputs are left unchanged" see
        what they would in the contract's terms."""
        for logits, was, p in self._bp_handed:
            if logits.shape == was.shape and not np.array_equal(logits, was, equal_nan=True):
                now = kit_softmax(self._out(BATCH, logits))
                # Logits changed by a shift alone keep their softmax: still not what was
                # returned, so the probabilities show NaN rather than look untouched.
                same = now.shape == p.shape and np.array_equal(now, p)
                p[...] = now if now.shape == p.shape and not same else np.nan
                was[...] = logits
        for Y, was, labels in self._bp_turned:
            if was is None or not isinstance(labels, np.ndarray) or labels.shape != was.shape[1:]:
                continue
            if not np.array_equal(labels, np.argmax(was, axis=0)):
                k = Y.shape[0]
                valid = np.issubdtype(labels.dtype, np.integer) and np.all(
                    (labels >= 0) & (labels < k)
                )
                Y[...] = np.eye(k)[:, labels] if valid else np.nan
                was[...] = Y
        return value

    # -- parameters and gradients --------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        inner = object.__getattribute__(self, "_bp_inner")
        value = getattr(inner, name)
        if name not in KINDS:
            return value
        if name in ("weights", "biases") and isinstance(value, list):
            return ThroughList(self, name, value)
        if name == "db" and isinstance(value, list | tuple):
            return [self._gradient_of_bias(i, v) for i, v in enumerate(value)]
        if isinstance(value, list | tuple):
            return [self._out(KINDS[name], v) for v in value]
        return value

    def _gradient_of_bias(self, index: int, value: Any) -> Any:
        """db[i] in columns; a flat one for a bias kept as (1, n_out) stays flat, so that the
        checks see it does not have its parameter's shape (as PyTorch requires, and as an
        update in place needs)."""
        flat = self._bp_flat
        kept_flat = isinstance(value, np.ndarray) and value.ndim == 1 and index < len(flat)
        return value if self._bp_rows and kept_flat and not flat[index] else self._out(BIAS, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in KINDS and isinstance(value, list | tuple):
            value = [self._in(KINDS[name], v, i) for i, v in enumerate(value)]
        setattr(self._bp_inner, name, value)

    # -- the contract's methods ----------------------------------------------------------------

    def forward(self, X: Any) -> Any:
        return self._synced(self._probabilities(self._bp_inner.forward(self._in(BATCH, X))))

    def cross_entropy_loss(self, y_pred: Any, y_true: Any) -> Any:
        return self._synced(
            self._bp_inner.cross_entropy_loss(self._logits(y_pred), self._labels(y_true))
        )

    def backward(self, y_true: Any) -> Any:
        return self._synced(self._bp_inner.backward(self._labels(y_true)))

    def update(self, learning_rate: Any) -> Any:
        return self._synced(self._bp_inner.update(learning_rate))

    def train_step(self, X: Any, Y: Any, learning_rate: Any) -> Any:
        return self._synced(
            self._bp_inner.train_step(self._in(BATCH, X), self._labels(Y), learning_rate)
        )

    def predict(self, X: Any) -> Any:
        return self._synced(self._bp_inner.predict(self._in(BATCH, X)))

    def __repr__(self) -> str:
        return f"{self._bp_inner!r} (seen in the contract's conventions)"

    def _bp_loss_of_logits(self, Z: Any, Y: Any) -> Any:
        """The loss of logits the kit chose (the contract's layout), for the checks of a
        network that returns logits: forward's own are never large enough to overflow exp."""
        return self._bp_inner.cross_entropy_loss(self._in(BATCH, Z), self._labels(Y))

    # -- loops (conformance.sandbox.loops) run on the network itself, with their arguments turned

    def loop_arguments(self, name: str, args: Sequence[Any]) -> tuple[Any, ...]:
        if name == "repeat":
            method, call_args, *rest = args
            if method == "train_step":
                X, Y, lr = call_args
                call_args = (self._in(BATCH, X), self._labels(Y), lr)
            return (method, call_args, *rest)
        if name == "losses_at":
            attr, index, points, X, Y = args
            turned = [self._in(KINDS[attr], p, index) for p in points]
            return (attr, index, turned, self._in(BATCH, X), self._labels(Y))
        if name == "put":
            weights, biases = args
            return (
                [self._in(WEIGHT, W, i) for i, W in enumerate(weights)],
                [self._in(BIAS, b, i) for i, b in enumerate(biases)],
            )
        if name == "losses_of":
            points, X, Y, shape = args
            # The same array turned into the same view, so that the loop still puts in only
            # the arrays that changed from one point to the next.
            seen: dict[int, Any] = {}

            def turned(kind: str, i: int, a: Any) -> Any:
                if id(a) not in seen:
                    seen[id(a)] = (a, self._in(kind, a, i))
                return seen[id(a)][1]

            own = [
                (
                    [turned(WEIGHT, i, W) for i, W in enumerate(weights)],
                    [turned(BIAS, i, b) for i, b in enumerate(biases)],
                )
                for weights, biases in points
            ]
            shape = tuple(shape)[::-1] if self._bp_rows else tuple(shape)
            return (own, self._in(BATCH, X), self._labels(Y), shape)
        raise KeyError(f"no arguments in the implementation's conventions for the loop {name!r}")

    def loop_values(self, name: str, values: list[Any]) -> list[Any]:
        """A loop's values in the contract's terms: forward's outputs of losses_of."""
        self._synced(None)
        if name != "losses_of":
            return values
        return [
            (self._probabilities(item[0]), item[1])
            if isinstance(item, tuple) and len(item) == 2
            else item
            for item in values
        ]


def unwrap(target: Any) -> tuple[Any, ContractNetwork | None]:
    """(the object a loop runs on, the ContractNetwork it was reached through, if any)."""
    if isinstance(target, ContractNetwork):
        return target._bp_inner, target
    return target, None


class ContractModule:
    """The implementation's module with softmax and NeuralNetwork in the contract's terms."""

    def __init__(self, module: Any, conventions: Conventions, name: str):
        self._bp_module, self._bp_conv, self._bp_name = module, conventions, name
        #: Which biases the network built last keeps flat: a reproduction puts them in so.
        self.flat_biases: list[bool] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._bp_module, name)
        if name == "softmax" and callable(value) and self._bp_conv.layout == ROWS:
            return _softmax(value)
        if name == "NeuralNetwork" and callable(value):
            return NetworkClass(value, self)
        return value

    def __dir__(self) -> list[str]:
        return dir(self._bp_module)

    def __repr__(self) -> str:
        return f"{self._bp_module!r} (seen in the contract's conventions)"


def contract_view(module: Any, **conventions: Any) -> ContractModule:
    """A module seen in the contract's terms, for a reproduction that uses the kit's helpers:
    ``contract_view(mymodule, layout="rows")``."""
    name = getattr(module, "__name__", "the module")
    return ContractModule(module, Conventions(**conventions), name)


def _softmax(softmax: Any) -> Any:
    def columns(z: Any, *args: Any, **kwargs: Any) -> Any:
        return to_columns(softmax(to_rows(z), *args, **kwargs))

    columns.__wrapped__ = softmax  # type: ignore[attr-defined]  # its signature, for the checks
    return columns


class Unsupported(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """A check skipped because the implementation's declared shape does not have what it
    needs: a depth (HIDDEN_LAYERS or --hidden-layers), a name outside an adapted API (ADAPTS
    or --adapter). In grading it leaves the split, as the instructor's options decided."""


def supported_layers(conventions: Conventions, layers: Sequence[int]) -> list[int]:
    """``layers`` if the network supports their depth, else the same input and output widths
    around the nearest depth it supports (the smaller of two as near), its hidden widths
    taken from ``layers``: where a check's subject is not a depth (update, train_step), it
    runs on one the network has."""
    layers = list(layers)
    if conventions.hidden is None or conventions.supports(layers):
        return layers
    depth = min(conventions.hidden, key=lambda d: (abs(d - (len(layers) - 2)), d))
    widths = layers[1:-1] or [max(layers[0], layers[-1])]
    return [layers[0], *(widths[min(i, len(widths) - 1)] for i in range(depth)), layers[-1]]


def depth_skip(conventions: Conventions, name: str, needs: str) -> None:
    """Skip the check: the network does not support what it ``needs``."""
    __tracebackhide__ = True
    raise Unsupported(
        f"{name} supports {_depths(conventions.hidden)}, and this check needs {needs}"
    )


class NetworkClass:
    """``NeuralNetwork`` as the checks see it: calling it builds the implementation's network,
    wrapped (a depth it does not support skips the check, saying so); its methods and
    attributes are the class's own."""

    def __init__(self, cls: Any, owner: ContractModule):
        self.__wrapped__ = cls
        self._bp_owner = owner
        self._bp_conv, self._bp_name = owner._bp_conv, owner._bp_name

    def __call__(self, layer_sizes: Any, *args: Any, **kwargs: Any) -> ContractNetwork:
        conv = self._bp_conv
        if isinstance(layer_sizes, list | tuple) and not conv.supports(list(layer_sizes)):
            n = len(layer_sizes) - 2
            depth_skip(
                conv,
                self._bp_name,
                f"NeuralNetwork({list(layer_sizes)}), with {n} hidden layer{'s' * (n != 1)}",
            )
        net = ContractNetwork(self.__wrapped__(layer_sizes, *args, **kwargs), conv)
        self._bp_owner.flat_biases = list(net._bp_flat)
        return net

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["__wrapped__"], name)

    def __repr__(self) -> str:
        return f"{self.__wrapped__!r} (seen in the contract's conventions)"


def _depths(hidden: tuple[int, ...] | None) -> str:
    if hidden is None:
        return "any number of hidden layers"
    return (
        f"networks of {' or '.join(map(str, hidden))} hidden layer{'s' if hidden != (1,) else ''}"
    )
