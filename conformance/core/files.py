"""Writing the kit's output files (results, the report, figures) so that nothing a submission
left at the path survives and no reader sees half a file."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import sys
import tempfile
from pathlib import Path

#: Linux's FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, and the flags that make a file or a folder
#: refuse the replace: immutable (``chattr +i``) and append-only (``chattr +a``).
_GETFLAGS, _SETFLAGS = 0x80086601, 0x40086602
_LOCKS = 0x00000010 | 0x00000020


def write_atomically(path: Path, data: bytes) -> None:
    """Replace whatever is at ``path`` (a submission may have put a file, a link or a folder
    there) with ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for place in (path.parent, path):
        _unlock(place)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    parent = path.parent
    if not os.access(parent, os.W_OK):
        os.chmod(parent, parent.stat().st_mode | stat.S_IWUSR)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the platform's other users
    os.replace(tmp, path)


def _unlock(path: Path) -> None:
    """Clear the immutable and append-only flags of a regular file or folder at ``path``, which
    a submission running as root may have set on a results file (or its folder) it forged, so
    that the replace would fail and the forgery stand. Needs CAP_LINUX_IMMUTABLE (a root
    grader); without it, or where the file system has no such flags, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl  # not on Windows, where students run the kit too

    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return  # a link, a fifo or a device is replaced, never opened
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, _GETFLAGS, struct.pack("i", 0)))[0]
        if flags & _LOCKS:
            fcntl.ioctl(fd, _SETFLAGS, struct.pack("i", flags & ~_LOCKS))
    except OSError:
        pass
    finally:
        os.close(fd)
