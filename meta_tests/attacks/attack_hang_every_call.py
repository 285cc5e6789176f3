"""Every function and method of the contract hangs, in every call."""


def _hang(*args, **kwargs):
    while True:
        pass


sigmoid = sigmoid_derivative = relu = relu_derivative = tanh = tanh_derivative = _hang
softmax = numerical_gradient = entropy = cross_entropy = kl_divergence = binary_entropy = _hang


class NeuralNetwork:
    def __init__(self, layers):
        _hang()

    forward = backward = update = train_step = predict = cross_entropy_loss = _hang
