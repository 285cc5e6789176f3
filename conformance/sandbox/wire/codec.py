"""The grader ↔ worker wire format: frames of JSON plus raw array bytes, never pickle.

Both sides load this file: the grader as ``conformance._wire``, the worker by its path (the
worker must not import the ``conformance`` package). It imports only the standard library
and NumPy, and decoding cannot run code: a frame is a JSON header and byte blobs; an array is
rebuilt from a blob, an allow-listed dtype, a shape and strides checked against the blob.

Frame layout: ``MAGIC`` · u64 payload length · payload; payload = u32 header length · JSON
header · for each blob, u64 length · bytes.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
import weakref
from pathlib import Path
from typing import Any

import numpy as np

#: The sandbox folder: its frames (the worker's, the wire's) are left out of the tracebacks the
#: student reads.
SANDBOX = Path(__file__).resolve().parent.parent
MAGIC = b"BPW1"
#: A frame larger than this is a protocol violation (the peer is broken or hostile).
MAX_FRAME = 1 << 31
#: Dtypes that may cross the wire (bytes-only kinds: booleans, integers, floats), either order.
DTYPES = frozenset(
    {np.dtype("?").str}
    | {np.dtype(f"{o}{k}{n}").str for o in "<>" for k in "iu" for n in (1, 2, 4, 8)}
    | {np.dtype(f"{o}f{n}").str for o in "<>" for n in (2, 4, 8)}
)
MAX_NDIM = 32


class WireError(Exception):
    """The peer sent something that is not a valid frame; it cannot be trusted any further."""


class PeerGone(WireError):
    """The peer closed its end (it exited or was killed)."""


class Deadline(WireError):
    """Nothing arrived from the peer in time."""


def write_frame(fd: int, header: dict[str, Any], blobs: list[bytes | memoryview]) -> None:
    head = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    parts: list[bytes | memoryview] = [struct.pack("<I", len(head)), head]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    length = sum(len(p) for p in parts)
    # One write per frame: the reader wakes once, not once per part.
    _write_all(fd, b"".join([MAGIC, struct.pack("<Q", length), *parts]))


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data).cast("B")
    while view:
        try:
            n = os.write(fd, view)
        except BrokenPipeError as err:
            raise PeerGone("the other end of the pipe is closed") from err
        view = view[n:]


def read_frame(fd: int, timeout: float | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """One frame; Deadline if none starts within ``timeout`` seconds (None: wait forever).
    Once a frame has started, its rest must arrive within ``timeout`` too."""
    deadline = None if timeout is None else time.monotonic() + timeout
    start = _read_exact(fd, 12, deadline)
    if start[:4] != MAGIC:
        raise WireError(f"bad frame start {start[:4]!r}")
    (length,) = struct.unpack("<Q", start[4:])
    if length > MAX_FRAME:
        raise WireError(f"frame of {length} bytes is over the {MAX_FRAME}-byte limit")
    payload = _read_exact(fd, length, deadline)
    view = memoryview(payload)
    if length < 4:
        raise WireError("truncated frame")
    (hlen,) = struct.unpack("<I", view[:4])
    pos = 4 + hlen
    if pos > length:
        raise WireError("truncated frame header")
    try:
        header = json.loads(bytes(view[4:pos]))
    except (ValueError, RecursionError) as err:
        raise WireError(f"frame header is not JSON: {err}") from None
    if not isinstance(header, dict):
        raise WireError("frame header is not a JSON object")
    blobs = []
    while pos < length:
        if pos + 8 > length:
            raise WireError("truncated blob length")
        (blen,) = struct.unpack("<Q", view[pos : pos + 8])
        pos += 8
        if pos + blen > length:
            raise WireError("truncated blob")
        blobs.append(bytes(view[pos : pos + blen]))
        pos += blen
    return header, blobs


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise Deadline("nothing arrived in time")
        chunk = os.read(fd, min(n - got, 1 << 24))
        if not chunk:
            raise PeerGone("the other end closed the pipe")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Arrays: every array is a view (offset, shape, strides, dtype) into a "region", the byte range
# of its root array. Sending the region once per message, not each array, keeps the memory
# relations of the sender (a view of an input, two parameters sharing one buffer) on the
# receiving side.


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


# ---------------------------------------------------------------------------------------------
# Values. Plain data travels as JSON; arrays as views into regions; anything else the sender
# keeps and the receiver gets a handle ("ref") to it. Tagged values are {"$": tag, ...}.

#: Methods of a remote list that the receiver's list mirror forwards to the owner.
LIST_METHODS = frozenset(
    {
        "__setitem__",
        "__setslice__",
        "__delitem__",
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "reverse",
        "sort",
        "__iadd__",
    }
)


class _Region:
    """One side's copy of a region: the original memory or a mirror of the peer's."""

    __slots__ = ("aliases", "low", "mirror", "peer_has", "ref", "snapshot")

    def __init__(self, root: np.ndarray, snapshot: bytes, mirror: bool, peer_has: bool):
        self.ref: Any = weakref.ref(root)
        #: The address of the region's first byte; its length is len(snapshot). An array's
        #: memory never moves, so both are fixed.
        self.low = bounds(root)[0]
        self.snapshot = snapshot
        self.mirror = mirror
        #: Whether the peer holds a copy under this key (else the next use sends it whole).
        self.peer_has = peer_has
        #: Byte views of an own root handed out when its arrays came back from the peer.
        self.aliases: dict[int, weakref.ref] = {}

    def holds(self, root: np.ndarray) -> bool:
        alias = self.aliases.get(id(root))
        return self.ref() is root or (alias is not None and alias() is root)

    def root(self) -> np.ndarray | None:
        return self.ref()


class Endpoint:
    """One side's tables: its regions, the objects it handed to the peer, and the peer's lists
    it mirrors. ``side`` is "g" (grader) or "w" (worker).

    Regions live until neither side holds a copy. A side whose copy dies tells the peer in its
    next frame and keeps the bytes until then, so a frame that crossed with it (still naming the
    region) can be honoured; the peer, told, sends the region whole if it names it again.
    Frames strictly alternate, which is what makes this safe.
    """

    def __init__(self, side: str, make_proxy: Any, make_list: Any):
        self.side = side
        self.counter = 0
        self.regions: dict[tuple[str, int], _Region] = {}
        self.region_of_root: dict[int, tuple[str, int]] = {}
        self.pending: set[tuple[str, int]] = set()  # regions whose copy here died
        self.objects: dict[int, Any] = {}  # own objects the peer holds handles to
        self.lists: dict[int, tuple[list[Any], tuple[int, ...]]] = {}  # own lists, by handle
        self.released: list[list[Any]] = []  # object handles the peer may forget
        self.make_proxy = make_proxy  # (owner, n, type name, callable) → proxy
        self.make_list = make_list  # (owner, n, items) → list mirror
        self.list_mirrors: dict[tuple[str, int], weakref.ref] = {}
        self._fresh_mirrors: list[np.ndarray] = []
        self.views: dict[tuple, weakref.ref] = {}

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    # -- releasing --------------------------------------------------------------------------
    def _copy_died(self, key: tuple[str, int], root_id: int) -> None:
        region = self.regions.get(key)
        if region is not None and region.root() is None:
            self.pending.add(key)
        if self.region_of_root.get(root_id) == key:
            del self.region_of_root[root_id]

    def forget_proxy(self, owner: str, n: int) -> None:
        self.released.append([owner, n, "o"])

    def apply_releases(self, released: Any) -> None:
        for item in released or []:
            if not (isinstance(item, list) and len(item) == 3):
                raise WireError("malformed release")
            owner, n, kind = item
            if kind == "o" and owner == self.side:
                self.objects.pop(n, None)
                self.lists.pop(n, None)
            elif kind == "r":
                region = self.regions.get((owner, n))
                if region is not None:
                    region.peer_has = False
                    if region.root() is None:
                        del self.regions[(owner, n)]
                        self.pending.discard((owner, n))

    # -- regions ----------------------------------------------------------------------------
    def _track(self, key: tuple[str, int], root: np.ndarray, data: bytes, mirror: bool) -> None:
        self.regions[key] = _Region(root, data, mirror, peer_has=True)
        self.region_of_root[id(root)] = key
        self.pending.discard(key)
        weakref.finalize(root, self._copy_died, key, id(root))

    def _region_for(self, a: np.ndarray, new: list[Any], blobs: list[Any]) -> tuple[list[Any], int]:
        root = root_of(a)
        key = self.region_of_root.get(id(root))
        region = self.regions.get(key) if key else None
        if region is None or not region.holds(root):
            low, high = bounds(root)
            data = raw_view(root, low, high - low).tobytes()
            key = (self.side, self._next())
            self._track(key, root, data, mirror=False)
            new.append([*key, len(blobs)])
            blobs.append(data)
        else:
            assert key is not None
            if not region.peer_has:
                data = self._bytes(region)
                region.snapshot, region.peer_has = data, True
                new.append([*key, len(blobs)])
                blobs.append(data)
        return list(key), a.__array_interface__["data"][0] - self.regions[key].low

    def _mirror(self, key: tuple[str, int], data: bytes) -> np.ndarray:
        root = np.frombuffer(bytearray(data), dtype=np.uint8)
        self._track(key, root, data, mirror=True)
        # Held until the frame's values are decoded (views of it keep it alive after that).
        self._fresh_mirrors.append(root)
        return root

    def _bytes(self, region: _Region) -> bytes:
        root = region.root()
        if root is None:
            return region.snapshot
        return raw_view(root, region.low, len(region.snapshot)).tobytes()

    def collect_updates(self, skip: set[tuple[str, int]], blobs: list[Any]) -> list[Any]:
        updates = []
        for key, region in list(self.regions.items()):
            if key in skip or not region.peer_has or region.root() is None:
                continue
            data = self._bytes(region)
            if data != region.snapshot:
                region.snapshot = data
                updates.append([*key, len(blobs)])
                blobs.append(data)
        return updates

    def apply_updates(self, updates: Any, blobs: list[bytes]) -> None:
        for item in updates or []:
            if not (isinstance(item, list) and len(item) == 3) or not _is_index(item[2], blobs):
                raise WireError("malformed update")
            owner, n, b = item
            region = self.regions.get((owner, n))
            if region is None or len(blobs[b]) != len(region.snapshot):
                continue
            root = region.root()
            if root is not None:
                if not region.mirror and not root.flags.writeable:
                    continue  # never write into memory its owner marked read-only
                raw = raw_view(root, region.low, len(blobs[b]))
                raw[...] = np.frombuffer(blobs[b], dtype=np.uint8)
            region.snapshot = blobs[b]

    # -- values -----------------------------------------------------------------------------
    def encode(self, value: Any, out: dict[str, Any], blobs: list[Any], depth: int = 0) -> Any:
        """JSON for ``value``; new regions go to out["new"], their bytes to ``blobs``."""
        if depth > 20:
            raise TypeError("value nested too deeply to send")
        if value is None or isinstance(value, bool | str) or type(value) in (int, float):
            return value
        if isinstance(value, int | float) and not isinstance(value, np.generic):
            return value.__int__() if isinstance(value, int) else value.__float__()
        if isinstance(value, np.generic) and np.dtype(value.dtype).str in DTYPES:
            return {"$": "scalar", "dtype": value.dtype.str, "value": value.item()}
        if issubclass(type(value), np.ndarray) and plain(value).dtype.str in DTYPES:
            a = plain(value)
            key, offset = self._region_for(a, out.setdefault("new", []), blobs)
            meta = {
                "$": "array",
                "r": key,
                "dtype": a.dtype.str,
                "shape": list(a.shape),
                "strides": list(a.strides),
                "offset": offset,
                "writeable": bool(a.flags.writeable),
            }
            self._remember(meta, value)
            return meta
        if type(value) is list or isinstance(value, ListMirror):
            mirror = value.handle if isinstance(value, ListMirror) else None
            if mirror is not None:  # the peer's own list, back to its owner
                return {"$": "ref", "r": list(mirror)}
            items = [self.encode(v, out, blobs, depth + 1) for v in value]
            if self.side == "w":  # worker lists stay live on the grader side
                n = self._next()
                self.lists[n] = (value, tuple(map(id, value)))
                self.objects[n] = value
                return {"$": "list", "r": [self.side, n], "items": items}
            return {"$": "list", "items": items}
        if type(value) is tuple:
            return {"$": "tuple", "items": [self.encode(v, out, blobs, depth + 1) for v in value]}
        if type(value) is dict and all(type(k) is str for k in value):
            return {
                "$": "dict",
                "items": {k: self.encode(v, out, blobs, depth + 1) for k, v in value.items()},
            }
        if isinstance(value, Proxy):
            return {"$": "ref", "r": list(value._bp_handle)}
        return self.encode_object(value)

    def encode_object(self, value: Any) -> Any:
        n = self._next()
        self.objects[n] = value
        return {
            "$": "obj",
            "r": [self.side, n],
            "type": _label(value),
            "callable": callable(value),
            "methods": _methods(value) if self.side == "w" else [],
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
        tag = data.get("$")
        if tag == "array":
            known = self.views.get(_view_key(data))
            if known is not None and (same := known()) is not None:
                return same  # the very array object this side sent or received before
            array = self._decode_array(data)
            self._remember(data, array)
            return array
        if tag == "scalar":
            if data.get("dtype") not in DTYPES or not isinstance(data.get("value"), int | float):
                raise WireError("malformed scalar")
            try:
                return np.dtype(data["dtype"]).type(data["value"])
            except (OverflowError, ValueError) as err:
                raise WireError(f"malformed scalar: {err}") from None
        if tag in ("list", "tuple"):
            items = data.get("items")
            if not isinstance(items, list):
                raise WireError("malformed list")
            values = [self.decode(v, blobs, depth + 1) for v in items]
            if tag == "tuple":
                return tuple(values)
            if "r" in data:
                key = _key(data["r"])
                mirror = self.make_list(key, values)
                self.list_mirrors[key] = weakref.ref(mirror)
                return mirror
            return values
        if tag == "dict":
            items = data.get("items")
            if not isinstance(items, dict):
                raise WireError("malformed dict")
            return {k: self.decode(v, blobs, depth + 1) for k, v in items.items()}
        if tag == "ref":  # one of our own objects, coming back
            owner, n = _key(data.get("r"))
            if owner != self.side or n not in self.objects:
                raise WireError("reference to an unknown object")
            return self.objects[n]
        if tag == "obj":
            owner, n = _key(data.get("r"))
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

    def _decode_array(self, data: dict[str, Any]) -> np.ndarray:
        key = _key(data.get("r"))
        region = self.regions.get(key)
        if region is None:
            raise WireError("array refers to an unknown buffer")
        root = region.root()
        if root is None:  # our copy died after our last frame: the bytes are still here
            root = self._mirror(key, region.snapshot)
            region = self.regions[key]
        if region.mirror:
            return make_view(root, data)
        # One of our own arrays coming back: a view of its memory, so that it shares
        # memory with the original as it did on the peer's side.
        raw = raw_view(root, region.low, len(region.snapshot))
        region.aliases[id(raw)] = weakref.ref(raw)
        self.region_of_root[id(raw)] = key
        return make_view(raw, data)

    def _remember(self, meta: dict[str, Any], array: np.ndarray) -> None:
        """Identity survives the round trip: the same array sent again (or sent back) arrives
        as the same object, as long as it lives."""
        vk = _view_key(meta)

        def gone(ref: weakref.ref, vk: tuple = vk) -> None:
            if self.views.get(vk) is ref:
                del self.views[vk]

        try:
            self.views[vk] = weakref.ref(array, gone)
        except TypeError:
            pass

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
        fresh = {(o, n) for o, n, _ in out.get("new", [])}
        message["upd"] = self.collect_updates(fresh, blobs)
        message["lst"] = self.collect_list_changes(out, blobs) if self.lists else []
        message["new"] = out.get("new", [])
        for key in self.pending:
            self.released.append([*key, "r"])
            self.regions.pop(key, None)
        self.pending = set()
        message["rel"], self.released = self.released, []
        return message, blobs

    def unpack(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        """Apply a frame's releases, new regions and updates (before decoding its values)."""
        self._fresh_mirrors = []
        self.apply_releases(header.get("rel"))
        for item in header.get("new") or []:
            if not (isinstance(item, list) and len(item) == 3) or not _is_index(item[2], blobs):
                raise WireError("malformed region")
            self._mirror(_key(item[:2]), blobs[item[2]])
        self.apply_updates(header.get("upd"), blobs)

    def after_unpack(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        self.apply_list_changes(header.get("lst"), blobs)
        self._fresh_mirrors = []


def _label(value: Any) -> str:
    """What the student calls it: a class's or function's own name, else its type's."""
    import types

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


def _methods(value: Any) -> list[str]:
    """Public names that are, as far as can be told now, functions one calls on ``value``:
    a module's functions, a class's methods, an instance's class's methods. The
    peer calls them in one round trip (the lookup itself still happens at call time)."""
    import types

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


def _is_index(b: Any, blobs: list[bytes]) -> bool:
    return type(b) is int and 0 <= b < len(blobs)


def _view_key(meta: dict[str, Any]) -> tuple:
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


def _key(r: Any) -> tuple[str, int]:
    if not (isinstance(r, list) and len(r) == 2 and r[0] in ("g", "w") and type(r[1]) is int):
        raise WireError("malformed handle")
    return r[0], r[1]


class Proxy:
    """Base of the handles to the peer's objects (each side subclasses it)."""

    __slots__ = ()
    _bp_handle: tuple[str, int]


class ListMirror(list):
    """A list owned by the peer: reads are local, mutations are forwarded to the owner."""

    handle: tuple[str, int]


class RemoteError(Exception):
    """The peer's call raised; ``info`` holds its type name, message and traceback text."""

    def __init__(self, info: dict[str, Any]):
        super().__init__(info.get("msg", ""))
        self.info = info


def error_info(err: BaseException, with_traceback: bool) -> dict[str, Any]:
    """Type, message and (for the worker) the traceback of the submission's own frames."""
    import traceback

    info = {"type": type(err).__name__[:80], "msg": _safe_str(err)[:4000]}
    if with_traceback:
        try:
            frames = [
                f
                for f in traceback.extract_tb(err.__traceback__)
                if not Path(f.filename).resolve().is_relative_to(SANDBOX)
                and not f.filename.startswith("<frozen")
            ]
            info["tb"] = "".join(traceback.format_list(frames[-12:]))[-8000:]
        except Exception:
            info["tb"] = ""
    return info


def _safe_str(err: BaseException) -> str:
    try:
        return str(err)
    except BaseException:  # a submission's exception whose __str__ raises
        return "(message unavailable)"


class Channel:
    """Requests and replies over a pair of pipes; a side waiting for its reply serves the
    peer's nested requests (callbacks) meanwhile. ``serve`` maps a decoded request to a value;
    ``timeout`` bounds each wait for the peer's next frame."""

    def __init__(self, endpoint: Endpoint, fd_in: int, fd_out: int, serve: Any, tracebacks: bool):
        self.endpoint, self.fd_in, self.fd_out = endpoint, fd_in, fd_out
        self.serve = serve
        self.tracebacks = tracebacks
        self.timeout: float | None = None
        #: Called with every frame header received (the worker adds notes to its frames).
        self.on_header: Any = None
        #: Adds fields to every frame sent.
        self.extra_header: Any = None

    def send(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        header, blobs = self.endpoint.pack(message, body)
        self._write(header, blobs)

    def _write(self, header: dict[str, Any], blobs: list[Any]) -> None:
        if self.extra_header is not None:
            header.update(self.extra_header())
        write_frame(self.fd_out, header, blobs)

    def request(self, op: str, **body: Any) -> Any:
        self.send({"k": "req", "op": op}, body)
        return self.wait()

    def wait(self) -> Any:
        while True:
            header, blobs = read_frame(self.fd_in, self.timeout)
            if self.on_header is not None:
                self.on_header(header)
            self.endpoint.unpack(header, blobs)
            try:
                kind = header.get("k")
                if kind == "req":
                    self._serve_one(header, blobs)
                    continue
                if kind != "rep":
                    raise WireError(f"unexpected frame kind {kind!r}")
                if "err" in header:
                    info = header["err"]
                    if not isinstance(info, dict):
                        raise WireError("malformed error")
                    raise RemoteError({k: str(v)[:8000] for k, v in info.items()})
                return self.endpoint.decode(header.get("ok"), blobs)
            finally:
                self.endpoint.after_unpack(header, blobs)

    def _serve_one(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        try:
            result = self.serve(header, blobs)
        except WireError:
            raise
        except BaseException as err:
            # The grader's own interruptions (its time limit, Ctrl-C) are not the peer's.
            if self.endpoint.side == "g" and not isinstance(err, Exception):
                raise
            self.send({"k": "rep", "err": error_info(err, self.tracebacks)}, {})
            return
        try:
            header, out = self.endpoint.pack({"k": "rep"}, {"ok": result})
        except (TypeError, ValueError, RecursionError) as err:
            header, out = self.endpoint.pack({"k": "rep", "err": error_info(err, False)}, {})
        self._write(header, out)
