"""The records the training kernels take, instead of long lists of positional arguments.

Each is a ``typing.NamedTuple``, which Numba compiles to a plain struct; the caller
builds it with keywords, so that no two arguments of the same type (``l2`` and ``l1``,
``acts`` and ``deltas``) can be swapped without a word. ``core.workspace.Workspace``
builds them, in one place; the kernels build ``Dropout`` and ``Rates``. A record holds
what its kernels use together (``Shared``, the threads' state, apart from ``Buffers``).
The small inner kernels (``forward.dense``, ``backward.hidden_delta``, ``update.decay``...)
keep short argument lists named for what they compute.
"""
from typing import NamedTuple

import numpy as np


class SparseRows(NamedTuple):
    """The inputs as compressed sparse rows, two per example (``sparse``)."""
    indptr: np.ndarray  #: (2n + 1,) int64: example r's non-zeros are indptr[2r]:indptr[2r+2]
    indices: np.ndarray  #: their input numbers (uint16 or int32), one spare slot
    values: np.ndarray  #: their values (the network's dtype), one spare slot


class Architecture(NamedTuple):
    """What the network is: its layers, where they live in the flat parameters, its
    neurons and the form of its output error."""
    sizes: np.ndarray  #: (L,) int64 neurons per layer, inputs first
    starts: np.ndarray  #: (L - 1,) int64 where W^l starts in the parameters (``layout``)
    codes: np.ndarray  #: (L - 1,) the activation of layers 1..L-1 (``activations``)
    cost: int  #: ``backward.QUADRATIC`` or ``backward.A_MINUS_Y``


class Parameters(NamedTuple):
    """What training changes, both laid out as in ``layout``."""
    params: np.ndarray  #: weights and biases, flat
    velocity: np.ndarray  #: momentum's velocities (any array of params' type when momentum = 0)


class Buffers(NamedTuple):
    """Per-example work buffers sized by the caller: nothing is allocated in a training
    kernel."""
    acts: np.ndarray  #: activations of layers 1..L-1 for a mini-batch (``layout.row_offsets``)
    derivs: np.ndarray  #: f'(z), laid out like acts
    deltas: np.ndarray  #: BP1/BP2 errors, laid out like acts
    row_starts: np.ndarray  #: (L,) int64 where layer l starts in acts, derivs and deltas


class Shared(NamedTuple):
    """What the threads of ``epoch.train_epoch_threaded`` share besides the Buffers."""
    lower: np.ndarray  #: (capacity * width,): first-layer sums over the inputs' lower half
    sync: np.ndarray  #: the barrier's state, int64 (``compiler.sync.STATE_SIZE``) zeros


class HyperParameters(NamedTuple):
    """How one training call steps: mini-batches, learning rate, regularisation,
    momentum, dropout."""
    batch_size: int  #: examples per mini-batch (the last one may be shorter)
    eta: float  #: the learning rate
    average: bool  #: the step is eta/m times the summed gradient (the book's), else eta times it
    l2: float  #: L2 rate lmbda/n: each step w -> w - eta l2 w
    l1: float  #: L1 rate l1/n: each step w -> w - eta l1 sign(w)
    momentum: float  #: mu in [0, 1); 0: plain gradient descent
    dropout: float  #: probability of dropping a hidden neuron, in [0, 1)
    seed: int  #: the dropout masks' key (``dropout.uniform``)
    first_step: int  #: the number of this call's first step, the masks' other key


class Dropout(NamedTuple):
    """Inverted dropout of the hidden layers during one step (``dropout.drop_neurons``)."""
    rate: float  #: probability of dropping a neuron; 0: none dropped
    seed: int  #: the masks' key: the run's seed...
    step: int  #: ... and the step's number


class Rates(NamedTuple):
    """One step's coefficients, in the parameters' type, already multiplied by eta:
    the gradient's scale (eta/m or eta; -1 to read the gradient itself), the L2 and L1
    rates, and the momentum mu (``update``)."""
    scale: float
    l2: float
    l1: float
    mu: float
