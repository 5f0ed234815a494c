"""Neurons' activation functions, applied in place to a layer's weighted inputs.

Each hidden or output layer has a code (``SIGMOID``, ``TANH``, ``RELU``, ``SOFTMAX``,
``IDENTITY``;
the facade maps names to codes). While training, the derivative f'(z) of every
neuron is stored beside its activation, computed from the activation itself, so the
backward pass needs no z and no branch on the kind of neuron.
"""
import numpy as np
from numba import njit

from .._config import JIT_OPTIONS

SIGMOID, TANH, RELU, SOFTMAX, IDENTITY = 0, 1, 2, 3, 4


@njit(**JIT_OPTIONS)
def sigmoid(z):
    # (3): sigma(z) = 1 / (1 + e^-z); e^-z overflows to inf for z << 0, giving exactly 0.
    one = type(z)(1)
    return one / (one + np.exp(-z))


@njit(**JIT_OPTIONS)
def softmax_row(z, n):
    """In place on z[:n]: a_j = e^{z_j} / sum_k e^{z_k} (the largest z subtracted first,
    so nothing overflows)."""
    top = z[0]
    for j in range(1, n):
        top = max(top, z[j])
    total = z.dtype.type(0)
    for j in range(n):
        z[j] = np.exp(z[j] - top)
        total += z[j]
    for j in range(n):
        z[j] /= total


@njit(**JIT_OPTIONS)
def activate(z, n, code, derivs, train):
    """Rows of z (m, width) become activations a = f(z) in place, for the first n
    columns (the rest, padding, are set to 0). With ``train``, derivs (m, width) gets
    f'(z) (0 in the padding; not written for SOFTMAX, whose delta does not use it)."""
    T = z.dtype.type
    one, zero = T(1), T(0)
    m, width = z.shape
    for i in range(m):
        row = z[i]
        if code == SOFTMAX:
            softmax_row(row, n)
        elif code == SIGMOID:
            for j in range(n):
                row[j] = sigmoid(row[j])
        elif code == TANH:
            for j in range(n):
                row[j] = np.tanh(row[j])
        elif code == RELU:
            for j in range(n):
                row[j] = max(row[j], zero)
        for j in range(n, width):
            row[j] = zero
        if train and code != SOFTMAX:
            d = derivs[i]
            for j in range(n):
                a = row[j]
                if code == SIGMOID:
                    d[j] = a * (one - a)  # sigma' = sigma (1 - sigma)
                elif code == TANH:
                    d[j] = one - a * a  # tanh' = 1 - tanh^2
                elif code == RELU:
                    d[j] = one if a > zero else zero  # relu' = [z > 0]
                else:
                    d[j] = one  # the identity (a linear output)
            for j in range(n, width):
                d[j] = zero
