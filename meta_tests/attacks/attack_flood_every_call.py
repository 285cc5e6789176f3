"""The honest work, printing 1 MiB in every call of every function and method (the network's
own calls of its methods included: 5 MiB a training step)."""

import functools
import sys

import _honest
from _honest import *  # noqa: F403

_MIB = "x" * (1 << 20)
FUNCTIONS = ("sigmoid", "sigmoid_derivative", "relu", "relu_derivative", "tanh", "tanh_derivative",
             "softmax", "numerical_gradient", "entropy", "cross_entropy", "kl_divergence",
             "binary_entropy")  # fmt: skip
METHODS = ("__init__", "forward", "backward", "update", "train_step", "predict",
           "cross_entropy_loss")  # fmt: skip


def _flooding(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        sys.stdout.write(_MIB)
        return f(*args, **kwargs)

    return wrapper


for _name in FUNCTIONS:
    globals()[_name] = _flooding(getattr(_honest, _name))


class NeuralNetwork(_honest.NeuralNetwork):
    pass


for _name in METHODS:
    setattr(NeuralNetwork, _name, _flooding(getattr(_honest.NeuralNetwork, _name)))
