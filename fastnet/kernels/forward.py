"""The forward pass: weighted inputs, then activations, layer by layer."""
from numba import njit

from ..config import JIT_OPTIONS, ORDERED_JIT_OPTIONS
from .activations import activate
from .compiler.simd import fma, lanes, load, load_partial, splat, store, store_partial, total
from .compiler.views import flat
from .dropout import drop_neurons
from .layout import (
    first_biases,
    first_weights,
    layer_biases,
    layer_block,
    layer_rows,
    layer_weights,
)

# Register blocking: two weight rows against four examples per pass, so each loaded
# value feeds several multiply-adds and 8 independent sums hide the FMA latency.
ROWS, EXAMPLES = 2, 4


@njit(**ORDERED_JIT_OPTIONS)
def dot(w, x, n_in):
    """sum_k w[k] x[k] over k < n_in (w, x: at least n_in values), in one fixed order: lane
    by lane over whole vectors then a last masked one, then the lanes' ``total``."""
    n = lanes(w)
    s = splat(w, 0)
    k = 0
    while k + n <= n_in:
        s = fma(load(w, k), load(x, k), s)
        k += n
    if k < n_in:
        s = fma(load_partial(w, k, n_in - k), load_partial(x, k, n_in - k), s)
    return total(s)


@njit(**ORDERED_JIT_OPTIONS)
def dots_2x4(w0, w1, x0, x1, x2, x3, n_in):
    """The eight dot products of rows w0, w1 with x0..x3 over k < n_in, sharing every
    load; each in the order of ``dot``, so the same bits as ``dot`` gives it."""
    n = lanes(w0)
    s0 = s1 = s2 = s3 = t0 = t1 = t2 = t3 = splat(w0, 0)
    k = 0
    while k + n <= n_in:
        u, v = load(w0, k), load(w1, k)
        a, b, c, d = load(x0, k), load(x1, k), load(x2, k), load(x3, k)
        s0, s1, s2, s3 = fma(u, a, s0), fma(u, b, s1), fma(u, c, s2), fma(u, d, s3)
        t0, t1, t2, t3 = fma(v, a, t0), fma(v, b, t1), fma(v, c, t2), fma(v, d, t3)
        k += n
    if k < n_in:
        r = n_in - k
        u, v = load_partial(w0, k, r), load_partial(w1, k, r)
        a, b = load_partial(x0, k, r), load_partial(x1, k, r)
        c, d = load_partial(x2, k, r), load_partial(x3, k, r)
        s0, s1, s2, s3 = fma(u, a, s0), fma(u, b, s1), fma(u, c, s2), fma(u, d, s3)
        t0, t1, t2, t3 = fma(v, a, t0), fma(v, b, t1), fma(v, c, t2), fma(v, d, t3)
    return (total(s0), total(s1), total(s2), total(s3),
            total(t0), total(t1), total(t2), total(t3))


@njit(**ORDERED_JIT_OPTIONS)
def dense(a_in, weights, biases, z):
    """z = a_in W^T + b for one layer on a batch: a_in (m, >= n_in) (only the first n_in
    columns are read), weights (n_out, n_in), biases (n_out,), z (m, n_out) overwritten.
    Rows are examples. Every dot product is summed in the one order of ``dot`` (explicit
    vectors, no reassociation by the compiler), whether it is computed in a block of 2
    neurons x 4 examples (``dots_2x4``), a pair or a single example left over (the same
    block, repeated) or alone: each example's numbers do not depend on where the batch is
    cut, nor on which compiled copy of this kernel runs."""
    m = a_in.shape[0]
    n_out, n_in = weights.shape
    # (25): z^l = w^l a^{l-1} + b^l, on blocks of 2 neurons x 4 examples
    j = 0
    while j + ROWS <= n_out:
        w0, w1 = weights[j], weights[j + 1]
        b0, b1 = biases[j], biases[j + 1]
        i = 0
        while i + EXAMPLES <= m:
            s0, s1, s2, s3, t0, t1, t2, t3 = dots_2x4(
                w0, w1, a_in[i], a_in[i + 1], a_in[i + 2], a_in[i + 3], n_in)
            z[i, j], z[i, j + 1] = s0 + b0, t0 + b1
            z[i + 1, j], z[i + 1, j + 1] = s1 + b0, t1 + b1
            z[i + 2, j], z[i + 2, j + 1] = s2 + b0, t2 + b1
            z[i + 3, j], z[i + 3, j + 1] = s3 + b0, t3 + b1
            i += EXAMPLES
        if i + 2 <= m:  # a pair left over: one pass over the two rows, not two
            s0, s1, s2, s3, t0, t1, t2, t3 = dots_2x4(
                w0, w1, a_in[i], a_in[i + 1], a_in[i], a_in[i + 1], n_in)
            z[i, j], z[i, j + 1] = s0 + b0, t0 + b1
            z[i + 1, j], z[i + 1, j + 1] = s1 + b0, t1 + b1
            i += 2
        if i < m:  # one left over
            s0, s1, s2, s3, t0, t1, t2, t3 = dots_2x4(
                w0, w1, a_in[i], a_in[i], a_in[i], a_in[i], n_in)
            z[i, j], z[i, j + 1] = s0 + b0, t0 + b1
        j += ROWS
    for j in range(j, n_out):
        for i in range(m):
            z[i, j] = dot(weights[j], a_in[i], n_in) + biases[j]


@njit(**JIT_OPTIONS)
def first_index_at_least(indices, lo, hi, k):
    """The first t in [lo, hi) with indices[t] >= k (indices ascend there), else hi."""
    while lo < hi:
        mid = (lo + hi) // 2
        if indices[mid] < k:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(**ORDERED_JIT_OPTIONS)
def row_start(indices, t, width):
    """Where row indices[t] (row t when indices is None) of a flat (rows, width) array
    starts."""
    if indices is None:
        return t * width
    return indices[t] * width


@njit(**ORDERED_JIT_OPTIONS)
def sum_rows_8(indices, values, w, width, c, z):
    """``sum_rows_4`` for eight vectors."""
    n = lanes(w)
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = splat(w, 0)
    for t in range(values.size):
        x, row = splat(w, values[t]), row_start(indices, t, width) + c
        a0 = fma(x, load(w, row), a0)
        a1 = fma(x, load(w, row + n), a1)
        a2 = fma(x, load(w, row + 2 * n), a2)
        a3 = fma(x, load(w, row + 3 * n), a3)
        a4 = fma(x, load(w, row + 4 * n), a4)
        a5 = fma(x, load(w, row + 5 * n), a5)
        a6 = fma(x, load(w, row + 6 * n), a6)
        a7 = fma(x, load(w, row + 7 * n), a7)
    store_4(z, c, a0, a1, a2, a3)
    store_4(z, c + 4 * n, a4, a5, a6, a7)


@njit(inline="always", **ORDERED_JIT_OPTIONS)
def add_rows_4(indices, values, lo, hi, w, width, c, a0, a1, a2, a3):
    """(a0..a3) + sum over t in [lo, hi) of values[t] W[indices[t], c : c + 4 vectors]
    (row t when indices is None), in the order of t, with w = W flat (rows * width,):
    four vector sums kept in registers over all the rows."""
    n = lanes(w)
    for t in range(lo, hi):
        x, row = splat(w, values[t]), row_start(indices, t, width) + c
        # (25) for the first layer: z += x_k W^0[k, :] over the non-zero inputs k
        a0 = fma(x, load(w, row), a0)
        a1 = fma(x, load(w, row + n), a1)
        a2 = fma(x, load(w, row + 2 * n), a2)
        a3 = fma(x, load(w, row + 3 * n), a3)
    return a0, a1, a2, a3


@njit(inline="always", **ORDERED_JIT_OPTIONS)
def add_rows_2(indices, values, lo, hi, w, width, c, a0, a1):
    """``add_rows_4`` for two vectors."""
    n = lanes(w)
    for t in range(lo, hi):
        x, row = splat(w, values[t]), row_start(indices, t, width) + c
        a0 = fma(x, load(w, row), a0)
        a1 = fma(x, load(w, row + n), a1)
    return a0, a1


@njit(inline="always", **ORDERED_JIT_OPTIONS)
def add_rows_1(indices, values, lo, hi, w, width, c, a0):
    """``add_rows_4`` for one vector."""
    for t in range(lo, hi):
        a0 = fma(splat(w, values[t]), load(w, row_start(indices, t, width) + c), a0)
    return a0


@njit(inline="always", **ORDERED_JIT_OPTIONS)
def store_4(z, c, a0, a1, a2, a3):
    """z[c : c + 4 vectors] = a0, a1, a2, a3."""
    n = lanes(z)
    store(z, c, a0)
    store(z, c + n, a1)
    store(z, c + 2 * n, a2)
    store(z, c + 3 * n, a3)


@njit(**ORDERED_JIT_OPTIONS)
def sum_rows_4(indices, values, w, width, c, z):
    """z[c : c + 4 vectors] = sum_t values[t] W[indices[t], c : c + 4 vectors] (row t when
    indices is None), with w = W flat (rows * width,) (``add_rows_4``)."""
    zero = splat(w, 0)
    a0, a1, a2, a3 = add_rows_4(indices, values, 0, values.size, w, width, c, zero, zero, zero, zero)
    store_4(z, c, a0, a1, a2, a3)


@njit(**ORDERED_JIT_OPTIONS)
def sum_rows_2(indices, values, w, width, c, z):
    """``sum_rows_4`` for two vectors."""
    zero = splat(w, 0)
    a0, a1 = add_rows_2(indices, values, 0, values.size, w, width, c, zero, zero)
    store(z, c, a0)
    store(z, c + lanes(w), a1)


@njit(**ORDERED_JIT_OPTIONS)
def sum_rows_1(indices, values, w, width, c, z):
    """``sum_rows_4`` for one vector."""
    store(z, c, add_rows_1(indices, values, 0, values.size, w, width, c, splat(w, 0)))


@njit(**ORDERED_JIT_OPTIONS)
def partial_sum(indices, values, w, width, z):
    """z = sum_t values[t] W[indices[t], :], in the order of t: the first layer's sum
    over the given non-zero inputs (W = W^0 transposed). With indices None, row t for
    every t: z = W^T values. W (rows, width) is given flat, as w (rows * width,)
    (``views.flat``, taken once by the caller, not per example); z (width,), contiguous.
    Summed 8, 4, 2, then 1 vector at a time (W^0's padded rows are a whole number of
    vectors), then a masked vector for what is left. The blocks stay written out one
    per width: a block's sums live in registers only as named variables, and narrower
    blocks alone (4 + 4 for 8, the same bits) read the inputs more often, a slower epoch."""
    n = lanes(z)
    c = 0
    while c + 8 * n <= width:
        sum_rows_8(indices, values, w, width, c, z)
        c += 8 * n
    if c + 4 * n <= width:
        sum_rows_4(indices, values, w, width, c, z)
        c += 4 * n
    if c + 2 * n <= width:
        sum_rows_2(indices, values, w, width, c, z)
        c += 2 * n
    if c + n <= width:
        sum_rows_1(indices, values, w, width, c, z)
        c += n
    if c < width:
        sum_rows_partial(indices, values, w, width, c, z)


@njit(inline="always", **ORDERED_JIT_OPTIONS)
def both_rows(ia, va, ib, vb, t, w, width, c):
    """Step t of two sums (``pair_rows_4``): each one's input value as a vector, and
    where its block of row ia[t] / ib[t] starts in w."""
    return splat(w, va[t]), ia[t] * width + c, splat(w, vb[t]), ib[t] * width + c


@njit(**ORDERED_JIT_OPTIONS)
def pair_rows_4(ia, va, ib, vb, w, width, c, za, zb):
    """``sum_rows_4`` for two sums at once, over the rows (ia, va) into za and (ib, vb)
    into zb: 8 independent chains of multiply-adds instead of 4 while both have rows
    left, then the longer one alone (``add_rows_4``); each sum's operations and order
    are its own."""
    n = lanes(w)
    a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = splat(w, 0)
    both = min(va.size, vb.size)
    for t in range(both):
        x, row, y, other = both_rows(ia, va, ib, vb, t, w, width, c)
        a0, b0 = fma(x, load(w, row), a0), fma(y, load(w, other), b0)
        a1, b1 = fma(x, load(w, row + n), a1), fma(y, load(w, other + n), b1)
        a2, b2 = fma(x, load(w, row + 2 * n), a2), fma(y, load(w, other + 2 * n), b2)
        a3, b3 = fma(x, load(w, row + 3 * n), a3), fma(y, load(w, other + 3 * n), b3)
    a0, a1, a2, a3 = add_rows_4(ia, va, both, va.size, w, width, c, a0, a1, a2, a3)
    b0, b1, b2, b3 = add_rows_4(ib, vb, both, vb.size, w, width, c, b0, b1, b2, b3)
    store_4(za, c, a0, a1, a2, a3)
    store_4(zb, c, b0, b1, b2, b3)


@njit(**ORDERED_JIT_OPTIONS)
def pair_rows_2(ia, va, ib, vb, w, width, c, za, zb):
    """``pair_rows_4`` for two vectors."""
    n = lanes(w)
    a0 = a1 = b0 = b1 = splat(w, 0)
    both = min(va.size, vb.size)
    for t in range(both):
        x, row, y, other = both_rows(ia, va, ib, vb, t, w, width, c)
        a0, b0 = fma(x, load(w, row), a0), fma(y, load(w, other), b0)
        a1, b1 = fma(x, load(w, row + n), a1), fma(y, load(w, other + n), b1)
    a0, a1 = add_rows_2(ia, va, both, va.size, w, width, c, a0, a1)
    b0, b1 = add_rows_2(ib, vb, both, vb.size, w, width, c, b0, b1)
    store(za, c, a0)
    store(za, c + n, a1)
    store(zb, c, b0)
    store(zb, c + n, b1)


@njit(**ORDERED_JIT_OPTIONS)
def pair_rows_1(ia, va, ib, vb, w, width, c, za, zb):
    """``pair_rows_4`` for one vector."""
    a0 = b0 = splat(w, 0)
    both = min(va.size, vb.size)
    for t in range(both):
        a0 = fma(splat(w, va[t]), load(w, ia[t] * width + c), a0)
        b0 = fma(splat(w, vb[t]), load(w, ib[t] * width + c), b0)
    store(za, c, add_rows_1(ia, va, both, va.size, w, width, c, a0))
    store(zb, c, add_rows_1(ib, vb, both, vb.size, w, width, c, b0))


@njit(**ORDERED_JIT_OPTIONS)
def partial_sums_pair(ia, va, za, ib, vb, zb, w, width):
    """``partial_sum`` of two independent sums (za from the rows ia, va; zb from ib, vb)
    over the same W, with the same operations in the same order for each, so the same
    bits: interleaved where a block has at most 4 vectors (``pair_rows_4``), so that the
    multiply-adds of one wait less on the previous ones; the 8-vector blocks, which
    already keep 8 chains, and the columns past the last whole vector (a masked vector),
    one sum after the other."""
    n = lanes(w)
    c = 0
    while c + 8 * n <= width:
        sum_rows_8(ia, va, w, width, c, za)
        sum_rows_8(ib, vb, w, width, c, zb)
        c += 8 * n
    if c + 4 * n <= width:
        pair_rows_4(ia, va, ib, vb, w, width, c, za, zb)
        c += 4 * n
    if c + 2 * n <= width:
        pair_rows_2(ia, va, ib, vb, w, width, c, za, zb)
        c += 2 * n
    if c + n <= width:
        pair_rows_1(ia, va, ib, vb, w, width, c, za, zb)
        c += n
    if c < width:
        sum_rows_partial(ia, va, w, width, c, za)
        sum_rows_partial(ib, vb, w, width, c, zb)


@njit(**ORDERED_JIT_OPTIONS)
def sum_rows_partial(indices, values, w, width, c, z):
    """z[c:width] = sum_t values[t] W[indices[t], c:width] (row t when indices is None), for
    the fewer than a vector's columns ``partial_sum`` leaves past its last whole vector:
    ``sum_rows_1`` with masked loads and a masked store."""
    left = width - c
    a = splat(w, 0)
    for t in range(values.size):
        a = fma(splat(w, values[t]), load_partial(w, row_start(indices, t, width) + c, left), a)
    store_partial(z, c, left, a)


@njit(**ORDERED_JIT_OPTIONS)
def join_halves(lower, upper, biases, w_scale, z):
    """z = w_scale * (lower + upper) + b: the weighted inputs from the sums over the
    lower and the upper half of the inputs (z may be upper itself). w_scale: the factor
    the stored weights carry during L2 decay (``update.fold``), or 1."""
    for c in range(z.size):
        z[c] = w_scale * (lower[c] + upper[c]) + biases[c]  # (25): z = W^0 x + b


@njit(**JIT_OPTIONS)
def weighted_input(indices, values, split, w, width, biases, z, lower, w_scale):
    """One example's first-layer weighted inputs z (width,) from its non-zero inputs
    (values at input numbers indices, ascending; the first ``split`` in the lower half
    of the inputs): (25), z = W^0 x + b, summed by halves (``sparse.input_halves``).
    w: W^0 transposed, flat (``partial_sum``); lower (width,) is scratch."""
    partial_sums_pair(indices[:split], values[:split], lower, indices[split:], values[split:], z,
                      w, width)
    join_halves(lower, z, biases, w_scale, z)


@njit(**JIT_OPTIONS)
def first_layer(rows, inputs, weights_t, biases, z, lower, w_scale):
    """z[i] = the first layer's weighted inputs (``weighted_input``) of example rows[i]
    of the sparse inputs (``records.SparseRows``: two rows per example); lower (m, width)
    is scratch."""
    indptr, indices, values = inputs.indptr, inputs.indices, inputs.values
    w, width = flat(weights_t), weights_t.shape[1]
    for i in range(rows.size):
        t, middle, stop = indptr[2 * rows[i]], indptr[2 * rows[i] + 1], indptr[2 * rows[i] + 2]
        weighted_input(indices[t:stop], values[t:stop], middle - t, w, width, biases, z[i],
                       lower[i], w_scale)


@njit(**JIT_OPTIONS)
def half_sums(rows, inputs, weights_t, sums, half):
    """sums[i] = ``partial_sum`` over the non-zero inputs of example rows[i] in one
    half (0: lower, 1: upper) of the inputs: one thread's share of ``first_layer``.
    Two examples at a time (``partial_sums_pair``: the same bits as one by one)."""
    indptr, indices, values = inputs.indptr, inputs.indices, inputs.values
    w, width = flat(weights_t), weights_t.shape[1]
    m = rows.size
    for i in range(0, m - 1, 2):
        t, stop = indptr[2 * rows[i] + half], indptr[2 * rows[i] + half + 1]
        u, end = indptr[2 * rows[i + 1] + half], indptr[2 * rows[i + 1] + half + 1]
        partial_sums_pair(indices[t:stop], values[t:stop], sums[i], indices[u:end],
                          values[u:end], sums[i + 1], w, width)
    if m % 2:
        t, stop = indptr[2 * rows[m - 1] + half], indptr[2 * rows[m - 1] + half + 1]
        partial_sum(indices[t:stop], values[t:stop], w, width, sums[m - 1])


@njit(**JIT_OPTIONS)
def forward(rows, inputs, params, net, work, dropout, w_scale):
    """The training forward pass of the examples rows (m,) of the sparse inputs
    (``records``: SparseRows, Architecture, Buffers, Dropout): fills layers 1..L-1 of
    work.acts with the activations and of work.derivs with f'(z). With dropout.rate > 0,
    hidden neurons are dropped (``dropout.drop_neurons``). w_scale: the factor the stored
    first-layer weights carry (``update.fold``), 1 without L2's lazy decay."""
    sizes, row_starts = net.sizes, work.row_starts
    z = layer_rows(work.acts, sizes, row_starts, 1, rows.size)
    lower = layer_rows(work.derivs, sizes, row_starts, 1, rows.size)  # free until f'(z) goes there
    first_layer(rows, inputs, first_weights(params, sizes, net.starts),
                first_biases(params, sizes, net.starts), z, lower, params.dtype.type(w_scale))
    forward_after_first(rows, params, net, work, True, dropout, 0, rows.size)


@njit(**JIT_OPTIONS)
def forward_after_first(rows, params, net, work, train, dropout, lo, hi):
    """``forward`` for examples lo..hi of the batch ``rows`` once their first-layer
    weighted inputs are in work.acts: its activation, then every later layer; f'(z)
    into work.derivs and dropout only when ``train``. (Every example gets the same
    operations whatever block it is in, so threads may split a batch anywhere:
    ``dense`` computes each through ``dots_2x4``.)"""
    sizes, starts, row_starts = net.sizes, net.starts, work.row_starts
    last = len(sizes) - 1
    for l in range(1, last + 1):
        a = layer_block(work.acts, sizes, row_starts, l, lo, hi)
        if l > 1:
            dense(layer_block(work.acts, sizes, row_starts, l - 1, lo, hi),
                  layer_weights(params, sizes, starts, l - 1),
                  layer_biases(params, sizes, starts, l - 1), a)
        d = layer_block(work.derivs, sizes, row_starts, l, lo, hi)
        activate(a, sizes[l], net.codes[l - 1], d, train)  # (25): a^l = f(z^l)
        if train and dropout.rate > 0 and l < last:
            drop_neurons(a, d, sizes[l], dropout, rows[lo:hi], l)
