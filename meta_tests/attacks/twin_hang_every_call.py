def _todo(*args, **kwargs):
    raise NotImplementedError("not written yet")


sigmoid = sigmoid_derivative = relu = relu_derivative = tanh = tanh_derivative = _todo
softmax = numerical_gradient = entropy = cross_entropy = kl_divergence = binary_entropy = _todo


class NeuralNetwork:
    def __init__(self, layers):
        _todo()

    forward = backward = update = train_step = predict = cross_entropy_loss = _todo
