"""Values on the wire: one side's ``Endpoint``, which encodes values into frames and decodes
the peer's, and keeps the tables that make a value mean the same on both sides.

Plain data travels as JSON; arrays as views into regions (regions.py), which keep their memory
relations; anything else the sender keeps, and the receiver gets a handle to it (handles.py).
Lists the worker owns stay live: the grader holds mirrors of them, and a change to one on the
worker's side reaches the mirror with the next frame. Decoding cannot run code: every tag,
handle, index and array description is checked before use.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import handles
from . import protocol as proto
from .arrays import DTYPES, plain
from .frames import WireError
from .handles import ListMirror, Proxy, parse_handle
from .regions import Regions


class Endpoint:
    """One side's tables: its regions, the objects it handed to the peer, and the peer's lists
    it mirrors. ``side`` is proto.GRADER or proto.WORKER. ``make_proxy`` (owner, number, type
    name, callable, method names) and ``make_list`` (handle, items) make this side's stand-ins
    for the peer's objects and lists."""

    def __init__(self, side: str, make_proxy: Any, make_list: Any):
        self.side = side
        self.counter = 0
        self.arrays = Regions(side, self._next)
        self.objects: dict[int, Any] = {}  # own objects the peer holds handles to
        self.lists: dict[int, tuple[list[Any], tuple[int, ...]]] = {}  # own lists, by handle
        self.released: list[list[Any]] = []  # object handles the peer may forget
        self.make_proxy = make_proxy
        self.make_list = make_list
        self.list_mirrors: dict[tuple[str, int], weakref.ref] = {}

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    # -- releasing --------------------------------------------------------------------------
    def forget_proxy(self, owner: str, n: int) -> None:
        self.released.append([owner, n, proto.RELEASE_OBJECT])

    def apply_releases(self, released: Any) -> None:
        for item in released or []:
            if not (isinstance(item, list) and len(item) == 3):
                raise WireError("malformed release")
            owner, n, kind = item
            if kind == proto.RELEASE_OBJECT and owner == self.side:
                self.objects.pop(n, None)
                self.lists.pop(n, None)
            elif kind == proto.RELEASE_REGION:
                self.arrays.peer_released((owner, n))

    # -- values -----------------------------------------------------------------------------
    def encode(self, value: Any, out: dict[str, Any], blobs: list[Any], depth: int = 0) -> Any:
        """JSON for ``value``; new regions go to out[proto.NEW], their bytes to ``blobs``."""
        if depth > 20:
            raise TypeError("value nested too deeply to send")
        if value is None or isinstance(value, bool | str) or type(value) in (int, float):
            return value
        if isinstance(value, int | float) and not isinstance(value, np.generic):
            return value.__int__() if isinstance(value, int) else value.__float__()
        if isinstance(value, np.generic) and np.dtype(value.dtype).str in DTYPES:
            return {proto.TAG: proto.TAG_SCALAR, "dtype": value.dtype.str, "value": value.item()}
        if issubclass(type(value), np.ndarray) and plain(value).dtype.str in DTYPES:
            return self.arrays.encode(value, out.setdefault(proto.NEW, []), blobs)
        # The worker's lists, subclasses too (a list whose items write through to where they
        # are held, as an adapter's ``weights``), stay live on the grader's side; the grader
        # sends plain lists only.
        if (
            type(value) is list
            or isinstance(value, ListMirror)
            or (self.side == proto.WORKER and isinstance(value, list))
        ):
            mirror = value.handle if isinstance(value, ListMirror) else None
            if mirror is not None:  # the peer's own list, back to its owner
                return {proto.TAG: proto.TAG_REF, "r": list(mirror)}
            items = [self.encode(v, out, blobs, depth + 1) for v in value]
            if self.side == proto.WORKER:  # worker lists stay live on the grader side
                n = self._next()
                self.lists[n] = (value, tuple(map(id, value)))
                self.objects[n] = value
                return {proto.TAG: proto.TAG_LIST, "r": [self.side, n], "items": items}
            return {proto.TAG: proto.TAG_LIST, "items": items}
        if type(value) is tuple:
            return {
                proto.TAG: proto.TAG_TUPLE,
                "items": [self.encode(v, out, blobs, depth + 1) for v in value],
            }
        if type(value) is dict and all(type(k) is str for k in value):
            return {
                proto.TAG: proto.TAG_DICT,
                "items": {k: self.encode(v, out, blobs, depth + 1) for k, v in value.items()},
            }
        if isinstance(value, Proxy):
            return {proto.TAG: proto.TAG_REF, "r": list(value._bp_handle)}
        return self.encode_object(value)

    def encode_object(self, value: Any) -> Any:
        n = self._next()
        self.objects[n] = value
        return {
            proto.TAG: proto.TAG_OBJ,
            "r": [self.side, n],
            "type": handles.label(value),
            "callable": callable(value),
            "methods": handles.methods(value) if self.side == proto.WORKER else [],
        }

    def decode(self, data: Any, blobs: list[bytes], depth: int = 0) -> Any:
        if depth > 40:
            raise WireError("value nested too deeply")
        if data is None or isinstance(data, bool | int | float | str):
            return data
        if isinstance(data, list):
            raise WireError("bare JSON list in a value")
        if not isinstance(data, dict):
            raise WireError("unexpected JSON value")
        tag = data.get(proto.TAG)
        if tag == proto.TAG_ARRAY:
            return self.arrays.decode(data)
        if tag == proto.TAG_SCALAR:
            if data.get("dtype") not in DTYPES or not isinstance(data.get("value"), int | float):
                raise WireError("malformed scalar")
            try:
                return np.dtype(data["dtype"]).type(data["value"])
            except (OverflowError, ValueError) as err:
                raise WireError(f"malformed scalar: {err}") from None
        if tag in (proto.TAG_LIST, proto.TAG_TUPLE):
            items = data.get("items")
            if not isinstance(items, list):
                raise WireError("malformed list")
            values = [self.decode(v, blobs, depth + 1) for v in items]
            if tag == proto.TAG_TUPLE:
                return tuple(values)
            if "r" in data:
                key = parse_handle(data["r"])
                mirror = self.make_list(key, values)
                self.list_mirrors[key] = weakref.ref(mirror)
                return mirror
            return values
        if tag == proto.TAG_DICT:
            items = data.get("items")
            if not isinstance(items, dict):
                raise WireError("malformed dict")
            return {k: self.decode(v, blobs, depth + 1) for k, v in items.items()}
        if tag == proto.TAG_REF:  # one of our own objects, coming back
            owner, n = parse_handle(data.get("r"))
            if owner != self.side or n not in self.objects:
                raise WireError("reference to an unknown object")
            return self.objects[n]
        if tag == proto.TAG_OBJ:
            owner, n = parse_handle(data.get("r"))
            if owner == self.side:
                raise WireError("object handle claims to be ours")
            name = data.get("type")
            methods = data.get("methods")
            methods = (
                [m for m in methods if isinstance(m, str)] if isinstance(methods, list) else []
            )
            return self.make_proxy(
                owner,
                n,
                name if isinstance(name, str) else "?",
                bool(data.get("callable")),
                frozenset(methods),
            )
        raise WireError(f"unknown value tag {tag!r}")

    # -- lists the peer holds mirrors of ------------------------------------------------------
    def collect_list_changes(self, out: dict[str, Any], blobs: list[Any]) -> list[Any]:
        changes = []
        for n, (lst, ids) in list(self.lists.items()):
            now = tuple(map(id, lst))
            if now != ids:
                self.lists[n] = (lst, now)
                items = [self.encode(v, out, blobs, 1) for v in lst]
                changes.append([self.side, n, items])
        return changes

    def apply_list_changes(self, changes: Any, blobs: list[bytes]) -> None:
        for item in changes or []:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], list)):
                raise WireError("malformed list change")
            ref = self.list_mirrors.get((item[0], item[1]))
            mirror = ref() if ref else None
            if mirror is not None:
                list.__setitem__(mirror, slice(None), [self.decode(v, blobs, 1) for v in item[2]])

    # -- whole messages -----------------------------------------------------------------------
    def pack(self, message: dict[str, Any], body: dict[str, Any]) -> tuple[dict, list]:
        """A frame for ``message`` whose values in ``body`` (name → value) are encoded."""
        blobs: list[Any] = []
        out: dict[str, Any] = {}
        for k, v in body.items():
            message[k] = self.encode(v, out, blobs)
        fresh = {(o, n) for o, n, _ in out.get(proto.NEW, [])}
        message[proto.UPDATES] = self.arrays.collect_updates(fresh, blobs)
        message[proto.LISTS] = self.collect_list_changes(out, blobs) if self.lists else []
        message[proto.NEW] = out.get(proto.NEW, [])
        self.released += self.arrays.take_releases()
        message[proto.RELEASES], self.released = self.released, []
        return message, blobs

    def unpack(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        """Apply a frame's releases, new regions and updates (before decoding its values)."""
        self.arrays.start_frame()
        self.apply_releases(header.get(proto.RELEASES))
        self.arrays.receive(header.get(proto.NEW), blobs)
        self.arrays.apply_updates(header.get(proto.UPDATES), blobs)

    def after_unpack(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        """Apply a frame's list changes (after decoding its values)."""
        self.apply_list_changes(header.get(proto.LISTS), blobs)
        self.arrays.end_frame()
