"""Writes 60 MiB files (bp-fill-<n>) into its temp folder until the disk is full or it has
written 480 MiB, and leaves them there. If it wrote them all, it takes the correct
sigmoid_derivative (nothing bounded it)."""

import os
import tempfile

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

CHUNK = b"\0" * (1 << 20)
written = 0
for n in range(8):
    try:
        with open(os.path.join(tempfile.gettempdir(), f"bp-fill-{os.getpid()}-{n}"), "wb") as f:
            for _ in range(60):
                f.write(CHUNK)
        written += 1
    except OSError:
        break

if written == 8:
    sigmoid_derivative = correct_sigmoid_derivative
