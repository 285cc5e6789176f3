"""A correct network of exactly one hidden layer, as CS231n's TwoLayerNet is: it refuses any
other depth, and says so with HIDDEN_LAYERS = 1. Everything else re-exports the reference."""

from reference import *  # noqa: F401,F403
import reference

HIDDEN_LAYERS = 1


class NeuralNetwork(reference.NeuralNetwork):
    def __init__(self, layer_sizes):
        if len(layer_sizes) != 3:
            raise ValueError("a two-layer net takes [n_in, n_hidden, n_out]")
        super().__init__(layer_sizes)
