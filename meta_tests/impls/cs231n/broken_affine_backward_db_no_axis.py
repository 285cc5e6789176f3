"""affine_backward sums db = np.sum(dout) with no axis: a scalar (the sum over samples and outputs) instead of shape (M,).

layer_utils.py imports the student's layers (from .layers import *), so the sandwich is
repeated unchanged below to call this module's version.
"""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401
import numpy as np

# area: gradients
EXPECTED_AREA = "gradients"


def affine_backward(dout, cache):
    """
    Computes the backward pass for an affine layer.
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    N = x.shape[0]
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(N, -1).T.dot(dout)
    db = np.sum(dout)
    return dx, dw, db


# layer_utils.py (unchanged): the sandwich calls the backward above.
def affine_relu_backward(dout, cache):
    """
    Backward pass for the affine-relu convenience layer
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db
