"""Backpropagation: the output error and its propagation back (BP1, BP2)."""
from numba import njit

from ..config import JIT_OPTIONS, ORDERED_JIT_OPTIONS
from .compiler.views import flat
from .forward import forward, partial_sum
from .layout import layer_block, layer_weights
from .records import Dropout, Parameters, Rates
from .update import apply_gradient

# How the output error is computed: the quadratic cost (any output activation), or a
# cost whose delta is simply a - y (cross-entropy on sigmoid outputs, log-likelihood on
# a softmax output: the f'(z) factor cancels).
QUADRATIC, A_MINUS_Y = 0, 1


@njit(**ORDERED_JIT_OPTIONS)
def output_delta(a_out, derivs, targets, rows, n_out, cost, delta):
    """a_out, derivs, delta (m, width >= n_out); the target of example i is
    targets[rows[i]]. Columns beyond n_out are set to 0."""
    m, width = delta.shape
    T = delta.dtype.type
    for i in range(m):
        y = targets[rows[i]]
        for j in range(n_out):
            if cost == QUADRATIC:
                # BP1: delta^L = (a^L - y) * f'(z^L)
                delta[i, j] = (a_out[i, j] - y[j]) * derivs[i, j]
            else:
                # BP1 for cross-entropy (63) / log-likelihood: delta^L = a^L - y
                delta[i, j] = a_out[i, j] - y[j]
        for j in range(n_out, width):
            delta[i, j] = T(0)


@njit(**ORDERED_JIT_OPTIONS)
def hidden_delta(delta_next, weights_next, derivs, delta):
    """delta_next (m, >= n_next), weights_next (n_next, n), derivs and delta (m, width >= n):
    the first n columns of delta are computed, the rest set to 0."""
    n_next, n = weights_next.shape
    w = flat(weights_next)
    for i in range(delta.shape[0]):
        d, f = delta[i], derivs[i]
        # BP2: delta^l = ((W^{l+1})^T delta^{l+1}) * f'(z^l)
        partial_sum(None, delta_next[i, :n_next], w, n, d[:n])
        for k in range(n):
            d[k] *= f[k]
        d[n:] = 0


@njit(**JIT_OPTIONS)
def backprop_deltas(targets, rows, params, net, work, lo, hi):
    """BP1 then BP2 down to layer 1, for examples lo..hi of the batch ``rows`` whose
    forward pass is in work.acts/derivs: fills their rows of layers 1..L-1 of
    work.deltas, with the weights before any update. Each example is independent of
    the others."""
    sizes, row_starts = net.sizes, work.row_starts
    last = len(sizes) - 1
    output_delta(
        layer_block(work.acts, sizes, row_starts, last, lo, hi),
        layer_block(work.derivs, sizes, row_starts, last, lo, hi),
        targets, rows[lo:hi], sizes[last], net.cost,
        layer_block(work.deltas, sizes, row_starts, last, lo, hi),
    )
    for l in range(last - 1, 0, -1):
        hidden_delta(
            layer_block(work.deltas, sizes, row_starts, l + 1, lo, hi),
            layer_weights(params, sizes, net.starts, l),
            layer_block(work.derivs, sizes, row_starts, l, lo, hi),
            layer_block(work.deltas, sizes, row_starts, l, lo, hi),
        )


@njit(**JIT_OPTIONS)
def batch_gradient(rows, inputs, targets, params, net, work, grads):
    """The gradient of the cost summed over the examples rows (no dropout, no
    regularisation): grads (laid out like params) is overwritten."""
    forward(rows, inputs, params, net, work, Dropout(rate=0.0, seed=0, step=0), 1.0)
    backprop_deltas(targets, rows, params, net, work, 0, rows.size)
    grads[:] = 0
    T = grads.dtype.type
    # with scale -1 and nothing else, the "step" from 0 is the gradient itself (BP3, BP4)
    apply_gradient(rows, inputs, net, work, Parameters(params=grads, velocity=grads),
                   Rates(scale=T(-1), l2=T(0), l1=T(0), mu=T(0)))
