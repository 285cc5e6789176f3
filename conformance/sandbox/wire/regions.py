"""One side's table of array regions: how arrays keep their memory relations across the wire.

A region is the byte range of a root array. Sending the region once per message, not each
array, keeps the memory relations of the sender (a view of an input, two parameters sharing
one buffer) on the receiving side, where each array becomes a view into the region's mirror.
After every call, the bytes of the regions that changed travel again ("updates"), so in-place
writes on either side reach the other.

Regions live until neither side holds a copy. A side whose copy dies tells the peer in its
next frame and keeps the bytes until then, so a frame that crossed with it (still naming the
region) can be honoured; the peer, told, sends the region whole if it names it again. Frames
strictly alternate, which is what makes this safe.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import protocol as proto
from .arrays import bounds, describe, make_view, plain, raw_view, root_of, view_key
from .frames import WireError, is_blob_index
from .handles import parse_handle

Key = tuple[str, int]


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


class Regions:
    """The regions one side knows: its own arrays' (sent to the peer) and mirrors of the
    peer's, by key (owner, number); ``next_number`` numbers new keys (shared with the side's
    object handles)."""

    def __init__(self, side: str, next_number: Callable[[], int]):
        self.side = side
        self.next_number = next_number
        self.regions: dict[Key, _Region] = {}
        self.region_of_root: dict[int, Key] = {}
        self.pending: set[Key] = set()  # regions whose copy here died
        self._fresh_mirrors: list[np.ndarray] = []
        #: The arrays sent or received, by what identifies them (arrays.view_key).
        self.views: dict[tuple, weakref.ref] = {}

    # -- releasing ------------------------------------------------------------------------------
    def _copy_died(self, key: Key, root_id: int) -> None:
        region = self.regions.get(key)
        if region is not None and region.root() is None:
            self.pending.add(key)
        if self.region_of_root.get(root_id) == key:
            del self.region_of_root[root_id]

    def peer_released(self, key: Key) -> None:
        """The peer dropped its copy of region ``key``."""
        region = self.regions.get(key)
        if region is not None:
            region.peer_has = False
            if region.root() is None:
                del self.regions[key]
                self.pending.discard(key)

    def take_releases(self) -> list[list[Any]]:
        """Releases for the next frame of the regions whose copy here died, now forgotten."""
        released = []
        for key in self.pending:
            released.append([*key, proto.RELEASE_REGION])
            self.regions.pop(key, None)
        self.pending = set()
        return released

    # -- regions --------------------------------------------------------------------------------
    def _track(self, key: Key, root: np.ndarray, data: bytes, mirror: bool) -> None:
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
            key = (self.side, self.next_number())
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

    def _mirror(self, key: Key, data: bytes) -> np.ndarray:
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

    def collect_updates(self, skip: set[Key], blobs: list[Any]) -> list[Any]:
        """Updates for the next frame: the regions whose bytes changed since they last
        travelled (``skip``: those the frame sends whole)."""
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

    # -- a frame received -----------------------------------------------------------------------
    def start_frame(self) -> None:
        self._fresh_mirrors = []

    def end_frame(self) -> None:
        """The frame's values are decoded: its new mirrors are held by their views, or by none."""
        self._fresh_mirrors = []

    def receive(self, new: Any, blobs: list[bytes]) -> None:
        """Mirror the regions a frame sends whole."""
        for item in new or []:
            if not (isinstance(item, list) and len(item) == 3) or not is_blob_index(item[2], blobs):
                raise WireError("malformed region")
            self._mirror(parse_handle(item[:2]), blobs[item[2]])

    def apply_updates(self, updates: Any, blobs: list[bytes]) -> None:
        for item in updates or []:
            if not (isinstance(item, list) and len(item) == 3) or not is_blob_index(item[2], blobs):
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

    # -- arrays ---------------------------------------------------------------------------------
    def encode(self, value: np.ndarray, new: list[Any], blobs: list[Any]) -> dict[str, Any]:
        """The description of array ``value``; its region goes to ``new`` and ``blobs`` when
        the peer does not hold it."""
        a = plain(value)
        key, offset = self._region_for(a, new, blobs)
        meta = {proto.TAG: proto.TAG_ARRAY, **describe(a, key, offset)}
        self._remember(meta, value)
        return meta

    def decode(self, data: dict[str, Any]) -> np.ndarray:
        known = self.views.get(view_key(data))
        if known is not None and (same := known()) is not None:
            return same  # the very array object this side sent or received before
        array = self._decode_array(data)
        self._remember(data, array)
        return array

    def _decode_array(self, data: dict[str, Any]) -> np.ndarray:
        key = parse_handle(data.get("r"))
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
        vk = view_key(meta)

        def gone(ref: weakref.ref, vk: tuple = vk) -> None:
            if self.views.get(vk) is ref:
                del self.views[vk]

        try:
            self.views[vk] = weakref.ref(array, gone)
        except TypeError:
            pass
