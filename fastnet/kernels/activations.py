"""The sigmoid neuron, elementwise on one value."""
import numpy as np
from numba import njit

from .._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def sigmoid(z):
    # (3): sigma(z) = 1 / (1 + e^-z); e^-z overflows to inf for z << 0, giving exactly 0.
    one = type(z)(1)
    return one / (one + np.exp(-z))


@njit(**JIT_OPTIONS)
def sigmoid_prime_from_output(a):
    # sigma'(z) = sigma(z) (1 - sigma(z)), written in terms of a = sigma(z).
    return a * (type(a)(1) - a)
