"""The seed's equations in batch form, float64 numpy: one function per equation, the
oracles each compiled kernel is tested against on its own (tests/kernels/). Rows are
examples, as in the kernels: a^l is (m, n_l), W^l is (n_{l+1}, n_l), b^l is (n_{l+1},).

Activations and the update steps are reference2's (``activate``, ``activation_prime``,
``plain_step``, ``momentum_step``); the rest is written here from the equations.
"""
import numpy as np

from .reference2 import activate, activation_prime, momentum_step, plain_step

QUADRATIC, A_MINUS_Y = "quadratic", "a-minus-y"


def weighted_input(a_in, w, b):
    """(25) before f: z^l = W^l a^{l-1} + b^l, for every row of a_in."""
    return np.asarray(a_in, np.float64) @ np.asarray(w, np.float64).T + np.asarray(b, np.float64)


def activation(name, z):
    """(25): a = f(z) row by row (softmax over each row's neurons)."""
    return activate(name, np.asarray(z, np.float64).T).T


def activation_derivative(name, z):
    """f'(z) of an elementwise activation, from z and a = f(z)."""
    z = np.asarray(z, np.float64)
    return activation_prime(name, z, activate(name, z))


def forward(X, weights, biases, names):
    """Every layer of the forward pass: lists (zs, activations, derivatives) for layers
    1..L-1 (the derivative is None for a softmax layer)."""
    a = np.asarray(X, np.float64)
    zs, activations, derivatives = [], [], []
    for w, b, name in zip(weights, biases, names):
        z = weighted_input(a, w, b)
        a = activation(name, z)
        zs.append(z)
        activations.append(a)
        derivatives.append(None if name == "softmax" else activation_derivative(name, z))
    return zs, activations, derivatives


def output_delta(a_out, derivative, y, cost):
    """BP1: delta^L = (a^L - y) * f'(z^L) for the quadratic cost; a^L - y for
    cross-entropy on sigmoid outputs and log-likelihood on softmax (f' cancels)."""
    error = np.asarray(a_out, np.float64) - np.asarray(y, np.float64)
    return error * np.asarray(derivative, np.float64) if cost == QUADRATIC else error


def hidden_delta(delta_next, w_next, derivative):
    """BP2: delta^l = ((W^{l+1})^T delta^{l+1}) * f'(z^l), for every row."""
    return (np.asarray(delta_next, np.float64) @ np.asarray(w_next, np.float64)) * derivative


def deltas(X, Y, weights, biases, names, cost):
    """BP1 then BP2 for every layer: (deltas, activations), each a list for layers 1..L-1."""
    _, activations, derivatives = forward(X, weights, biases, names)
    result = [output_delta(activations[-1], derivatives[-1], Y, cost)]
    for l in range(len(weights) - 2, -1, -1):
        result.insert(0, hidden_delta(result[0], weights[l + 1], derivatives[l]))
    return result, activations


def gradient(X, Y, weights, biases, names, cost):
    """The cost's gradient summed over the rows of X: (nabla_w, nabla_b) per layer, from
    BP3 (dC/db = delta) and BP4 (dC/dw_jk = a_k^{l-1} delta_j^l)."""
    layer_deltas, activations = deltas(X, Y, weights, biases, names, cost)
    inputs = [np.asarray(X, np.float64)] + activations[:-1]
    nabla_w = [d.T @ a for d, a in zip(layer_deltas, inputs)]  # BP4
    nabla_b = [d.sum(axis=0) for d in layer_deltas]  # BP3
    return nabla_w, nabla_b


def step(weights, biases, nabla_w, nabla_b, m, eta, l2=0.0, l1=0.0, mu=0.0, velocities=None):
    """(20), (21) with the options: every layer's new (weights, biases), and velocities
    (a list of (v_w, v_b), updated in place) when mu > 0. m: the mini-batch size the sum
    is divided by (1 for a summed step); l2 = lmbda/n, l1 = l1/n: the rates per step."""
    new_w, new_b = [], []
    for l, (w, b, nw, nb) in enumerate(zip(weights, biases, nabla_w, nabla_b)):
        if mu:
            v_w, v_b = velocities[l]
            w, b, v_w, v_b = momentum_step(w, b, v_w, v_b, nw, nb, m, eta, l2, 1, l1, mu)
            velocities[l] = (v_w, v_b)
        else:
            w, b = plain_step(w, b, nw, nb, m, eta, l2, 1, l1)
        new_w.append(w)
        new_b.append(b)
    return new_w, new_b


def sgd(weights, biases, X, Y, order, batch_size, eta, names, cost, average=True, l2=0.0,
        l1=0.0, mu=0.0, velocities=None):
    """Mini-batch gradient descent over the rows ``order`` of X, Y in that order, cut into
    mini-batches of batch_size (the last one shorter): the new (weights, biases)."""
    weights = [np.asarray(w, np.float64) for w in weights]
    biases = [np.asarray(b, np.float64) for b in biases]
    for k in range(0, len(order), batch_size):
        rows = order[k:k + batch_size]
        nabla_w, nabla_b = gradient(X[rows], Y[rows], weights, biases, names, cost)
        weights, biases = step(weights, biases, nabla_w, nabla_b, len(rows) if average else 1,
                               eta, l2, l1, mu, velocities)
    return weights, biases
