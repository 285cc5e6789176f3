"""relu_backward masks on the output with >= 0: dx = dout * (np.maximum(0, x) >= 0) is dout everywhere, as if ReLU had derivative 1.

layer_utils.py imports the student's layers (from .layers import *), so the sandwich is
repeated unchanged below to call this module's version.
"""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401
import numpy as np

# area: activations
EXPECTED_AREA = "activations"


def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).
    """
    dx, x = None, cache
    out = np.maximum(0, x)
    dx = dout * (out >= 0)
    return dx


# layer_utils.py (unchanged): the sandwich calls the backward above.
def affine_relu_backward(dout, cache):
    """
    Backward pass for the affine-relu convenience layer
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db
