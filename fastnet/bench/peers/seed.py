"""The seed's network.py: per example, numpy float64, a compact copy of the book's
backprop (:class:`PerExample`), standalone on purpose (its own sigmoid). It is also the
reference every other implementation is checked against."""
import time

import numpy as np

from .base import Impl


class PerExample:
    """The seed's network.py arithmetic, per example: ``update_mini_batch`` sums
    ``backprop``'s per-example gradients and steps by eta/m times the sum, (20), (21).
    Columns as in the book: x (n_in, 1), y (n_out, 1), b (n, 1); ``dtype`` float64 by
    default."""

    def __init__(self, weights, biases, dtype=None):
        self.dtype = np.float64 if dtype is None else dtype
        self.weights = [np.array(w, self.dtype) for w in weights]
        self.biases = [np.array(b, self.dtype).reshape(-1, 1) for b in biases]

    @staticmethod
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape, self.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, self.dtype) for w in self.weights]
        for x, y in mini_batch:
            delta_b, delta_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_w)]
        scale = self.dtype(eta / len(mini_batch))
        self.weights = [w - scale * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - scale * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        sigmoid = self.sigmoid
        activation = np.asarray(x, self.dtype)
        activations, zs = [activation], []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        s = sigmoid(zs[-1])
        delta = (activations[-1] - np.asarray(y, self.dtype)) * (s * (1 - s))  # BP1
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].T)  # BP4
        for l in range(2, len(self.weights) + 1):
            s = sigmoid(zs[-l])
            delta = np.dot(self.weights[-l + 1].T, delta) * (s * (1 - s))  # BP2
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w


class SeedImpl(Impl):
    """Timed on the first ``examples`` of each epoch's order, its time scaled to the epoch."""
    name, label = "seed", "seed (numpy per example, float64)"

    def __init__(self, sizes, X, y, batch, eta, examples):
        super().__init__(sizes, X, y, batch, eta)
        self.n = len(X)
        self.examples_timed = min(examples, len(X))
        self.eye = np.eye(sizes[-1])
        self.net = None

    @classmethod
    def from_config(cls, sizes, X, y, config):
        return cls(sizes, X, y, config.batch, config.eta, config.ref_examples)

    def reset(self, weights, biases):
        self.net = PerExample(weights, biases)

    def pairs(self, indices):
        """The book's (x column, one-hot column) pairs in float64, made outside the timing
        (the original's data come that way from mnist_loader)."""
        return [(self.X[i].astype("float64").reshape(-1, 1), self.eye[self.y[i]].reshape(-1, 1))
                for i in indices]

    def run(self, pairs):
        for k in range(0, len(pairs), self.batch):
            self.net.update_mini_batch(pairs[k:k + self.batch], self.eta)

    def epoch(self, order):
        pairs = self.pairs(order.indices[:self.examples_timed])
        start = time.perf_counter()
        self.run(pairs)
        return (time.perf_counter() - start) * self.n / len(pairs)

    def warm_up(self, order):
        self.run(self.pairs(order.indices[:2 * self.batch]))

    def train_exact(self, order):
        self.run(self.pairs(order.indices))

    def parameters(self):
        return self.net.weights, self.net.biases
