"""Inference over a whole data set: the forward pass on every row, in parallel."""
import numpy as np
from numba import njit, prange

from .._config import JIT_OPTIONS
from .forward import forward
from .layout import layer_rows, row_offsets
from .sparse import to_sparse_rows

# Examples per parallel chunk of inference: big enough to amortise a chunk's set-up,
# small enough that 10,000 examples still split over several threads.
INFERENCE_CHUNK = 256


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
