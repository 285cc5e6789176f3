import numpy as np
from _honest import *  # noqa: F403


def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)
