"""The gradient-descent update, written straight into the parameters (no gradient
buffer): BP3 and BP4 give the gradient, (20) and (21) subtract it."""
from numba import njit

from .._config import JIT_OPTIONS
from .layout import layer_biases, layer_rows, layer_weights

# Examples folded into one pass over a weight row. Measured on AVX2, [784, 30] layer,
# batch 10: 16 GMAC/s; padding the last short block with zero coefficients (one pass
# fewer) was slower (11), as were a row-sized gradient buffer (13) and 2 rows x 4
# examples (15).
EXAMPLES = 4


@njit(**JIT_OPTIONS)
def sgd_step(delta, a_in, weights, biases, scale):
    """weights -= scale * delta^T a_in, biases -= scale * sum_i delta_i, in place.
    delta (m, n_out), a_in (m, n_in), weights (n_out, n_in), biases (n_out,)."""
    T = weights.dtype.type
    m = a_in.shape[0]
    for j in range(weights.shape[0]):
        w = weights[j]
        gb = T(0)
        for i in range(m):
            gb += delta[i, j]  # BP3: dC/db_j = delta_j
        biases[j] -= scale * gb  # (21)
        i = 0
        while i + EXAMPLES <= m:
            c0, c1, c2, c3 = delta[i, j], delta[i + 1, j], delta[i + 2, j], delta[i + 3, j]
            x0, x1, x2, x3 = a_in[i], a_in[i + 1], a_in[i + 2], a_in[i + 3]
            for k in range(w.size):
                # BP4: dC/dw_jk = a_k delta_j; (20): w -> w - (eta/m) sum_x dC_x/dw
                w[k] -= scale * (c0 * x0[k] + c1 * x1[k] + c2 * x2[k] + c3 * x3[k])
            i += EXAMPLES
        if i + 2 <= m:  # a pair left over: one pass, not two
            c0, c1, x0, x1 = delta[i, j], delta[i + 1, j], a_in[i], a_in[i + 1]
            for k in range(w.size):
                w[k] -= scale * (c0 * x0[k] + c1 * x1[k])
            i += 2
        if i < m:
            c, x = scale * delta[i, j], a_in[i]
            for k in range(w.size):
                w[k] -= c * x[k]


@njit(**JIT_OPTIONS)
def apply_gradient(a_in, sizes, acts, deltas, row_starts, out, starts, scale):
    """``out -= scale * gradient`` for every layer, from the batch's activations and
    deltas (m = len(a_in) rows). ``out`` is the parameters for a training step
    (scale = eta/m), or a zeroed buffer with scale = -1 to read the gradient itself."""
    m = a_in.shape[0]
    for l in range(len(sizes) - 1):
        a_prev = a_in if l == 0 else layer_rows(acts, sizes, row_starts, l, m)
        sgd_step(
            layer_rows(deltas, sizes, row_starts, l + 1, m),
            a_prev,
            layer_weights(out, sizes, starts, l),
            layer_biases(out, sizes, starts, l),
            scale,
        )
