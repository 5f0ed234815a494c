"""Inference over a whole data set: the forward pass on every row, in parallel.

The inputs are read where they are: each row's non-zero inputs are gathered into a small
buffer that stays in cache (``sparse.sparse_row``) and the first layer is computed from
it as in training (``forward.weighted_input``), so no sparse copy of the whole data set
is built: a pass over the data set and its memory, for a form each row is read from once."""
import numpy as np
from numba import njit, prange

from ..config import COUNTED_JIT_OPTIONS
from .compiler.views import flat
from .activations import IDENTITY, activate
from .forward import first_index_at_least, forward_after_first, weighted_input
from .layout import first_biases, first_weights, layer_block, layer_rows, row_offsets
from .records import Architecture, Buffers, Dropout
from .sparse import half_start, sparse_row

# Examples per parallel chunk of inference: big enough to amortise a chunk's set-up,
# small enough that 10,000 examples still split over several threads.
INFERENCE_CHUNK = 256


@njit(parallel=True, **COUNTED_JIT_OPTIONS)
def feedforward_rows(inputs, params, sizes, starts, codes, out, z_out):
    """Output activations for every row of inputs (n, sizes[0]) into out (n, sizes[-1]),
    and the output layer's weighted inputs z into z_out (n, sizes[-1]) unless it has no
    rows (the cost reads z, the accuracy the activations: one pass gives both).
    Chunks of rows run on separate threads, each with its own work buffers; every
    output row is computed by exactly the same operations whatever the thread count.

    Returns the first row with a NaN or infinite input, or -1: such an input is never 0,
    so it makes the row's first weighted input z_0 non-finite, and only then is the row
    scanned (the caller needs no separate pass over the data)."""
    n, n_in = inputs.shape
    last = len(sizes) - 1
    n_chunks = (n + INFERENCE_CHUNK - 1) // INFERENCE_CHUNK
    row_starts, buffer_size = row_offsets(sizes, INFERENCE_CHUNK)
    weights_t, biases = first_weights(params, sizes, starts), first_biases(params, sizes, starts)
    w, width = flat(weights_t), weights_t.shape[1]
    one = params.dtype.type(1)
    keep_z = z_out.shape[0] > 0
    last_code = codes[last - 1]
    if keep_z:  # the output layer stops at z; its activation follows z's copy
        codes = codes.copy()
        codes[last - 1] = IDENTITY
    net = Architecture(sizes=sizes, starts=starts, codes=codes, cost=0)  # no cost: no deltas
    no_dropout = Dropout(rate=0.0, seed=0, step=0)
    upper_start = half_start(n_in, 1)  # the first input of the upper half
    first_bad = np.full(n_chunks + 1, n, np.int64)  # per chunk (one spare: n may be 0)
    for c in prange(n_chunks):
        lo = c * INFERENCE_CHUNK
        hi = min(lo + INFERENCE_CHUNK, n)
        acts = np.empty(buffer_size, params.dtype)
        indices = np.empty(n_in + 1, np.int32)
        values = np.empty(n_in + 1, params.dtype)
        lower = np.empty(width, params.dtype)
        z = layer_rows(acts, sizes, row_starts, 1, hi - lo)
        for i in range(lo, hi):
            count = sparse_row(inputs[i], indices, values)
            split = first_index_at_least(indices, 0, count, upper_start)
            weighted_input(indices[:count], values[:count], split, w, width, biases, z[i - lo],
                           lower, one)
            if not np.isfinite(z[i - lo, 0]) and first_bad[c] == n and not np.isfinite(inputs[i]).all():
                first_bad[c] = i
        # no f'(z) is written (not training): acts stands in for every other buffer
        work = Buffers(acts=acts, derivs=acts, deltas=acts, row_starts=row_starts)
        forward_after_first(np.arange(hi - lo), params, net, work, False, no_dropout, 0, hi - lo)
        if keep_z:
            z_out[lo:hi] = layer_rows(acts, sizes, row_starts, last, hi - lo)[:, : sizes[last]]
            output = layer_block(acts, sizes, row_starts, last, 0, hi - lo)
            activate(output, sizes[last], last_code, output, False)  # (25): a^L = f(z^L)
        out[lo:hi] = layer_rows(acts, sizes, row_starts, last, hi - lo)[:, : sizes[last]]
    bad = first_bad.min()
    return bad if bad < n else -1
