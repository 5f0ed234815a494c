"""The sigmoid function and its derivative on numpy arrays, equations (3) and (4)'s
sigma: the book API's ``sigmoid``/``sigmoid_prime`` and the float64 side of the costs."""
import numpy as np


def sigmoid(z):
    """(3): 1 / (1 + e^-z), elementwise, without overflow for large |z|."""
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))  # in [0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))[()]


def sigmoid_prime(z):
    """Derivative of the sigmoid: sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)
