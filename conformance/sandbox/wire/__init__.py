"""The grader ↔ worker wire format: frames of JSON plus raw array bytes, never pickle.

Both sides load this package: the grader as ``conformance.sandbox.wire``, the worker by its
path under a private name (the worker must not be able to import the ``conformance`` package),
which is why its modules import each other relatively. It imports only the standard library
and NumPy, and decoding cannot run code: a frame is a JSON header and byte blobs; an array is
rebuilt from a blob, an allow-listed dtype, a shape and strides checked against the blob.

- ``protocol``: the protocol's words (frame kinds, requests, fields), each defined once;
- ``frames``: a frame on a pipe, and the errors of a peer that breaks the format;
- ``arrays``: the dtypes allowed, and arrays rebuilt from checked descriptions;
- ``regions``: the regions arrays are views into, which keep their memory relations;
- ``handles``: what stands for the peer's objects and lists;
- ``codec``: ``Endpoint``, which encodes values into frames and decodes them;
- ``channel``: ``Channel``, requests and replies (with callbacks), and errors.

The names the two sides use are re-exported here: ``wire.Endpoint``, ``wire.read_frame``.
"""

from . import protocol
from .arrays import DTYPES, MAX_NDIM, bounds, check_view, make_view, plain, raw_view, root_of
from .channel import SANDBOX, Channel, RemoteError, error_info
from .codec import Endpoint
from .frames import MAGIC, MAX_FRAME, Deadline, PeerGone, WireError, read_frame, write_frame
from .handles import ListMirror, Proxy
from .protocol import LIST_METHODS

__all__ = [
    "DTYPES",
    "LIST_METHODS",
    "MAGIC",
    "MAX_FRAME",
    "MAX_NDIM",
    "SANDBOX",
    "Channel",
    "Deadline",
    "Endpoint",
    "ListMirror",
    "PeerGone",
    "Proxy",
    "RemoteError",
    "WireError",
    "bounds",
    "check_view",
    "error_info",
    "make_view",
    "plain",
    "protocol",
    "raw_view",
    "read_frame",
    "root_of",
    "write_frame",
]
