"""Compiled kernels: pure ``@njit`` functions on arrays and scalars, no Python objects
(``objects`` alone reads a list's objects from their memory, to find the rows they show).

Conventions: examples are rows (``(m, width)`` arrays); layer ``l`` runs from 0 (inputs)
to L-1 (outputs); ``W^l``/``b^l`` map layer l to l+1 (see ``layout``); inputs reach the
first layer as sparse rows (``sparse``). The training kernels take their arguments grouped
in named records (``records``).
"""
from .activations import IDENTITY, RELU, SIGMOID, SOFTMAX, TANH, sigmoid
from .backward import (
                     A_MINUS_Y,
                     QUADRATIC,
                     backprop_deltas,
                     batch_gradient,
                     hidden_delta,
                     output_delta,
)
from .checks import first_non_finite
from .compiler.sync import STATE_SIZE as SYNC_STATE_SIZE
from .dropout import drop_neurons, uniform
from .epoch import train_epoch, train_epoch_threaded
from .forward import dense, first_layer, forward
from .inference import feedforward_rows
from .records import (
                      Architecture,
                      Buffers,
                      Dropout,
                      HyperParameters,
                      Parameters,
                      Rates,
                      Shared,
                      SparseRows,
)
from .layout import (
                     LANES,
                     first_biases,
                     first_weights,
                     layer_biases,
                     layer_rows,
                     layer_weights,
                     padded,
                     row_offsets,
                     row_width,
)
from .shuffle import shuffle_in_place
from .sparse import count_nonzero_halves, fill_sparse_rows, fingerprint
from .update import apply_gradient, dense_step, first_step, part_range
