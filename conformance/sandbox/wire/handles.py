"""Handles: what stands on one side for an object the other side keeps.

Anything that is not plain data or an array stays with its owner; the peer gets a handle
(owner, number) and, from it, a proxy (a subclass of ``Proxy``; each side makes its own). A
handle also tells what the object is called and which of its methods can be called in one
round trip. A list the worker owns becomes a ``ListMirror`` on the grader's side.
"""

from __future__ import annotations

import types
from typing import Any

from . import protocol as proto
from .frames import WireError


def parse_handle(r: Any) -> tuple[str, int]:
    """(owner, number) from a handle read off the wire; WireError if it is not one."""
    if not (isinstance(r, list) and len(r) == 2 and r[0] in proto.SIDES and type(r[1]) is int):
        raise WireError("malformed handle")
    return r[0], r[1]


class Proxy:
    """Base of the handles to the peer's objects (each side subclasses it)."""

    __slots__ = ()
    _bp_handle: tuple[str, int]


class ListMirror(list):
    """A list owned by the peer: reads are local, mutations are forwarded to the owner."""

    handle: tuple[str, int]


def label(value: Any) -> str:
    """What the student calls it: a class's or function's own name, else its type's."""
    name = None
    if isinstance(value, type | types.FunctionType | types.MethodType):
        try:
            name = value.__qualname__
        except Exception:
            name = None
    if not isinstance(name, str):
        name = type(value).__name__
    return name[:80]


_method_cache: dict[type, list[str]] = {}


def methods(value: Any) -> list[str]:
    """Public names that are, as far as can be told now, functions one calls on ``value``:
    a module's functions, a class's methods, an instance's class's methods. The
    peer calls them in one round trip (the lookup itself still happens at call time)."""
    try:
        if isinstance(value, types.ModuleType):
            return [
                k
                for k, v in list(vars(value).items())[:500]
                if not k.startswith("_") and isinstance(v, types.FunctionType)
            ][:200]
        cls = value if isinstance(value, type) else type(value)
        if cls not in _method_cache:
            _method_cache[cls] = [
                k
                for k in dir(cls)
                if not k.startswith("_") and isinstance(getattr(cls, k, None), types.FunctionType)
            ][:200]
        names = _method_cache[cls]
        if not isinstance(value, type):
            own = getattr(value, "__dict__", {})
            names = [k for k in names if k not in own]
        return names
    except Exception:
        return []
