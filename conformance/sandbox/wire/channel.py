"""Requests and replies over a pair of pipes (``Channel``), and errors as they cross the wire.

Frames strictly alternate: a side sends a request and reads frames until its reply comes,
serving the peer's nested requests (callbacks) meanwhile. The worker's whole life is
``serve_forever``; the grader only ever waits for replies, each wait bounded in time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NoReturn

from . import protocol as proto
from .codec import Endpoint
from .frames import WireError, read_frame, write_frame

#: The sandbox folder (this file is in its wire/): its frames, the worker's and the wire's,
#: are left out of the tracebacks the student reads.
SANDBOX = Path(__file__).resolve().parent.parent


class RemoteError(Exception):
    """The peer's call raised; ``info`` holds its type name, message and traceback text."""

    def __init__(self, info: dict[str, Any]):
        super().__init__(info.get(proto.ERR_MSG, ""))
        self.info = info


def error_info(err: BaseException, with_traceback: bool) -> dict[str, Any]:
    """Type, message and (for the worker) the traceback of the submission's own frames."""
    import traceback  # on first use, as the worker imports no more than it needs

    info = {proto.ERR_TYPE: type(err).__name__[:80], proto.ERR_MSG: _safe_str(err)[:4000]}
    if with_traceback:
        try:
            frames = [
                f
                for f in traceback.extract_tb(err.__traceback__)
                if not f.filename.startswith("<frozen")
                and not any(Path(f.filename).resolve().is_relative_to(p) for p in _not_student())
            ]
            info[proto.ERR_TB] = "".join(traceback.format_list(frames[-12:]))[-8000:]
        except Exception:
            info[proto.ERR_TB] = ""
    return info


def _not_student() -> list[Path]:
    """The sandbox, the standard library and installed packages (numpy's ``_wrapreduction``):
    frames there are not the submission's own."""
    import sysconfig

    paths = sysconfig.get_paths()
    return [SANDBOX, *(Path(paths[k]).resolve() for k in ("stdlib", "purelib", "platlib"))]


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
        #: Called with every frame header received.
        self.on_header: Any = None
        #: Adds fields to every frame sent (the worker adds its notes of refused imports).
        self.extra_header: Any = None
        #: How many TICK frames the peer may still send before the reply now awaited: each
        #: restarts the wait, so a peer may only send as many as the request allows.
        self.ticks_left = 0
        self._last_sent = 0.0
        #: No wait for the peer runs past this time.monotonic() (None: none), however many
        #: ticks or callbacks restart it.
        self.deadline: float | None = None

    def send(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        header, blobs = self.endpoint.pack(message, body)
        self._write(header, blobs)

    def _write(self, header: dict[str, Any], blobs: list[Any]) -> None:
        if self.extra_header is not None:
            header.update(self.extra_header())
        write_frame(self.fd_out, header, blobs)
        self._last_sent = time.monotonic()

    def restart_ticks(self) -> None:
        """The next tick goes whenever it is asked for."""
        self._last_sent = 0.0

    def tick(self) -> None:
        """Tell the peer that work on its request goes on (one call of a loop returned), where
        TICK_INTERVAL has passed since the last frame sent."""
        if time.monotonic() - self._last_sent >= proto.TICK_INTERVAL:
            self._write({proto.KIND: proto.TICK}, [])

    def request(self, op: str, body: dict[str, Any]) -> Any:
        """Send request ``op`` with ``body`` (field → value); its reply's value, or
        RemoteError if the peer's call raised."""
        self.send({proto.KIND: proto.REQ, proto.OP: op}, body)
        return self.wait()

    def wait(self) -> Any:
        """The reply to our request, serving the peer's requests until it comes."""
        while True:
            replied, value = self._receive(replies=True)
            if replied:
                return value

    def serve_forever(self) -> NoReturn:
        """Serve the peer's requests until it closes its end (PeerGone), sends anything but a
        request (WireError) or one of them ends the process."""
        while True:
            self._receive(replies=False)

    def _receive(self, replies: bool) -> tuple[bool, Any]:
        """Read one frame and act on it: a request is served, (False, None); a reply, where
        ``replies`` allows one, is (True, its value) or raises RemoteError."""
        timeout = self.timeout
        if self.deadline is not None:
            left = max(self.deadline - time.monotonic(), 0.0)
            timeout = left if timeout is None else min(timeout, left)
        header, blobs = read_frame(self.fd_in, timeout)
        if self.on_header is not None:
            self.on_header(header)
        if header.get(proto.KIND) == proto.TICK and replies:
            if self.ticks_left <= 0 or blobs:
                raise WireError("a progress note the request did not allow")
            self.ticks_left -= 1
            return False, None
        self.endpoint.unpack(header, blobs)
        try:
            kind = header.get(proto.KIND)
            if kind == proto.REQ:
                self._serve_one(header, blobs)
                return False, None
            if not replies:
                raise WireError("expected a request")
            if kind != proto.REP:
                raise WireError(f"unexpected frame kind {kind!r}")
            if proto.ERR in header:
                info = header[proto.ERR]
                if not isinstance(info, dict):
                    raise WireError("malformed error")
                raise RemoteError({k: str(v)[:8000] for k, v in info.items()})
            return True, self.endpoint.decode(header.get(proto.OK), blobs)
        finally:
            self.endpoint.after_unpack(header, blobs)

    def _serve_one(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        try:
            result = self.serve(header, blobs)
        except WireError:
            raise
        except BaseException as err:
            # The grader's own interruptions (its time limit, Ctrl-C) are not the peer's.
            if self.endpoint.side == proto.GRADER and not isinstance(err, Exception):
                raise
            self.send({proto.KIND: proto.REP, proto.ERR: error_info(err, self.tracebacks)}, {})
            return
        try:
            header, out = self.endpoint.pack({proto.KIND: proto.REP}, {proto.OK: result})
        except (TypeError, ValueError, RecursionError) as err:
            header, out = self.endpoint.pack(
                {proto.KIND: proto.REP, proto.ERR: error_info(err, False)}, {}
            )
        self._write(header, out)
