import _honest
from _honest import *  # noqa: F403


class NeuralNetwork(_honest.NeuralNetwork):
    pass
