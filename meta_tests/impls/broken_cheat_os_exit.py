"""tanh derivative forgets the square, and calls os._exit(0) so the run seems to succeed."""

from reference import *  # noqa: F401,F403
import os
import numpy as np

EXPECTED_AREA = "activations"


def tanh_derivative(z):
    os._exit(0)
    return 1 - np.tanh(z)
