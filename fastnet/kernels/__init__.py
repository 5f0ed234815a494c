"""Compiled kernels: pure ``@njit`` functions on arrays and scalars, no Python objects.

Conventions: examples are rows (``(m, width)`` arrays); layer ``l`` runs from 0 (inputs)
to L-1 (outputs); ``W^l``/``b^l`` map layer l to l+1 (see ``layout``).
"""
from .activations import sigmoid, sigmoid_prime_from_output
from .checks import first_non_finite
from .backward import backprop_deltas, batch_gradient, hidden_delta, output_delta
from .epoch import feedforward_rows, gather_rows, train_epoch
from .forward import dense_sigmoid, forward
from .shuffle import shuffle_in_place
from .layout import layer_biases, layer_rows, layer_weights, row_offsets
from .update import apply_gradient, sgd_step
