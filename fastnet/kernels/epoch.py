"""Whole-run kernels: one training epoch, on one thread or several."""
from numba import njit, prange

from ..config import JIT_OPTIONS
from .backward import backprop_deltas
from .compiler.prefetch import prefetch_batches
from .compiler.sync import barrier
from .compiler.views import matrix
from .forward import forward, forward_after_first, half_sums, join_halves
from .layout import first_biases, first_weights, layer_rows
from .records import Dropout, Rates
from .sparse import half_start, input_halves
from .update import apply_gradient, fold, part_range


@njit(**JIT_OPTIONS)
def update_slice(rows, inputs, net, hyper, trained, work, part, n_parts, w_scale, lazy):
    """Slice ``part`` of ``n_parts`` of the step for the batch ``rows`` (as in
    train_epoch); returns the first layer's weight factor after it (``update.fold``)."""
    T = trained.params.dtype.type
    eta = hyper.eta
    scale = T(eta / rows.size) if hyper.average else T(eta)  # (20): eta/m, or eta
    if lazy:
        w_scale *= T(1) - T(eta * hyper.l2)
    rates = Rates(scale=scale, l2=T(eta * hyper.l2), l1=T(eta * hyper.l1), mu=T(hyper.momentum))
    apply_gradient(rows, inputs, net, work, trained, rates, part, n_parts, w_scale, lazy)
    return w_scale


@njit(**JIT_OPTIONS)
def train_epoch(inputs, targets, order, net, hyper, trained, work):
    """Mini-batch SGD over the examples ``order`` (n_used,) int64, in that order, cut
    into mini-batches of hyper.batch_size (the last one may be shorter); in place on
    trained.params (and trained.velocity when hyper.momentum > 0). The records:
    ``records.SparseRows`` inputs, ``Architecture`` net, ``HyperParameters`` hyper,
    ``Parameters`` trained, ``Buffers`` work; targets (n, sizes[-1]).

    Each step subtracts eta/m times the batch's summed gradient (``hyper.average``, the
    original) or eta times it, with the regularisation rates l2 = lmbda/n and l1
    (``update``). Dropout masks are keyed by (seed, first_step + batch index). Nothing
    is allocated here."""
    T = trained.params.dtype.type
    n, batch_size = order.size, hyper.batch_size
    # the first layer's L2 decay is carried by a factor (update.fold)
    lazy = hyper.momentum == 0 and hyper.l1 == 0 and hyper.l2 != 0
    w_scale = T(1)
    weights_t = first_weights(trained.params, net.sizes, net.starts)
    for b, k in enumerate(range(0, n, batch_size)):
        rows = order[k : min(k + batch_size, n)]
        prefetch_batches(order, k, batch_size, inputs, targets)
        dropout = Dropout(rate=hyper.dropout, seed=hyper.seed, step=hyper.first_step + b)
        forward(rows, inputs, trained.params, net, work, dropout, w_scale)
        backprop_deltas(targets, rows, trained.params, net, work, 0, rows.size)
        w_scale = update_slice(rows, inputs, net, hyper, trained, work, 0, 1, w_scale, lazy)
        if lazy and w_scale < 0.5:
            fold(weights_t, w_scale, 0, weights_t.shape[0])
            w_scale = T(1)
    if lazy:
        fold(weights_t, w_scale, 0, weights_t.shape[0])


@njit(parallel=True, **JIT_OPTIONS)
def train_epoch_threaded(inputs, targets, order, net, hyper, trained, work, shared, n_threads):
    """``train_epoch`` on n_threads threads (the Numba thread count, >= 2), in ONE
    parallel region. Threads 0 and 1 each own one half of the first layer's input rows
    (``sparse.input_halves``); every thread owns a fixed slice of every later layer's
    neurons, and a fixed slice of every mini-batch's examples. Per mini-batch it updates
    its weights with the previous batch's deltas and sums its half of the inputs for
    every example of the batch (so W^0 never moves between cores); after a barrier,
    it joins the halves and runs the rest of the forward pass and the deltas of its
    examples; a second barrier, and the next batch. Every number is computed by the
    same operations in the same order as in ``train_epoch``, so the parameters are
    bit-identical to it for every thread count. shared (``records.Shared``): the barrier's
    state, and the lower half's sums (the upper half's go to layer 1's rows of derivs,
    unused until f'(z) is written there; layer 1's rows of acts still hold the previous
    batch's activations, which the update reads)."""
    T = trained.params.dtype.type
    n, batch_size, sizes = order.size, hyper.batch_size, net.sizes
    weights_t = first_weights(trained.params, sizes, net.starts)
    biases = first_biases(trained.params, sizes, net.starts)
    # the first layer's L2 decay is carried by a factor (update.fold)
    lazy = hyper.momentum == 0 and hyper.l1 == 0 and hyper.l2 != 0
    for p in prange(n_threads):
        h_lo, h_hi = input_halves(p, n_threads)  # the half of the inputs it owns, or none
        k_lo, k_hi = half_start(sizes[0], h_lo), half_start(sizes[0], h_hi)
        previous = order[0:0]
        w_scale = T(1)  # the same sequence on every thread, as in train_epoch
        for b, k in enumerate(range(0, n, batch_size)):
            rows = order[k : min(k + batch_size, n)]
            lower_sums = matrix(shared.lower, 0, rows.size, biases.size)
            if previous.size > 0:  # the previous step's update, this thread's slice
                w_scale = update_slice(previous, inputs, net, hyper, trained, work, p, n_threads,
                                       w_scale, lazy)
                if lazy and w_scale < 0.5:
                    fold(weights_t, w_scale, k_lo, k_hi)
                    w_scale = T(1)
            upper_sums = layer_rows(work.derivs, sizes, work.row_starts, 1, rows.size)
            if h_lo < h_hi:  # this thread's half of the inputs, for every example
                prefetch_batches(order, k, batch_size, inputs, targets)
                half_sums(rows, inputs, weights_t, lower_sums if h_lo == 0 else upper_sums, h_lo)
            barrier(shared.sync, n_threads)  # both halves summed, every slice of W^l updated
            e_lo, e_hi = part_range(rows.size, p, n_threads, 1)  # this thread's examples
            z = layer_rows(work.acts, sizes, work.row_starts, 1, rows.size)
            for i in range(e_lo, e_hi):
                join_halves(lower_sums[i], upper_sums[i], biases, w_scale, z[i])
            dropout = Dropout(rate=hyper.dropout, seed=hyper.seed, step=hyper.first_step + b)
            forward_after_first(rows, trained.params, net, work, True, dropout, e_lo, e_hi)
            backprop_deltas(targets, rows, trained.params, net, work, e_lo, e_hi)
            barrier(shared.sync, n_threads)  # the batch's deltas complete before any update
            previous = rows
        if previous.size > 0:
            w_scale = update_slice(previous, inputs, net, hyper, trained, work, p, n_threads,
                                   w_scale, lazy)
        if lazy:
            fold(weights_t, w_scale, k_lo, k_hi)
