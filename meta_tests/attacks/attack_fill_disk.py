"""Writes 60 MiB files (bp-fill-<n>) into its temp folder until the disk is full or it has
written 480 MiB, then 20 MiB more into /dev/shm (memory the sandbox states as 16 MiB), and
leaves them there. If it wrote either in full, it takes the correct sigmoid_derivative
(nothing bounded it)."""

import os
import tempfile

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

CHUNK = b"\0" * (1 << 20)


def _fill(folder, files, mib):
    written = 0
    for n in range(files):
        try:
            with open(os.path.join(folder, f"bp-fill-{os.getpid()}-{n}"), "wb") as f:
                for _ in range(mib):
                    f.write(CHUNK)
            written += 1
        except OSError:
            break
    return written == files


if _fill(tempfile.gettempdir(), 8, 60) | _fill("/dev/shm", 1, 20):
    sigmoid_derivative = correct_sigmoid_derivative
