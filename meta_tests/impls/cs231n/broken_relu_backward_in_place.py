"""relu_backward zeroes dout in place (dout[x <= 0] = 0; return dout): the upstream gradient
the caller passed in is changed.

Through a network nothing reads that dout again (it is the next affine layer's dx), so only the
adapter's layer check of relu, which checks that its inputs are left as they were, rejects it.
"""

from correct_layers import *  # noqa: F401,F403
import correct_layers  # noqa: F401

# area: gradients
EXPECTED_AREA = "gradients"


def relu_backward(dout, cache):
    x = cache
    dout[x <= 0] = 0
    return dout


def affine_relu_backward(dout, cache):
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db
