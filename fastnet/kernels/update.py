"""The gradient-descent update, written straight into the parameters (no gradient
buffer): BP3 and BP4 give the gradient, (20) and (21) subtract it.

With regularisation and momentum (rates already multiplied by eta: l2 = eta*lmbda/n,
l1 = eta*l1/n, scale = eta/m or eta):
  no momentum: w <- w - l2 w - l1 sign(w) - scale sum_x dC_x/dw   (the book's (93))
  momentum mu: v <- mu v - l2 w - l1 sign(w) - scale sum_x dC_x/dw;  w <- w + v
Biases are never regularised: b <- b - scale sum_x delta_x, or through their velocity.
"""
import numpy as np
from numba import njit

from ..config import ORDERED_JIT_OPTIONS
from .compiler.simd import fma, lanes, load, splat, store
from .compiler.views import flat
from .layout import first_biases, first_weights, layer_biases, layer_rows, layer_weights
from .records import Rates
from .sparse import half_start, input_halves

# Examples folded into one pass over a weight row: each weight is loaded and stored
# once per 4 examples' multiply-adds.
EXAMPLES = 4


@njit(**ORDERED_JIT_OPTIONS)
def subtract_outer(target, delta_column, a_in, scale):
    """target (n,) -= scale * sum_i delta_column[i] * a_in[i, :n] (BP4 for one neuron)."""
    m = a_in.shape[0]
    n = target.size
    i = 0
    while i + EXAMPLES <= m:
        c0, c1, c2, c3 = delta_column[i], delta_column[i + 1], delta_column[i + 2], delta_column[i + 3]
        x0, x1, x2, x3 = a_in[i], a_in[i + 1], a_in[i + 2], a_in[i + 3]
        for k in range(n):
            # BP4: dC/dw_jk = a_k delta_j; (20): w -> w - (eta/m) sum_x dC_x/dw
            target[k] -= scale * (c0 * x0[k] + c1 * x1[k] + c2 * x2[k] + c3 * x3[k])
        i += EXAMPLES
    if i + 2 <= m:  # a pair left over: one pass, not two
        c0, c1, x0, x1 = delta_column[i], delta_column[i + 1], a_in[i], a_in[i + 1]
        for k in range(n):
            target[k] -= scale * (c0 * x0[k] + c1 * x1[k])
        i += 2
    if i < m:
        c, x = scale * delta_column[i], a_in[i]
        for k in range(n):
            target[k] -= c * x[k]


@njit(**ORDERED_JIT_OPTIONS)
def decay(w, l2, l1, lo, hi):
    """w -= l2 w + l1 sign(w) on [lo, hi): the regularisation part of a step (93)."""
    if l1 == 0:  # the common case, kept free of sign() so that it vectorises
        for k in range(np.uint64(lo), np.uint64(hi)):
            w[k] -= l2 * w[k]  # L2, (93): w -> (1 - eta lmbda/n) w
    else:
        for k in range(np.uint64(lo), np.uint64(hi)):
            w[k] -= l2 * w[k] + l1 * np.sign(w[k])  # and L1: - (eta l1/n) sgn(w)


@njit(**ORDERED_JIT_OPTIONS)
def decay_velocity(w, v, mu, l2, l1, lo, hi):
    """v = mu v - l2 w - l1 sign(w) on [lo, hi): momentum's regularised start of a step."""
    if l1 == 0:
        for k in range(np.uint64(lo), np.uint64(hi)):
            v[k] = mu * v[k] - l2 * w[k]  # momentum: v -> mu v - eta (lmbda/n) w - ...
    else:
        for k in range(np.uint64(lo), np.uint64(hi)):
            v[k] = mu * v[k] - (l2 * w[k] + l1 * np.sign(w[k]))


@njit(**ORDERED_JIT_OPTIONS)
def part_range(n, part, n_parts, multiple):
    """The ``part``-th of ``n_parts`` contiguous slices of range(n), boundaries at
    multiples of ``multiple`` (the last slice takes the rest)."""
    blocks = (n + multiple - 1) // multiple
    lo = min(n, blocks * part // n_parts * multiple)
    hi = n if part == n_parts - 1 else min(n, blocks * (part + 1) // n_parts * multiple)
    return lo, hi


@njit(**ORDERED_JIT_OPTIONS)
def step_biases(biases, velocity, delta, rates, j_lo, j_hi):
    """Biases j_lo:j_hi of a layer (never regularised), from delta (m, >= j_hi) and the
    rates' scale and mu (``records.Rates``)."""
    T = biases.dtype.type
    scale, mu = rates.scale, rates.mu
    for j in range(j_lo, j_hi):
        g = T(0)
        for i in range(delta.shape[0]):
            g += delta[i, j]  # BP3: dC/db_j = delta_j, summed over the batch
        if mu == 0:
            biases[j] -= scale * g  # (21): b -> b - (eta/m) sum_x delta_x
        else:
            velocity[j] = mu * velocity[j] - scale * g  # v -> mu v - (eta/m) sum_x delta_x
            biases[j] += velocity[j]


@njit(**ORDERED_JIT_OPTIONS)
def dense_step(out, net, l, delta, a_in, rates, j_lo, j_hi):
    """One step for neurons j_lo:j_hi of the row-major layer W^l, b^l (l >= 1) of
    out.params (and of out.velocity, laid out alike, when rates.mu != 0): delta
    (m, n_out), a_in (m, >= n_in). Each neuron's row is updated by the same operations
    whatever range it is in."""
    sizes, starts = net.sizes, net.starts
    weights = layer_weights(out.params, sizes, starts, l)
    biases = layer_biases(out.params, sizes, starts, l)
    velocity_w = layer_weights(out.velocity, sizes, starts, l)
    velocity_b = layer_biases(out.velocity, sizes, starts, l)
    scale, l2, l1, mu = rates.scale, rates.l2, rates.l1, rates.mu
    regularised = l2 != 0 or l1 != 0
    step_biases(biases, velocity_b, delta, rates, j_lo, j_hi)
    for j in range(j_lo, j_hi):
        w = weights[j]
        if mu == 0:
            if regularised:
                decay(w, l2, l1, 0, w.size)
            subtract_outer(w, delta[:, j], a_in, scale)
        else:
            v = velocity_w[j]
            decay_velocity(w, v, mu, l2, l1, 0, w.size)
            subtract_outer(v, delta[:, j], a_in, scale)
            for k in range(w.size):
                w[k] += v[k]  # momentum: w -> w + v


@njit(**ORDERED_JIT_OPTIONS)
def subtract_rows_8(indices, values, scale, d, w, width, c):
    """``subtract_rows_4`` for eight vectors."""
    n = lanes(w)
    d0, d1, d2, d3 = load(d, c), load(d, c + n), load(d, c + 2 * n), load(d, c + 3 * n)
    d4, d5, d6, d7 = load(d, c + 4 * n), load(d, c + 5 * n), load(d, c + 6 * n), load(d, c + 7 * n)
    for t in range(indices.size):
        x, row = splat(w, -(scale * values[t])), indices[t] * width + c
        store(w, row, fma(x, d0, load(w, row)))
        store(w, row + n, fma(x, d1, load(w, row + n)))
        store(w, row + 2 * n, fma(x, d2, load(w, row + 2 * n)))
        store(w, row + 3 * n, fma(x, d3, load(w, row + 3 * n)))
        store(w, row + 4 * n, fma(x, d4, load(w, row + 4 * n)))
        store(w, row + 5 * n, fma(x, d5, load(w, row + 5 * n)))
        store(w, row + 6 * n, fma(x, d6, load(w, row + 6 * n)))
        store(w, row + 7 * n, fma(x, d7, load(w, row + 7 * n)))


@njit(**ORDERED_JIT_OPTIONS)
def subtract_rows_4(indices, values, scale, d, w, width, c):
    """W^0[indices[t], c : c + 4 vectors] -= scale * values[t] * d[c : c + 4 vectors] for
    every t (distinct rows), with w = W^0 flat (n_in * width,): d's block stays in
    registers for all the rows."""
    n = lanes(w)
    d0, d1, d2, d3 = load(d, c), load(d, c + n), load(d, c + 2 * n), load(d, c + 3 * n)
    for t in range(indices.size):
        # BP4: dC/dw_jk = x_k delta_j; (20): w -> w - (eta/m) sum_x dC_x/dw
        x, row = splat(w, -(scale * values[t])), indices[t] * width + c
        store(w, row, fma(x, d0, load(w, row)))
        store(w, row + n, fma(x, d1, load(w, row + n)))
        store(w, row + 2 * n, fma(x, d2, load(w, row + 2 * n)))
        store(w, row + 3 * n, fma(x, d3, load(w, row + 3 * n)))


@njit(**ORDERED_JIT_OPTIONS)
def subtract_rows_2(indices, values, scale, d, w, width, c):
    """``subtract_rows_4`` for two vectors."""
    n = lanes(w)
    d0, d1 = load(d, c), load(d, c + n)
    for t in range(indices.size):
        x, row = splat(w, -(scale * values[t])), indices[t] * width + c
        store(w, row, fma(x, d0, load(w, row)))
        store(w, row + n, fma(x, d1, load(w, row + n)))


@njit(**ORDERED_JIT_OPTIONS)
def subtract_rows_1(indices, values, scale, d, w, width, c):
    """``subtract_rows_4`` for one vector."""
    d0 = load(d, c)
    for t in range(indices.size):
        row = indices[t] * width + c
        store(w, row, fma(splat(w, -(scale * values[t])), d0, load(w, row)))


@njit(**ORDERED_JIT_OPTIONS)
def subtract_sparse_outer(rows, inputs, delta, target_t, scale, h_lo, h_hi):
    """target_t -= scale * x^T delta over the non-zero inputs in halves [h_lo, h_hi) of
    the inputs (``sparse.input_halves``): row k of W^0 changes only where input k of
    some example is non-zero (BP4). target_t (n_in, width), delta (m, width). Every row
    gets the same operations, in example order, whatever thread updates it; 8, 4, 2,
    then 1 vector of a row at a time (W^0's padded width is a whole number of vectors),
    then column by column for what is left; the blocks stay written out one per width,
    as ``forward.partial_sum``'s."""
    indptr, indices, values = inputs.indptr, inputs.indices, inputs.values
    width = target_t.shape[1]
    w = flat(target_t)
    n = lanes(w)
    for i in range(rows.size):
        t, stop = indptr[2 * rows[i] + h_lo], indptr[2 * rows[i] + h_hi]
        k, v, d = indices[t:stop], values[t:stop], delta[i]
        c = 0
        while c + 8 * n <= width:
            subtract_rows_8(k, v, scale, d, w, width, c)
            c += 8 * n
        if c + 4 * n <= width:
            subtract_rows_4(k, v, scale, d, w, width, c)
            c += 4 * n
        if c + 2 * n <= width:
            subtract_rows_2(k, v, scale, d, w, width, c)
            c += 2 * n
        if c + n <= width:
            subtract_rows_1(k, v, scale, d, w, width, c)
            c += n
        if c < width:  # columns past the last whole vector (none for W^0)
            for t in range(k.size):
                x, row = scale * v[t], k[t] * width
                for col in range(c, width):
                    w[row + col] -= x * d[col]


@njit(**ORDERED_JIT_OPTIONS)
def first_step(out, net, rows, inputs, delta, rates, h_lo, h_hi, with_biases, w_scale):
    """One step for the input rows in halves [h_lo, h_hi) of the transposed first layer
    (layout.first_weights) of out.params (and out.velocity when rates.mu != 0), and its
    biases when ``with_biases``: delta (m, width) with zero padding. w_scale: the factor
    the stored weights carry (``fold``; 1 with momentum)."""
    sizes, starts = net.sizes, net.starts
    weights_t = first_weights(out.params, sizes, starts)
    velocity_t = first_weights(out.velocity, sizes, starts)
    scale, l2, l1, mu = rates.scale, rates.l2, rates.l1, rates.mu
    if with_biases:
        biases = first_biases(out.params, sizes, starts)
        step_biases(biases, first_biases(out.velocity, sizes, starts), delta, rates, 0, biases.size)
    n_in, width = weights_t.shape
    lo, hi = half_start(n_in, h_lo) * width, half_start(n_in, h_hi) * width  # in the flat views
    w_flat = flat(weights_t)
    v_flat = flat(velocity_t)
    if mu == 0:
        if l2 != 0 or l1 != 0:
            decay(w_flat, l2, l1, lo, hi)
        subtract_sparse_outer(rows, inputs, delta, weights_t, scale / w_scale, h_lo, h_hi)
    else:
        decay_velocity(w_flat, v_flat, mu, l2, l1, lo, hi)
        subtract_sparse_outer(rows, inputs, delta, velocity_t, scale, h_lo, h_hi)
        for c in range(np.uint64(lo), np.uint64(hi)):
            w_flat[c] += v_flat[c]  # momentum: w -> w + v


@njit(**ORDERED_JIT_OPTIONS)
def fold(weights_t, w_scale, k_lo, k_hi):
    """weights_t[k_lo:k_hi] *= w_scale: the first layer's weights as they are.

    L2 decay without momentum or L1 multiplies every first-layer weight by (1 - l2) at
    every step; instead of a pass over all of W^0 per step, the stored weights W' carry
    a factor s (true W^0 = s W'): a step sets s <- s (1 - l2) and W' -= g / s on the
    non-zero inputs' rows only, and the factor is folded back here, at the end of a
    call or when s falls below 1/2 (so that W' stays well scaled)."""
    w_flat = flat(weights_t)
    for c in range(np.uint64(k_lo * weights_t.shape[1]), np.uint64(k_hi * weights_t.shape[1])):
        w_flat[c] *= w_scale


@njit(**ORDERED_JIT_OPTIONS)
def apply_gradient(rows, inputs, net, work, out, rates, part=0, n_parts=1, w_scale=1.0,
                   lazy_decay=False):
    """One step on out.params (``records.Parameters``) for every layer, from the batch's
    activations and deltas in work (``records.Buffers``): a training step, or, on a
    zeroed buffer with Rates(scale=-1, 0, 0, 0), the summed gradient itself. ``part`` of
    ``n_parts``: only that slice of every layer's neurons (the first layer's: its half
    of the input rows, ``sparse.input_halves``), for threads to share a step.
    lazy_decay: the first layer's L2 decay is carried by w_scale (``fold``), already
    applied to it by the caller."""
    sizes, row_starts = net.sizes, work.row_starts
    m = rows.size
    delta = layer_rows(work.deltas, sizes, row_starts, 1, m)
    h_lo, h_hi = input_halves(part, n_parts)
    T = out.params.dtype.type
    first_rates = Rates(scale=rates.scale, l2=T(0) if lazy_decay else rates.l2, l1=rates.l1,
                        mu=rates.mu)
    first_step(out, net, rows, inputs, delta, first_rates, h_lo, h_hi, part == 0, T(w_scale))
    for l in range(1, len(sizes) - 1):
        j_lo, j_hi = part_range(sizes[l + 1], part, n_parts, 1)
        dense_step(out, net, l, layer_rows(work.deltas, sizes, row_starts, l + 1, m),
                   layer_rows(work.acts, sizes, row_starts, l, m), rates, j_lo, j_hi)
