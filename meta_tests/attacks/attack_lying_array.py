"""sigmoid_derivative returns an ndarray subclass whose comparisons, reductions and
attributes all say "equal" / "fine"."""

import numpy as np
from _honest import *  # noqa: F403
from _honest import sigmoid_derivative as _wrong


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    __le__ = __ge__ = __eq__

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __lt__(self, other):
        return np.ones(self.shape, dtype=bool)

    __gt__ = __lt__

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.broadcast(*[np.asarray(i) for i in inputs]).shape)

    def __array_function__(self, func, types, args, kwargs):
        return True

    def all(self, *a, **k):
        return True

    def any(self, *a, **k):
        return False

    @property
    def dtype(self):
        return np.dtype(np.float64)

    @property
    def base(self):
        return None

    def __float__(self):
        return 0.0


def sigmoid_derivative(z):
    return np.asarray(_wrong(z)).view(Liar)
