"""affine_forward forgets the bias: out = x.reshape(N, -1).dot(w), b is never added.

layer_utils.py imports the student's layers (from .layers import *), so the sandwich is
repeated unchanged below to call this module's version.
"""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401
import numpy as np

# area: torch_parity
EXPECTED_AREA = "torch_parity"


def affine_forward(x, w, b):
    """
    Computes the forward pass for an affine (fully-connected) layer.
    """
    out = None
    N = x.shape[0]
    out = x.reshape(N, -1).dot(w)
    cache = (x, w, b)
    return out, cache


# layer_utils.py (unchanged): the sandwich calls the affine_forward above.
def affine_relu_forward(x, w, b):
    """
    Convenience layer that performs an affine transform followed by a ReLU
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache
