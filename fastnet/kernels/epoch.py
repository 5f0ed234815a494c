"""Whole-run kernels: one training epoch, and the forward pass over a data set."""
import numpy as np
from numba import njit, prange

from .._config import JIT_OPTIONS
from .backward import backprop_deltas
from .forward import forward
from .layout import layer_rows, row_offsets
from .memory import prefetch_sparse_rows
from .sparse import to_sparse_rows
from .update import apply_gradient

# Examples per parallel chunk of inference: big enough to amortise a chunk's set-up,
# small enough that 10,000 examples still split over several threads.
INFERENCE_CHUNK = 256


@njit(**JIT_OPTIONS)
def train_epoch(indptr, indices, values, targets, order, batch_size, cost, codes,
                eta, average, l2, l1, momentum, dropout, seed, first_step_number,
                params, velocity, sizes, starts, acts, derivs, deltas, row_starts):
    """Mini-batch SGD over the examples ``order`` (n_used,) int64, in that order, cut
    into mini-batches of batch_size (the last one may be shorter); in place on params
    (and velocity, laid out like params, when momentum > 0).

    Inputs as sparse rows (``sparse.to_sparse_rows``), targets (n, sizes[-1]). Each step
    subtracts eta/m times the batch's summed gradient (``average``, the original) or
    eta times it, with the regularisation rates l2 = lmbda/n and l1 (``update``).
    Dropout masks are keyed by (seed, first_step_number + batch index). acts, derivs,
    deltas are work buffers sized by the caller: nothing is allocated here.
    """
    T = params.dtype.type
    n = order.size
    for b, k in enumerate(range(0, n, batch_size)):
        rows = order[k : min(k + batch_size, n)]
        prefetch_sparse_rows(indptr, indices, values, order[k + batch_size : min(k + 2 * batch_size, n)])
        forward(rows, indptr, indices, values, params, sizes, starts, codes, acts, derivs,
                row_starts, True, dropout, seed, first_step_number + b)
        backprop_deltas(targets, rows, cost, params, sizes, starts, acts, derivs, deltas, row_starts)
        scale = T(eta / rows.size) if average else T(eta)
        apply_gradient(rows, indptr, indices, values, sizes, acts, deltas, row_starts, params,
                       starts, scale, T(eta * l2), T(eta * l1), T(momentum), velocity)


@njit(parallel=True, **JIT_OPTIONS)
def feedforward_rows(inputs, params, sizes, starts, codes, out):
    """Output activations for every row of inputs (n, sizes[0]) into out (n, sizes[-1]).
    Chunks of rows run on separate threads, each with its own work buffers; every
    output row is computed by exactly the same operations whatever the thread count."""
    n = inputs.shape[0]
    last = len(sizes) - 1
    n_chunks = (n + INFERENCE_CHUNK - 1) // INFERENCE_CHUNK
    row_starts, buffer_size = row_offsets(sizes, INFERENCE_CHUNK)
    for c in prange(n_chunks):
        lo = c * INFERENCE_CHUNK
        hi = min(lo + INFERENCE_CHUNK, n)
        indptr, indices, values = to_sparse_rows(inputs[lo:hi])
        acts = np.empty(buffer_size, params.dtype)
        rows = np.arange(hi - lo)
        forward(rows, indptr, indices, values, params, sizes, starts, codes, acts, acts,
                row_starts, False, 0.0, 0, 0)
        out[lo:hi] = layer_rows(acts, sizes, row_starts, last, hi - lo)[:, : sizes[last]]
