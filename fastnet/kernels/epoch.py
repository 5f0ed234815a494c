"""Whole-run kernels: one training epoch, on one thread or several."""
from numba import njit, prange

from ..config import JIT_OPTIONS
from .backward import backprop_deltas
from .compiler.prefetch import prefetch_batches
from .compiler.sync import barrier
from .compiler.views import matrix
from .forward import forward, forward_after_first, half_sums, join_halves
from .layout import first_biases, first_weights, layer_rows
from .sparse import half_start, input_halves
from .update import apply_gradient, fold, part_range


@njit(**JIT_OPTIONS)
def update_slice(rows, indptr, indices, values, sizes, acts, deltas, row_starts, params, starts,
                 eta, average, l2, l1, momentum, velocity, part, n_parts, w_scale, lazy):
    """Slice ``part`` of ``n_parts`` of the step for the batch ``rows`` (as in
    train_epoch); returns the first layer's weight factor after it (``update.fold``)."""
    T = params.dtype.type
    scale = T(eta / rows.size) if average else T(eta)
    if lazy:
        w_scale *= T(1) - T(eta * l2)
    apply_gradient(rows, indptr, indices, values, sizes, acts, deltas, row_starts, params,
                   starts, scale, T(eta * l2), T(eta * l1), T(momentum), velocity, part, n_parts,
                   w_scale, lazy)
    return w_scale


@njit(**JIT_OPTIONS)
def train_epoch(indptr, indices, values, targets, order, batch_size, cost, codes,
                eta, average, l2, l1, momentum, dropout, seed, first_step_number,
                params, velocity, sizes, starts, acts, derivs, deltas, row_starts):
    """Mini-batch SGD over the examples ``order`` (n_used,) int64, in that order, cut
    into mini-batches of batch_size (the last one may be shorter); in place on params
    (and velocity, laid out like params, when momentum > 0).

    Inputs as sparse rows (``sparse.fill_sparse_rows``), targets (n, sizes[-1]). Each step
    subtracts eta/m times the batch's summed gradient (``average``, the original) or
    eta times it, with the regularisation rates l2 = lmbda/n and l1 (``update``).
    Dropout masks are keyed by (seed, first_step_number + batch index). acts, derivs,
    deltas are work buffers sized by the caller: nothing is allocated here.
    """
    T = params.dtype.type
    n = order.size
    lazy = momentum == 0 and l1 == 0 and l2 != 0  # the first layer's decay: update.fold
    w_scale = T(1)
    weights_t = first_weights(params, sizes, starts)
    for b, k in enumerate(range(0, n, batch_size)):
        rows = order[k : min(k + batch_size, n)]
        prefetch_batches(order, k, batch_size, indptr, indices, values, targets)
        forward(rows, indptr, indices, values, params, sizes, starts, codes, acts, derivs,
                row_starts, True, dropout, seed, first_step_number + b, w_scale)
        backprop_deltas(targets, rows, cost, params, sizes, starts, acts, derivs, deltas, row_starts,
                        0, rows.size)
        w_scale = update_slice(rows, indptr, indices, values, sizes, acts, deltas, row_starts,
                               params, starts, eta, average, l2, l1, momentum, velocity, 0, 1,
                               w_scale, lazy)
        if lazy and w_scale < 0.5:
            fold(weights_t, w_scale, 0, weights_t.shape[0])
            w_scale = T(1)
    if lazy:
        fold(weights_t, w_scale, 0, weights_t.shape[0])


@njit(parallel=True, **JIT_OPTIONS)
def train_epoch_threaded(indptr, indices, values, targets, order, batch_size, cost, codes,
                         eta, average, l2, l1, momentum, dropout, seed, first_step_number,
                         params, velocity, sizes, starts, acts, derivs, deltas, row_starts,
                         n_threads, state, lower):
    """``train_epoch`` on n_threads threads (the Numba thread count, >= 2), in ONE
    parallel region. Threads 0 and 1 each own one half of the first layer's input rows
    (``sparse.input_halves``); every thread owns a fixed slice of every later layer's
    neurons, and a fixed slice of every mini-batch's examples. Per mini-batch it updates
    its weights with the previous batch's deltas and sums its half of the inputs for
    every example of the batch (so W^0 never moves between cores); after a barrier,
    it joins the halves and runs the rest of the forward pass and the deltas of its
    examples; a second barrier, and the next batch. Every number is computed by the
    same operations in the same order as in ``train_epoch``, so the parameters are
    bit-identical to it for every thread count. state: int64 (sync.STATE_SIZE,) zeros;
    lower: (batch_size * first layer width,) for the lower half's sums (the upper half's
    go to layer 1's rows of derivs, unused until f'(z) is written there; layer 1's rows
    of acts still hold the previous batch's activations, which the update reads)."""
    T = params.dtype.type
    n = order.size
    weights_t, biases = first_weights(params, sizes, starts), first_biases(params, sizes, starts)
    lazy = momentum == 0 and l1 == 0 and l2 != 0  # the first layer's decay: update.fold
    for p in prange(n_threads):
        h_lo, h_hi = input_halves(p, n_threads)  # the half of the inputs it owns, or none
        k_lo, k_hi = half_start(sizes[0], h_lo), half_start(sizes[0], h_hi)
        previous = order[0:0]
        w_scale = T(1)  # the same sequence on every thread, as in train_epoch
        for b, k in enumerate(range(0, n, batch_size)):
            rows = order[k : min(k + batch_size, n)]
            lower_sums = matrix(lower, 0, rows.size, biases.size)
            if previous.size > 0:  # the previous step's update, this thread's slice
                w_scale = update_slice(previous, indptr, indices, values, sizes, acts, deltas,
                                       row_starts, params, starts, eta, average, l2, l1, momentum,
                                       velocity, p, n_threads, w_scale, lazy)
                if lazy and w_scale < 0.5:
                    fold(weights_t, w_scale, k_lo, k_hi)
                    w_scale = T(1)
            upper_sums = layer_rows(derivs, sizes, row_starts, 1, rows.size)
            if h_lo < h_hi:  # this thread's half of the inputs, for every example
                prefetch_batches(order, k, batch_size, indptr, indices, values, targets)
                half_sums(rows, indptr, indices, values, weights_t,
                          lower_sums if h_lo == 0 else upper_sums, h_lo)
            barrier(state, n_threads)  # both halves summed, every slice of W^l updated
            e_lo, e_hi = part_range(rows.size, p, n_threads, 1)  # this thread's examples
            z = layer_rows(acts, sizes, row_starts, 1, rows.size)
            for i in range(e_lo, e_hi):
                join_halves(lower_sums[i], upper_sums[i], biases, w_scale, z[i])
            forward_after_first(rows, params, sizes, starts, codes, acts, derivs, row_starts,
                                True, dropout, seed, first_step_number + b, e_lo, e_hi)
            backprop_deltas(targets, rows, cost, params, sizes, starts, acts, derivs, deltas,
                            row_starts, e_lo, e_hi)
            barrier(state, n_threads)  # the batch's deltas complete before any update
            previous = rows
        if previous.size > 0:
            w_scale = update_slice(previous, indptr, indices, values, sizes, acts, deltas,
                                   row_starts, params, starts, eta, average, l2, l1, momentum,
                                   velocity, p, n_threads, w_scale, lazy)
        if lazy:
            fold(weights_t, w_scale, k_lo, k_hi)
