"""Neurons' activation functions, applied in place to a layer's weighted inputs.

Each hidden or output layer has a code (``SIGMOID``, ``TANH``, ``RELU``, ``SOFTMAX``,
``IDENTITY``; ``core.registry`` maps names to codes). While training, the derivative
f'(z) of every neuron is stored beside its activation, computed from the activation
itself, so the backward pass needs no z and no branch on the kind of neuron.
"""
import numpy as np
from numba import njit

from ..config import JIT_OPTIONS, ORDERED_JIT_OPTIONS
from .compiler.views import flat
from .exponential import exp

SIGMOID, TANH, RELU, SOFTMAX, IDENTITY = 0, 1, 2, 3, 4


@njit(**JIT_OPTIONS)
def sigmoid(z):
    # (3): sigma(z) = 1 / (1 + e^-z); e^-z overflows to inf for z << 0, giving exactly 0.
    one = type(z)(1)
    return one / (one + exp(-z))


@njit(**ORDERED_JIT_OPTIONS)
def softmax_row(z, n):
    """In place on z[:n]: a_j = e^{z_j} / sum_k e^{z_k} (the largest z subtracted first,
    so nothing overflows); the sum in the order of k, whichever compiled copy runs."""
    top = z[0]
    for j in range(1, n):
        top = max(top, z[j])
    total = z.dtype.type(0)
    for j in range(n):
        z[j] = exp(z[j] - top)
        total += z[j]
    for j in range(n):
        z[j] /= total


@njit(**JIT_OPTIONS)
def activate(z, n, code, derivs, train):
    """Rows of z (m, width), contiguous, become activations a = f(z) in place, for the
    first n columns (the rest, padding, are set to 0). With ``train``, derivs (m, width)
    gets f'(z) (0 in the padding; not written for SOFTMAX, whose delta does not use it).
    Element-wise functions run over the whole block as one flat loop (padding included,
    then zeroed), so short rows still fill whole SIMD vectors."""
    T = z.dtype.type
    one, zero = T(1), T(0)
    m, width = z.shape
    a = flat(z)
    if code == SOFTMAX:
        for i in range(m):
            softmax_row(z[i], n)
    elif code == SIGMOID:
        for k in range(a.size):
            a[k] = sigmoid(a[k])
    elif code == TANH:
        for k in range(a.size):
            a[k] = np.tanh(a[k])
    elif code == RELU:
        for k in range(a.size):
            a[k] = max(a[k], zero)
    for i in range(m):
        z[i, n:] = zero
    if train and code != SOFTMAX:
        d = flat(derivs)
        if code == SIGMOID:
            for k in range(d.size):
                d[k] = a[k] * (one - a[k])  # sigma' = sigma (1 - sigma)
        elif code == TANH:
            for k in range(d.size):
                d[k] = one - a[k] * a[k]  # tanh' = 1 - tanh^2
        elif code == RELU:
            for k in range(d.size):
                d[k] = one if a[k] > zero else zero  # relu' = [z > 0]
        else:
            d[:] = one  # the identity (a linear output)
        for i in range(m):
            derivs[i, n:] = zero
