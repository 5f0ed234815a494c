"""The seed's network.py, written plainly from its equations: the reference that the
compiled kernels are checked against. Per-example numpy, slow, obvious.

Differences from the seed's listing: Python 3 ``range`` (the listing imports ``xrange``
from xlwings), a ``dtype`` for the arithmetic, and ``backprop``/``update_mini_batch``
usable on their own. Same randomness: biases then weights from ``np.random.randn``,
``random.shuffle`` on the training list each epoch.
"""
import random

import numpy as np


def sigmoid(z):
    # (3)
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class ReferenceNetwork:
    def __init__(self, sizes, dtype=np.float64):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.dtype = dtype
        self.biases = [np.random.randn(y, 1).astype(dtype) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x).astype(dtype) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)  # (25)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        n = len(training_data)
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape, self.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, self.dtype) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        scale = self.dtype(eta / len(mini_batch))
        # (20), (21)
        self.weights = [w - scale * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - scale * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        x = np.asarray(x, self.dtype)
        y = np.asarray(y, self.dtype)
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])  # BP1
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].T)  # BP4
        for l in range(2, self.num_layers):
            delta = np.dot(self.weights[-l + 1].T, delta) * sigmoid_prime(zs[-l])  # BP2
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w

    def cost(self, x, y):
        # (27): C_x = ||y - a^L||^2 / 2
        return 0.5 * float(np.sum((np.asarray(y, np.float64) - self.feedforward(x)) ** 2))

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data)
