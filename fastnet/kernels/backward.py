"""Backpropagation: the output error and its propagation back (BP1, BP2)."""
from numba import njit

from .._config import JIT_OPTIONS
from .activations import sigmoid_prime_from_output
from .forward import forward
from .layout import layer_rows, layer_weights
from .update import apply_gradient


@njit(**JIT_OPTIONS)
def output_delta(a_out, targets, rows, delta):
    """Quadratic cost. a_out, delta (m, n_out); the target of example i is targets[rows[i]]."""
    m, n_out = a_out.shape
    for i in range(m):
        y = targets[rows[i]]
        for j in range(n_out):
            a = a_out[i, j]
            # BP1: delta^L = (a^L - y) * sigma'(z^L)
            delta[i, j] = (a - y[j]) * sigmoid_prime_from_output(a)


@njit(**JIT_OPTIONS)
def hidden_delta(delta_next, weights_next, a, delta):
    """delta_next (m, n_next), weights_next (n_next, n), a and delta (m, n)."""
    m, n = delta.shape
    for i in range(m):
        d = delta[i]
        d[:] = 0
        for j in range(weights_next.shape[0]):
            c = delta_next[i, j]
            w = weights_next[j]
            for k in range(n):
                d[k] += c * w[k]
        for k in range(n):
            # BP2: delta^l = ((W^{l+1})^T delta^{l+1}) * sigma'(z^l)
            d[k] *= sigmoid_prime_from_output(a[i, k])


@njit(**JIT_OPTIONS)
def backprop_deltas(targets, rows, params, sizes, starts, acts, deltas, row_starts, m):
    """BP1 then BP2 down to layer 1, for the m examples whose forward pass is in acts:
    fills layers 1..L-1 of deltas, using the weights as they are (before any update)."""
    last = len(sizes) - 1
    output_delta(
        layer_rows(acts, sizes, row_starts, last, m),
        targets,
        rows,
        layer_rows(deltas, sizes, row_starts, last, m),
    )
    for l in range(last - 1, 0, -1):
        hidden_delta(
            layer_rows(deltas, sizes, row_starts, l + 1, m),
            layer_weights(params, sizes, starts, l),
            layer_rows(acts, sizes, row_starts, l, m),
            layer_rows(deltas, sizes, row_starts, l, m),
        )


@njit(**JIT_OPTIONS)
def batch_gradient(a_in, targets, rows, params, sizes, starts, acts, deltas, row_starts, grads):
    """The gradient of the cost summed over the m examples of a_in (m, sizes[0]), whose
    targets are targets[rows]: grads (laid out like params) is overwritten."""
    m = a_in.shape[0]
    forward(a_in, params, sizes, starts, acts, row_starts)
    backprop_deltas(targets, rows, params, sizes, starts, acts, deltas, row_starts, m)
    grads[:] = 0
    apply_gradient(a_in, sizes, acts, deltas, row_starts, grads, starts, grads.dtype.type(-1))
