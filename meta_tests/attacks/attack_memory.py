"""tanh allocates without bound."""

import numpy as np
from _honest import *  # noqa: F403


def tanh(z):
    hoard = []
    while True:
        hoard.append(np.ones(1 << 24))
