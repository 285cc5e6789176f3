"""Arrays on the wire: which dtypes may cross, where an array's bytes lie, and rebuilding an
array from a description that the peer sent, checked against the bytes it sent.

Every array travels as a view (offset, shape, strides, dtype) into a "region", the byte range
of its root array (see regions.py). Nothing here trusts a description: ``check_view`` refuses
one that would read outside its region, and only bytes-only dtypes are allowed, so decoding
an array can neither run code nor touch memory the peer did not send.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .frames import WireError

#: Dtypes that may cross the wire (bytes-only kinds: booleans, integers, floats), either order.
DTYPES = frozenset(
    {np.dtype("?").str}
    | {np.dtype(f"{o}{k}{n}").str for o in "<>" for k in "iu" for n in (1, 2, 4, 8)}
    | {np.dtype(f"{o}f{n}").str for o in "<>" for n in (2, 4, 8)}
)
MAX_NDIM = 32


_base = np.ndarray.base.__get__  # type: ignore[attr-defined]


def root_of(a: np.ndarray) -> np.ndarray:
    """The last ndarray along ``a.base``: the array whose memory ``a`` views. Read through
    ndarray's own descriptor, so a subclass's ``base`` property cannot misdirect it."""
    while issubclass(type(base := _base(a)), np.ndarray):
        a = base
    return a


def plain(a: np.ndarray) -> np.ndarray:
    """``a`` as a plain ndarray view (a subclass's overridden attributes are not consulted)."""
    return a if type(a) is np.ndarray else np.ndarray.view(a, np.ndarray)


def bounds(a: np.ndarray) -> tuple[int, int]:
    """[low, high) addresses of the bytes ``a`` can touch."""
    low = high = a.__array_interface__["data"][0]
    if a.size == 0:
        return low, low
    for n, s in zip(a.shape, a.strides):
        if s < 0:
            low += (n - 1) * s
        else:
            high += (n - 1) * s
    return low, high + a.itemsize


class _Interface:
    def __init__(self, address: int, n: int, keep: Any):
        self.__array_interface__ = {
            "data": (address, False),
            "shape": (n,),
            "typestr": "|u1",
            "version": 3,
        }
        self.keep = keep


def raw_view(root: np.ndarray, low: int, n: int) -> np.ndarray:
    """A writable uint8 array over ``n`` bytes at address ``low`` inside ``root``'s memory."""
    return np.asarray(_Interface(low, n, root))


def check_view(
    meta: Any, region_size: int
) -> tuple[np.dtype, tuple[int, ...], tuple[int, ...], int]:
    """Validate an array's description against its region; return dtype, shape, strides,
    offset. Raises WireError for anything that would read outside the region."""
    if not isinstance(meta, dict):
        raise WireError("array description is not an object")
    dtype_str, shape, strides, offset = (
        meta.get("dtype"),
        meta.get("shape"),
        meta.get("strides"),
        meta.get("offset"),
    )
    if dtype_str not in DTYPES:
        raise WireError(f"dtype {dtype_str!r} is not allowed on the wire")
    if (
        not isinstance(shape, list)
        or not isinstance(strides, list)
        or len(shape) != len(strides)
        or len(shape) > MAX_NDIM
        or not all(type(v) is int for v in (*shape, *strides, offset))
        or any(v < 0 for v in shape)
        or offset < 0
    ):
        raise WireError("malformed array shape, strides or offset")
    dtype = np.dtype(dtype_str)
    low = high = offset
    if all(shape):
        for n, s in zip(shape, strides):
            if s < 0:
                low += (n - 1) * s
            else:
                high += (n - 1) * s
        high += dtype.itemsize
    if low < 0 or high > region_size:
        raise WireError("array reaches outside its buffer")
    return dtype, tuple(shape), tuple(strides), offset


def make_view(region: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
    dtype, shape, strides, offset = check_view(meta, region.size)
    a = np.ndarray(shape, dtype=dtype, buffer=region, offset=offset, strides=strides)
    if not meta.get("writeable", True):
        a.flags.writeable = False
    return a


def describe(a: np.ndarray, key: list[Any], offset: int) -> dict[str, Any]:
    """The description of plain array ``a``: a view at ``offset`` into region ``key``."""
    return {
        "r": key,
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        "strides": list(a.strides),
        "offset": offset,
        "writeable": bool(a.flags.writeable),
    }


def view_key(meta: dict[str, Any]) -> tuple:
    """What identifies the array a description names: equal keys, the same view."""
    try:
        return (
            tuple(meta["r"]),
            meta["dtype"],
            tuple(meta["shape"]),
            tuple(meta["strides"]),
            meta["offset"],
            meta.get("writeable", True),
        )
    except (KeyError, TypeError) as err:
        raise WireError("malformed array description") from err
