"""Views into the flat buffers the kernels share (no copies).

Parameters: one flat buffer holding, layer after layer, ``W^l`` (``sizes[l+1] x
sizes[l]``, row-major) followed by ``b^l`` (``sizes[l+1]``); ``starts[l]`` is where
``W^l`` begins. Per-example buffers (activations, deltas) hold, for each layer ``l``,
up to ``capacity`` rows of ``sizes[l]`` values from ``row_starts[l]`` on.
"""
import numpy as np
from numba import njit

from .._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def layer_weights(params, sizes, starts, l):
    """``W^l``: the (sizes[l+1], sizes[l]) weights into layer l+1."""
    n_out, n_in = sizes[l + 1], sizes[l]
    return params[starts[l] : starts[l] + n_out * n_in].reshape((n_out, n_in))


@njit(**JIT_OPTIONS)
def layer_biases(params, sizes, starts, l):
    """``b^l``: the (sizes[l+1],) biases of layer l+1."""
    begin = starts[l] + sizes[l + 1] * sizes[l]
    return params[begin : begin + sizes[l + 1]]


@njit(**JIT_OPTIONS)
def layer_rows(buffer, sizes, row_starts, l, m):
    """The first ``m`` rows of layer ``l`` in a per-example buffer: (m, sizes[l])."""
    return buffer[row_starts[l] : row_starts[l] + m * sizes[l]].reshape((m, sizes[l]))


@njit(**JIT_OPTIONS)
def row_offsets(sizes, capacity):
    """``(row_starts, total)`` for a per-example buffer of ``capacity`` rows per layer.
    Layer 0 (the inputs) is never stored there, so layers 1..L-1 are packed from 0."""
    row_starts = np.zeros(len(sizes), np.int64)
    for l in range(2, len(sizes)):
        row_starts[l] = row_starts[l - 1] + capacity * sizes[l - 1]
    last = len(sizes) - 1
    return row_starts, row_starts[last] + capacity * sizes[last]
