"""Parameters held by layer objects, seen as the contract's lists.

An adapter's network keeps its parameters where the user's API keeps them (``layer.weights``
on a layer object, ``params["W1"]`` in a dict); the checks read and write ``net.weights[i]``,
and rebind ``net.weights``. ``HeldBy`` is the list they get: reading gives the arrays where they
are held (the same objects: a write into one is a write into the layer's), and setting an
item sets it where it is held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class HeldBy(list):
    """The arrays ``get(i)`` returns for each i, where ``put(i, value)`` sets one."""

    def __init__(self, count: int, get: Callable[[int], Any], put: Callable[[int, Any], None]):
        self._put = put
        super().__init__(get(i) for i in range(count))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            values = list(value)
            positions = range(len(self))[index]
            if len(positions) != len(values):
                raise ValueError("a network's parameter list keeps its length")
            for i, v in zip(positions, values):
                self._put(i, v)
            super().__setitem__(index, values)
            return
        i = range(len(self))[index]
        self._put(i, value)
        super().__setitem__(index, value)


def attribute_list(holders: Sequence[Any], attr: str) -> HeldBy:
    """``[h.<attr> for h in holders]``, where setting an item sets that holder's attribute."""
    return HeldBy(
        len(holders),
        lambda i: getattr(holders[i], attr),
        lambda i, v: setattr(holders[i], attr, v),
    )


def set_all(holders: Sequence[Any], attr: str, values: Sequence[Any]) -> None:
    """``net.weights = [...]``: one value per holder, in order."""
    values = list(values)
    if len(values) != len(holders):
        raise ValueError(
            f"this network has {len(holders)} layers, and {len(values)} {attr} were given"
        )
    for holder, value in zip(holders, values):
        setattr(holder, attr, value)
