"""Prints 2 GiB while being imported and 1 MiB in every relu call."""

import sys

import numpy as np
from _honest import *  # noqa: F403

_MIB = "x" * (1 << 20)
for _ in range(2048):
    sys.stdout.write(_MIB)
    sys.stderr.write(_MIB[:1000])


def relu(z):
    print(_MIB)
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
