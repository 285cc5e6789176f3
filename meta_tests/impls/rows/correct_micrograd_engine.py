"""A correct implementation on a micrograd-style scalar autodiff engine, in the row layout.

Style: a ``Value`` class holds one Python float, its gradient and a backward closure; the
activations' derivatives are obtained by running the engine on a single Value (no hand-written
derivative formulas at module level); the network's forward builds a graph of Values sample by
sample and its backward runs reverse-mode autodiff over a topological sort of the mean
cross-entropy graph.  Plain Python floats and ``math`` inside; results are handed back as
float64 numpy arrays.  Slow, but fine for small nets.  The network uses the row layout: one
sample per row of X, weights[i] of shape (n_in, n_out), flat biases[i] and db[i] of shape
(n_out,), softmax over the last axis.  Self-contained.
"""

import math
import random

import numpy as np

LAYOUT = "rows"


class Value:
    __slots__ = ("data", "grad", "_prev", "_backward")

    def __init__(self, data, _prev=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = _prev
        self._backward = None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __rsub__(self, other):
        return Value(other) - self

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other))

        def _backward():
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / (other.data * other.data)

        out._backward = _backward
        return out

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            e = math.inf
        out = Value(e, (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data) if self.data > 0 else -math.inf, (self,))

        def _backward():
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,))

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
            sm = math.exp(-x) / (1.0 + math.exp(-x))  # σ(−x), no cancellation
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
            sm = 1.0 / (1.0 + e)
        out = Value(s, (self,))

        def _backward():
            self.grad += s * sm * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def _backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative DFS (deep graphs would overflow recursion)
            node, done = stack.pop()
            if done:
                topo.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for child in node._prev:
                if id(child) not in seen:
                    stack.append((child, False))
        for node in topo:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(topo):
            if node._backward is not None:
                node._backward()


def _map(fn, z):
    arr = np.asarray(z, dtype=np.float64)
    return np.array([fn(float(v)) for v in arr.reshape(-1)], dtype=np.float64).reshape(arr.shape)


def _value_of(op):
    return lambda x: getattr(Value(x), op)().data


def _grad_of(op):
    def g(x):
        v = Value(x)
        getattr(v, op)().backward()
        return v.grad

    return g


def sigmoid(z):
    return _map(_value_of("sigmoid"), z)


def sigmoid_derivative(z):
    return _map(_grad_of("sigmoid"), z)


def relu(z):
    return _map(_value_of("relu"), z)


def relu_derivative(z):
    return _map(_grad_of("relu"), z)


def tanh(z):
    return _map(_value_of("tanh"), z)


def tanh_derivative(z):
    return _map(_grad_of("tanh"), z)


def _softmax_list(col):
    m = max(col)
    exps = [math.exp(c - m) for c in col]  # c − m ≤ 0 (may be −inf), never overflows
    s = math.fsum(exps)
    return [e / s for e in exps]


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 1:
        return np.array(_softmax_list(z.tolist()), dtype=np.float64)
    rows = [_softmax_list(row) for row in z.reshape(-1, z.shape[-1]).tolist()]
    return np.array(rows, dtype=np.float64).reshape(z.shape)


def numerical_gradient(f, x, eps=1e-5):
    base = np.array(x, dtype=np.float64, order="C")
    out = np.empty(base.shape)
    flat_out = out.reshape(-1)
    for k in range(base.size):
        bump = base.copy().reshape(-1)
        bump[k] += eps
        up = f(bump.reshape(base.shape))
        bump[k] -= 2 * eps
        bump[k] = base.reshape(-1)[k] - eps
        down = f(bump.reshape(base.shape))
        flat_out[k] = (up - down) / (2 * eps)
    return out


def _sum_plogq(p, q):
    return math.fsum(pi * math.log(qi) for pi, qi in zip(p, q) if pi != 0.0)


def entropy(p):
    p = np.asarray(p, dtype=np.float64).tolist()
    return 0.0 - _sum_plogq(p, p)


def cross_entropy(p, q):
    p = np.asarray(p, dtype=np.float64).tolist()
    q = np.asarray(q, dtype=np.float64).tolist()
    return 0.0 - _sum_plogq(p, q)


def kl_divergence(p, q):
    p = np.asarray(p, dtype=np.float64).tolist()
    q = np.asarray(q, dtype=np.float64).tolist()
    return math.fsum(pi * (math.log(pi) - math.log(qi)) for pi, qi in zip(p, q) if pi != 0.0)


def _h2(p):
    h = 0.0
    if p > 0:
        h -= p * math.log(p)
    if p < 1:
        h -= (1.0 - p) * math.log1p(-p)
    return h


def binary_entropy(p):
    return _map(_h2, p)


class NeuralNetwork:
    """Row layout: a batch is (m, n_features), weights[i] is (n_in, n_out) so that column o
    holds neuron o's incoming weights, and biases[i] is a flat (n_out,) list of the neurons'
    biases (micrograd's one scalar b per Neuron)."""

    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        self.weights, self.biases = [], []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            sd = math.sqrt(2.0 / n_in)
            self.weights.append(
                np.array([[random.gauss(0.0, sd) for _ in range(n_out)] for _ in range(n_in)])
            )
            self.biases.append(np.zeros(n_out))

    def forward(self, X):
        X = np.asarray(X, dtype=np.float64)
        # parameters as Values (shared by every sample), in the arrays' own (n_in, n_out) shape
        self._W = [
            [[Value(w) for w in row] for row in np.asarray(W).tolist()] for W in self.weights
        ]
        self._b = [[Value(v) for v in np.asarray(b).reshape(-1).tolist()] for b in self.biases]
        L = len(self._W)
        self._logits = []
        probs = []
        for x in X.tolist():  # one sample per row
            a = [Value(v) for v in x]
            for i in range(L):
                z = []
                # neuron o: its bias plus Σ_k W[k][o]·a[k], i.e. row a times column o of W
                for o, b in enumerate(self._b[i]):
                    acc = b
                    for w_row, ak in zip(self._W[i], a):
                        acc = acc + ak * w_row[o]
                    z.append(acc)
                a = z if i == L - 1 else [v.relu() for v in z]
            self._logits.append(a)
            probs.append(_softmax_list([v.data for v in a]))
        return np.array(probs, dtype=np.float64).reshape(X.shape[0], len(self._b[-1]))

    def cross_entropy_loss(self, y_pred, y_true):
        P = np.asarray(y_pred, dtype=np.float64)
        Y = np.asarray(y_true, dtype=np.float64)
        terms = [
            y * math.log(max(p, 1e-300))
            for y, p in zip(Y.ravel().tolist(), P.ravel().tolist())
            if y != 0.0
        ]
        return -math.fsum(terms) / Y.shape[0]

    def backward(self, y_true):
        Y = np.asarray(y_true, dtype=np.float64)
        m = Y.shape[0]
        total = Value(0.0)
        for y_row, logits in zip(Y.tolist(), self._logits):
            c = max(v.data for v in logits)  # a constant shift: does not change the gradient
            s = Value(0.0)
            for v in logits:
                s = s + (v - c).exp()
            lse = s.log() + c
            for y, v in zip(y_row, logits):
                if y != 0.0:
                    total = total + y * (lse - v)
        loss = total / float(m)
        loss.backward()
        self.dW = [
            np.array([[w.grad for w in row] for row in Wv], dtype=np.float64) for Wv in self._W
        ]
        self.db = [np.array([b.grad for b in bv], dtype=np.float64) for bv in self._b]

    def update(self, learning_rate):
        for i in range(len(self.weights)):
            self.weights[i] -= learning_rate * self.dW[i]
            self.biases[i] -= learning_rate * self.db[i]

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
