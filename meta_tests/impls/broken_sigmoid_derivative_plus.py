"""sigmoid_derivative returns s*(1+s) instead of s*(1-s) (sign slip)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def sigmoid_derivative(z):
    s = reference.sigmoid(z)
    return s * (1.0 + s)
