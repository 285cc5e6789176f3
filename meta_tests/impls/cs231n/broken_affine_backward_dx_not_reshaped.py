"""affine_backward does not reshape dx back to x's shape: for x of shape (N, d1, d2) dx has shape (N, D) instead of (N, d1, d2).

Only x with more than two dimensions shows it: through a network (2-D batches) it computes the
right gradients; the adapter's layer check of affine with a 3-D x rejects it.
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
    dx = dout.dot(w.T)
    dw = x.reshape(N, -1).T.dot(dout)
    db = np.sum(dout, axis=0)
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
