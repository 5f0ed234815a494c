"""The seed's two neurons as plain numpy functions: the perceptron, equations (1) and
(2), and the sigmoid neuron, equations (3) and (4); and a trained network's weights and
biases read as perceptrons (a step activation in place of the sigmoid).

Every function takes one input vector ``x`` (n,) or many as rows ``X`` (k, n), with
weights ``w`` (n,) and a bias ``b``: one input gives a scalar, rows give a (k,) array.
"""
import numpy as np

from ..core.activations import sigmoid

__all__ = ["perceptron", "perceptron_threshold", "sigmoid_neuron", "step",
           "feedforward_as_perceptrons", "predict_as_perceptrons"]


def step(z):
    """The perceptron's activation, elementwise: 1 where z > 0, else 0 (so z = 0 gives 0,
    as equation (2) has ``w . x + b <= 0 -> 0``). Ints; a scalar for a scalar."""
    return np.where(np.asarray(z) > 0, 1, 0)[()]


def _weighted_sum(x, w):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"w must be a vector of weights (n,), got shape {w.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(f"x must have shape ({w.shape[0]},) or (k, {w.shape[0]}) for "
                         f"{w.shape[0]} weights, got {x.shape}")
    return x @ w  # sum_j w_j x_j, per row


def _as_output(bits):
    return int(bits) if np.ndim(bits) == 0 else bits


def perceptron(x, w, b):
    """Equation (2): output 1 if ``w . x + b > 0``, else 0, where the bias b = -threshold.

    ``x`` (n,) gives an int 0 or 1; rows ``x`` (k, n) give a (k,) int array."""
    return _as_output(step(_weighted_sum(x, w) + float(b)))


def perceptron_threshold(x, w, threshold):
    """Equation (1): output 1 if ``sum_j w_j x_j > threshold``, else 0 (equal: 0).

    The same as ``perceptron(x, w, -threshold)`` (equation (2), b = -threshold).
    ``x`` (n,) gives an int 0 or 1; rows ``x`` (k, n) give a (k,) int array."""
    return _as_output(np.where(_weighted_sum(x, w) > float(threshold), 1, 0)[()])


def sigmoid_neuron(x, w, b):
    """Equation (4): ``1 / (1 + exp(-sum_j w_j x_j - b))``, i.e. sigma(w . x + b) with the
    sigmoid of equation (3), without overflow for any |w . x + b|.

    ``x`` (n,) gives a float in (0, 1) (0 or 1 once it rounds there); rows give (k,)."""
    out = sigmoid(_weighted_sum(x, w) + float(b))
    return float(out) if np.ndim(out) == 0 else out


def feedforward_as_perceptrons(net, X):
    """The network's weights and biases read as perceptrons: layer by layer
    ``a = step(W a + b)`` (equation (2) for every neuron) instead of the sigmoid's
    ``a = sigma(W a + b)``.

    ``net``: a ``fastnet.Network`` or anything with ``weights`` [(y, x) arrays] and
    ``biases`` [(y, 1) arrays]. ``X``: rows (n, inputs) -> (n, n_out) int array of 0/1;
    a single input (inputs,) -> (n_out,). Computed in float64."""
    X = np.asarray(X, dtype=np.float64)
    single = X.ndim == 1
    a = X[None, :] if single else X
    weights, biases = list(net.weights), list(net.biases)
    if len(weights) != len(biases) or not weights:
        raise ValueError("net needs as many weight matrices as bias vectors (at least one)")
    if a.ndim != 2 or a.shape[1] != np.shape(weights[0])[1]:
        raise ValueError(f"X must have shape (n, {np.shape(weights[0])[1]}), got {X.shape}")
    for W, b in zip(weights, biases):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64).reshape(-1)
        a = step(a @ W.T + b)
    return a[0] if single else a


def predict_as_perceptrons(net, X):
    """The class of each row of X under ``feedforward_as_perceptrons``: the argmax of the
    0/1 outputs, ties (e.g. no output firing) going to the lowest index as ``np.argmax``
    does. (n,) int64 array."""
    outputs = feedforward_as_perceptrons(net, X)
    return np.argmax(np.atleast_2d(outputs), axis=1).astype(np.int64)
