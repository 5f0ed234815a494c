"""Whole-run kernels: one training epoch, and the forward pass over a data set."""
import numpy as np
from numba import njit, prange

from .._config import JIT_OPTIONS
from .backward import backprop_deltas
from .forward import forward
from .layout import layer_rows, row_offsets
from .memory import prefetch_rows
from .update import apply_gradient

# Examples per parallel chunk of inference: big enough to amortise a chunk's set-up,
# small enough that 10,000 examples still split over several threads.
INFERENCE_CHUNK = 256


@njit(**JIT_OPTIONS)
def gather_rows(source, rows, out):
    """out[i] = source[rows[i]] for the m rows of out (m, width)."""
    for i in range(out.shape[0]):
        out[i] = source[rows[i]]


@njit(**JIT_OPTIONS)
def train_epoch(inputs, targets, order, batch_size, eta, average,
                params, sizes, starts, batch_inputs, acts, deltas, row_starts):
    """One epoch of mini-batch SGD, in place on params.

    inputs (n, sizes[0]) and targets (n, sizes[-1]) are the training set; order (n_used,)
    int64 lists the examples in training order, cut into mini-batches of batch_size (the
    last one may be shorter). Each step subtracts eta/m times the batch's summed gradient
    (``average``, the original) or eta times it. batch_inputs (batch_size, sizes[0]), acts and deltas are
    work buffers sized by the caller: nothing is allocated here.
    """
    T = params.dtype.type
    n = order.size
    for k in range(0, n, batch_size):
        rows = order[k : min(k + batch_size, n)]
        m = rows.size
        a_in = batch_inputs[:m]
        gather_rows(inputs, rows, a_in)
        prefetch_rows(inputs, order[k + batch_size : min(k + 2 * batch_size, n)])
        forward(a_in, params, sizes, starts, acts, row_starts)
        backprop_deltas(targets, rows, params, sizes, starts, acts, deltas, row_starts, m)
        scale = T(eta / m) if average else T(eta)
        apply_gradient(a_in, sizes, acts, deltas, row_starts, params, starts, scale)


@njit(parallel=True, **JIT_OPTIONS)
def feedforward_rows(inputs, params, sizes, starts, out):
    """Output activations for every row of inputs (n, sizes[0]) into out (n, sizes[-1]).
    Chunks of rows run on separate threads, each with its own work buffer; every
    output row is computed by exactly the same operations whatever the thread count."""
    n = inputs.shape[0]
    last = len(sizes) - 1
    n_chunks = (n + INFERENCE_CHUNK - 1) // INFERENCE_CHUNK
    row_starts, buffer_size = row_offsets(sizes, INFERENCE_CHUNK)
    for c in prange(n_chunks):
        lo = c * INFERENCE_CHUNK
        hi = min(lo + INFERENCE_CHUNK, n)
        acts = np.empty(buffer_size, params.dtype)
        forward(inputs[lo:hi], params, sizes, starts, acts, row_starts)
        out[lo:hi] = layer_rows(acts, sizes, row_starts, last, hi - lo)
