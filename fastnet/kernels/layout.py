"""Views into the flat buffers the kernels share (no copies).

Parameters: one flat buffer holding, layer after layer, the weights then the biases;
``starts[l]`` is where layer l's weights begin.

- The first layer (inputs -> layer 1) is stored *transposed and padded*: ``W^0`` as an
  (sizes[0], width) array, row k holding the weights out of input k, then ``b^0`` as
  (width,), where width = sizes[1] rounded up to ``LANES``. An input that is 0 (81% of
  MNIST pixels) then costs nothing: the forward pass adds x_k * W^0[k, :] for the
  non-zero x_k only, and the update touches only those rows, each a whole number of
  SIMD vectors. The padding columns are zero and stay zero.
- Every later layer l is ``W^l`` as (sizes[l+1], sizes[l]), row-major, then ``b^l``.

Per-example buffers (activations, their derivatives, deltas) hold, for each layer
l >= 1, up to ``capacity`` rows of ``row_width(sizes, l)`` values from
``row_starts[l]`` on; layer 1's rows are padded like ``W^0``'s (zeros beyond sizes[1]).

The 2-d views are built in place (``views.matrix``) and not checked against the buffers'
lengths: the engine allocates them from the same sizes (``core.params.ParameterLayout``,
``core.workspace.Workspace``), and a row count never exceeds the capacity they were made for.
The functions that return a view are inlined into the kernels that call them, which count
no arrays (``config.JIT_OPTIONS``); called from Python, they count theirs.
"""
import numpy as np
from numba import njit

from ..config import COUNTED_JIT_OPTIONS, JIT_OPTIONS, VECTOR_BYTES
from .compiler.views import matrix

LANES = VECTOR_BYTES // 4  # float32 lanes of one SIMD register (16 with AVX-512, 8 with AVX2)


@njit(**JIT_OPTIONS)
def padded(n):
    """n rounded up to a multiple of LANES."""
    return (n + LANES - 1) // LANES * LANES


@njit(**JIT_OPTIONS)
def row_width(sizes, l):
    """Values per example of layer l (>= 1) in the per-example buffers."""
    return padded(sizes[1]) if l == 1 else sizes[l]


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def first_weights(params, sizes, starts):
    """``W^0`` transposed: (sizes[0], padded(sizes[1])); column j < sizes[1] is neuron j."""
    width = padded(sizes[1])
    return matrix(params, starts[0], sizes[0], width)


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def first_biases(params, sizes, starts):
    """``b^0``: (padded(sizes[1]),), zero beyond sizes[1]."""
    width = padded(sizes[1])
    begin = starts[0] + sizes[0] * width
    return params[begin : begin + width]


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def layer_weights(params, sizes, starts, l):
    """``W^l`` for l >= 1: the (sizes[l+1], sizes[l]) weights into layer l+1."""
    n_out, n_in = sizes[l + 1], sizes[l]
    return matrix(params, starts[l], n_out, n_in)


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def layer_biases(params, sizes, starts, l):
    """``b^l`` for l >= 1: the (sizes[l+1],) biases of layer l+1."""
    begin = starts[l] + sizes[l + 1] * sizes[l]
    return params[begin : begin + sizes[l + 1]]


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def layer_rows(buffer, sizes, row_starts, l, m):
    """The first ``m`` rows of layer ``l`` in a per-example buffer: (m, row_width)."""
    width = row_width(sizes, l)
    return matrix(buffer, row_starts[l], m, width)


@njit(inline="always", **COUNTED_JIT_OPTIONS)
def layer_block(buffer, sizes, row_starts, l, lo, hi):
    """Rows lo..hi of layer ``l`` in a per-example buffer: (hi - lo, row_width)."""
    width = row_width(sizes, l)
    return matrix(buffer, row_starts[l] + lo * width, hi - lo, width)


@njit(**COUNTED_JIT_OPTIONS)
def row_offsets(sizes, capacity):
    """``(row_starts, total)`` for a per-example buffer of ``capacity`` rows per layer.
    Layer 0 (the inputs) is never stored there, so layers 1..L-1 are packed from 0."""
    row_starts = np.zeros(len(sizes), np.int64)
    for l in range(2, len(sizes)):
        row_starts[l] = row_starts[l - 1] + capacity * row_width(sizes, l - 1)
    last = len(sizes) - 1
    return row_starts, row_starts[last] + capacity * row_width(sizes, last)
