"""Frames: how one message crosses a pipe, and the errors of a peer that breaks the format.

Frame layout: ``MAGIC`` · u64 payload length · payload; payload = u32 header length · JSON
header · for each blob, u64 length · bytes. Reading checks every length against what arrived
before using it, so a hostile peer can at worst make the read fail.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

MAGIC = b"BPW1"
#: A frame larger than this is a protocol violation (the peer is broken or hostile).
MAX_FRAME = 1 << 31


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


def is_blob_index(b: Any, blobs: list[bytes]) -> bool:
    """Whether ``b``, read from a header, names one of the frame's blobs."""
    return type(b) is int and 0 <= b < len(blobs)
