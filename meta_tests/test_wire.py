"""The grader ↔ worker format: values survive the trip with their memory relations, and
nothing a hostile worker sends can run code or read outside what it sent."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest

from conformance.sandbox import wire


def pair() -> tuple[wire.Endpoint, wire.Endpoint]:
    def no_proxy(*args):
        raise AssertionError("no object handles in these tests")

    return wire.Endpoint("g", no_proxy, lambda key, items: items), wire.Endpoint(
        "w", no_proxy, lambda key, items: items
    )


def send(a: wire.Endpoint, b: wire.Endpoint, **body):
    """Pack on a, unpack and decode on b: what b's code would see."""
    header, blobs = a.pack({"k": "req"}, body)
    blobs = [bytes(x) for x in blobs]
    b.unpack(header, blobs)
    try:
        return {k: b.decode(header[k], blobs) for k in body}
    finally:
        b.after_unpack(header, blobs)


def test_plain_values_round_trip() -> None:
    g, w = pair()
    value = {"a": [1, 2.5, None, True, "s"], "t": (1, (2, 3)), "inf": float("inf")}
    got = send(g, w, v=value)["v"]
    assert got == value and isinstance(got["t"], tuple)
    assert isinstance(send(g, w, v=np.float32(1.5))["v"], np.float32)


def test_views_share_memory_with_their_base_after_the_trip() -> None:
    g, w = pair()
    base = np.arange(12.0).reshape(3, 4)
    got = send(g, w, base=base, view=base[1:, ::2].T)
    assert np.shares_memory(got["base"], got["view"])
    np.testing.assert_array_equal(got["view"], base[1:, ::2].T)
    got["view"][0, 0] = -1.0  # the worker writes into the view: the base sees it...
    assert got["base"][1, 0] == -1.0
    send(w, g)  # ...and so does the grader's original, with the next frame
    assert base[1, 0] == -1.0


def test_same_array_arrives_as_the_same_object_and_comes_back_as_the_original() -> None:
    g, w = pair()
    x = np.ones(3)
    first = send(g, w, x=x)["x"]
    again = send(g, w, x=x)["x"]
    assert first is again
    back = send(w, g, y=first)["y"]
    assert back is x


def test_read_only_arrays_stay_read_only() -> None:
    g, w = pair()
    x = np.ones(3)
    x.flags.writeable = False
    assert not send(g, w, x=x)["x"].flags.writeable


@pytest.mark.parametrize(
    "meta",
    [
        {"dtype": "|O", "shape": [1], "strides": [8], "offset": 0},
        {"dtype": "<U4", "shape": [1], "strides": [16], "offset": 0},
        {"dtype": "<f8", "shape": [2], "strides": [8], "offset": 8},  # past the end
        {"dtype": "<f8", "shape": [2], "strides": [-8], "offset": 0},  # before the start
        {"dtype": "<f8", "shape": [-1], "strides": [8], "offset": 0},
        {"dtype": "<f8", "shape": [1] * 40, "strides": [8] * 40, "offset": 0},
        {"dtype": "<f8", "shape": [1.5], "strides": [8], "offset": 0},
    ],
)
def test_array_descriptions_reaching_outside_their_bytes_are_refused(meta) -> None:
    with pytest.raises(wire.WireError):
        wire.check_view(meta, 16)


def test_unknown_tags_and_handles_are_refused() -> None:
    g, _ = pair()
    for bad in ({"$": "pickle", "data": "..."}, {"$": "ref", "r": ["g", 99]}, [1, 2]):
        with pytest.raises(wire.WireError):
            g.decode(bad, [])


def test_frames_are_checked_before_use() -> None:
    for data in (
        b"XXXX" + struct.pack("<Q", 4) + b"abcd",  # wrong magic
        wire.MAGIC + struct.pack("<Q", wire.MAX_FRAME + 1),  # over the size limit
        wire.MAGIC + struct.pack("<Q", 8) + struct.pack("<I", 100) + b"{}00",  # short header
    ):
        r, w = os.pipe()
        os.write(w, data)
        os.close(w)
        with pytest.raises(wire.WireError):
            wire.read_frame(r, timeout=1)
        os.close(r)


def test_a_silent_peer_hits_the_deadline() -> None:
    r, w = os.pipe()
    with pytest.raises(wire.Deadline):
        wire.read_frame(r, timeout=0.05)
    os.close(r)
    os.close(w)
