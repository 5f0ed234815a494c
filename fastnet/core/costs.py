"""The costs a network can be trained on, as the book's network2 classes, and the mean
cost of a network's outputs.

- ``QuadraticCost`` ("quadratic"): C_x = 1/2 ||a - y||^2, any output activation.
- ``CrossEntropyCost`` ("cross-entropy"): C_x = -sum_j [y_j ln a_j + (1-y_j) ln(1-a_j)],
  sigmoid outputs; its delta is a - y (the sigma' factor cancels, (66)).
- ``LogLikelihoodCost`` ("log-likelihood"): C_x = -sum_j y_j ln a_j, softmax output;
  delta a - y.

``fn(a, y)`` and ``delta(z, a, y)`` work on numpy columns as in the book. A network's
own cost (``Network.cost``) is computed from the output layer's weighted inputs z, with
log-sum-exp and softplus, so it never overflows and never needs ``nan_to_num``.
"""

import numpy as np

from .activations import sigmoid


def _xlogy(x, y):
    """x * ln(y), with 0 * ln(0) = 0 (the limit), and -inf where x > 0 and y = 0."""
    x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
    out = np.zeros(x.shape)
    nonzero = x != 0
    with np.errstate(divide="ignore"):
        out[nonzero] = x[nonzero] * np.log(y[nonzero])
    return out


class QuadraticCost:
    name = "quadratic"

    @staticmethod
    def fn(a, y):
        """1/2 ||a - y||^2."""
        return 0.5 * np.linalg.norm(np.asarray(a, np.float64) - y) ** 2

    @staticmethod
    def delta(z, a, y):
        """BP1 with sigmoid outputs: (a - y) * sigma'(z)."""
        s = sigmoid(np.asarray(z, np.float64))
        return (a - y) * s * (1 - s)


class CrossEntropyCost:
    name = "cross-entropy"

    @staticmethod
    def fn(a, y):
        """-sum [y ln a + (1 - y) ln(1 - a)]; 0 ln 0 is 0, so exact 0/1 outputs that
        match their targets cost nothing (no nan_to_num), and a certain wrong answer
        costs inf."""
        a = np.asarray(a, np.float64)
        return float(-np.sum(_xlogy(y, a) + _xlogy(1 - np.asarray(y, np.float64), 1 - a)))

    @staticmethod
    def delta(z, a, y):
        """BP1 for cross-entropy on sigmoid outputs: a - y."""
        return a - y


class LogLikelihoodCost:
    name = "log-likelihood"

    @staticmethod
    def fn(a, y):
        """-sum y ln a (for one-hot y: -ln a_y)."""
        return float(-np.sum(_xlogy(y, np.asarray(a, np.float64))))

    @staticmethod
    def delta(z, a, y):
        """BP1 for log-likelihood on a softmax output: a - y."""
        return a - y


def output_activation(z: np.ndarray, output: str) -> np.ndarray:
    """a = f(z) for (n, n_out) weighted inputs, in float64, without overflow."""
    z = np.asarray(z, np.float64)
    if output == "sigmoid":
        return sigmoid(z)
    if output == "tanh":
        return np.tanh(z)
    if output == "relu":
        return np.maximum(z, 0)
    if output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def mean_cost(z: np.ndarray, targets: np.ndarray, output: str, cost: type) -> float:
    """(1/n) sum_x C_x from the output layer's weighted inputs z (n, n_out) and the
    targets (n, n_out), in float64; stable for any z."""
    z = np.asarray(z, np.float64)
    y = np.asarray(targets, np.float64)
    if cost is CrossEntropyCost:
        # -[y ln sigma(z) + (1-y) ln(1 - sigma(z))] = y softplus(-z) + (1-y) softplus(z)
        total = np.sum(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
    elif cost is LogLikelihoodCost:
        # -sum_j y_j ln softmax(z)_j = sum_j y_j (logsumexp(z) - z_j)
        top = z.max(axis=1, keepdims=True)
        log_total = top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
        total = np.sum(y * (log_total - z))
    else:
        error = output_activation(z, output) - y
        total = 0.5 * np.einsum("ij,ij->", error, error)
    return float(total / len(z))


def total_cost(z: np.ndarray, targets: np.ndarray, output: str, cost: type, weights,
               lmbda: float = 0.0, l1: float = 0.0) -> float:
    """``mean_cost`` plus lmbda/(2n) sum w^2 and l1/n sum |w| over the layers ``weights``
    (network2's ``total_cost``), n = len(z); in float64."""
    total = mean_cost(z, targets, output, cost)
    if lmbda:
        total += 0.5 * (lmbda / len(z)) * sum(float(np.sum(np.square(w, dtype=np.float64)))
                                              for w in weights)
    if l1:
        total += (l1 / len(z)) * sum(float(np.sum(np.abs(w), dtype=np.float64)) for w in weights)
    return total
