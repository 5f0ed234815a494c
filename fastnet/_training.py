"""What a training run needs beyond the kernels: its options (checked), its work
buffers, the sparse form of its inputs, and the rules that stop it or lower eta."""
import math
from dataclasses import dataclass
from typing import FrozenSet, Iterable, Optional

import numpy as np

from . import kernels
from ._convert import check_finite
from ._params import ParameterLayout, aligned_zeros
from .threads import using_threads

#: per-epoch measurements ``monitor`` can ask for (test and validation accuracy are
#: always measured when that data is given)
MONITORS = frozenset({"training_cost", "training_accuracy", "validation_cost", "test_cost"})
#: the book's schedule stops when eta has been halved down to eta0 / MIN_ETA_DIVISOR
MIN_ETA_DIVISOR = 128


def _number(value, name: str, low: float, high: float = math.inf, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (low <= value and (value < high if high_open else value <= high)):
        bound = f"< {high}" if high_open else (f"<= {high}" if high != math.inf else "finite")
        raise ValueError(f"{name} must be >= {low} and {bound}, got {value!r}")
    return value


def _patience(value, name: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be None or a whole number of epochs >= 1, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class TrainingOptions:
    """The optional parts of a training run (all off by default: the book's SGD)."""
    lmbda: float = 0.0  #: L2 regularisation: w -> (1 - eta lmbda / n) w each step
    l1: float = 0.0  #: L1 regularisation: w -> w - (eta l1 / n) sign(w)
    momentum: float = 0.0  #: mu in [0, 1): v -> mu v - eta grad, w -> w + v
    dropout: float = 0.0  #: probability of dropping each hidden neuron, in [0, 1)
    early_stopping: Optional[int] = None  #: stop after this many epochs without a better validation accuracy
    halve_eta: Optional[int] = None  #: halve eta after this many; stop at eta0/128
    monitor: FrozenSet[str] = frozenset()  #: extra per-epoch measurements (``MONITORS``)

    @classmethod
    def checked(cls, lmbda=0.0, l1=0.0, momentum=0.0, dropout=0.0, early_stopping=None,
                halve_eta=None, monitor: Iterable[str] = ()) -> "TrainingOptions":
        if isinstance(monitor, str):
            monitor = (monitor,)
        monitor = frozenset(monitor)
        unknown = monitor - MONITORS
        if unknown:
            raise ValueError(f"monitor takes {sorted(MONITORS)}, got {sorted(unknown)}")
        return cls(_number(lmbda, "lmbda", 0.0), _number(l1, "l1", 0.0),
                   _number(momentum, "momentum", 0.0, 1.0, high_open=True),
                   _number(dropout, "dropout", 0.0, 1.0, high_open=True),
                   _patience(early_stopping, "early_stopping"), _patience(halve_eta, "halve_eta"),
                   monitor)


class Plateau:
    """Early stopping and the book's eta schedule, both driven by validation accuracy:
    ``update(correct)`` after each epoch returns why training should stop, or None;
    ``eta`` is the learning rate for the next epoch."""

    def __init__(self, eta: float, early_stopping: Optional[int], halve_eta: Optional[int]):
        self.eta0 = self.eta = eta
        self.early_stopping, self.halve_eta = early_stopping, halve_eta
        self.best: Optional[int] = None
        self.since_best = self.since_change = 0

    def update(self, correct: int) -> Optional[str]:
        if self.best is None or correct > self.best:
            self.best, self.since_best, self.since_change = correct, 0, 0
            return None
        self.since_best += 1
        self.since_change += 1
        if self.halve_eta is not None and self.since_change >= self.halve_eta:
            self.eta /= 2
            self.since_change = 0
            if self.eta <= self.eta0 / MIN_ETA_DIVISOR:
                return f"eta halved down to eta/{MIN_ETA_DIVISOR} = {self.eta:g}"
        if self.early_stopping is not None and self.since_best >= self.early_stopping:
            return f"no better validation accuracy in {self.early_stopping} epochs"
        return None


def index_dtype(n_in: int) -> np.dtype:
    """The narrowest type for the input numbers 0..n_in-1 of sparse inputs: uint16 up to
    65,536 inputs (MNIST's 784), else int32. Two bytes less per non-zero input to fetch
    from memory: 1.03-1.08x on an epoch of [784, 30, 10] (interleaved A/B, 1 thread)."""
    return np.dtype(np.uint16 if n_in <= 2**16 else np.int32)


class SparseInputs:
    """Inputs X (n, n_in) as compressed sparse rows, two per example (``kernels.sparse``):
    the first layer reads only the non-zero values. Built once per training call.
    ``indices`` hold the input numbers (``index_dtype``), ``values`` the values (X's dtype).

    The arrays are numpy's, not allocated inside a kernel: numpy asks Linux for huge
    pages for large arrays, and training reads the examples in random order from all
    over these ~60 MB (for MNIST), where 4 KiB pages would miss the TLB on most reads."""

    def __init__(self, X: np.ndarray):
        counts = np.empty(2 * len(X), dtype=np.int64)  # each example: two halves
        kernels.count_nonzero_halves(X, counts)
        self.indptr = np.zeros(2 * len(X) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.indptr[1:])
        slots = int(self.indptr[-1]) + 1  # one spare: see fill_sparse_rows
        self.indices = np.empty(slots, dtype=index_dtype(X.shape[1]))
        self.values = np.empty(slots, dtype=X.dtype)
        kernels.fill_sparse_rows(X, self.indptr, self.indices, self.values)

    def __len__(self) -> int:
        return (len(self.indptr) - 1) // 2

    def work_per_batch(self, layout: ParameterLayout, batch_size: int) -> float:
        """Multiply-adds of one training step (forward pass and update; the first layer
        counted over the non-zero inputs), to choose a thread count."""
        nonzero = (self.indptr[-1] / max(1, len(self))) if len(self) else 0.0
        sizes = [int(s) for s in layout.sizes]
        later = sum(n_in * n_out for n_in, n_out in zip(sizes[1:-1], sizes[2:]))
        return batch_size * (2 * nonzero * layout.first_width + 3 * later)


class SparseCache:
    """The sparse form of the last training inputs, reused by the next training call
    while their contents are unchanged (same shape, dtype and ``kernels.fingerprint``):
    a script calling ``SGD`` or ``train_epochs`` once per epoch builds it once. In-place
    changes to the inputs are seen, since the digest covers every byte."""

    def __init__(self):
        self._key = None
        self._inputs: Optional[SparseInputs] = None

    def get(self, X: np.ndarray, what: str) -> SparseInputs:
        """The sparse form of X (n, n_in), checked finite (a ValueError naming ``what``)
        when it is built: the same contents as last time were checked then."""
        key = (X.shape, X.dtype.str, *(int(part) for part in kernels.fingerprint(X)))
        if key != self._key:
            self._key, self._inputs = None, None  # the old form's memory goes first
            check_finite(X, what)
            self._inputs, self._key = SparseInputs(X), key
        return self._inputs


class Workspace:
    """Work buffers for mini-batches of up to ``capacity`` examples: allocated once,
    reused by every mini-batch of a run."""

    def __init__(self, layout: ParameterLayout, capacity: int, dtype):
        self.layout = layout
        self.sync_state = np.zeros(kernels.SYNC_STATE_SIZE, np.int64)  # the threads' barrier
        self.row_starts, per_example_size = kernels.row_offsets(layout.sizes, capacity)
        self.acts = aligned_zeros(per_example_size, dtype)
        self.derivs = aligned_zeros(per_example_size, dtype)
        self.deltas = aligned_zeros(per_example_size, dtype)
        #: threaded training: the first layer's sums over the lower half of the inputs
        self.lower_sums = aligned_zeros(capacity * layout.first_width, dtype)

    def train(self, inputs: SparseInputs, targets, order, batch_size, cost, codes, eta, average,
              l2_rate, l1_rate, momentum, dropout, seed, first_step, params, velocity,
              threads: int = 1):
        """Mini-batch SGD over ``order`` (``kernels.train_epoch``), on ``threads`` threads."""
        args = (inputs.indptr, inputs.indices, inputs.values, targets, order, batch_size, cost,
                codes, eta, average, l2_rate, l1_rate, momentum, dropout, seed, first_step, params,
                velocity, self.layout.sizes, self.layout.starts, self.acts, self.derivs,
                self.deltas, self.row_starts)
        if threads == 1:
            kernels.train_epoch(*args)
        else:
            with using_threads(threads):
                kernels.train_epoch_threaded(*args, threads, self.sync_state, self.lower_sums)

    def gradient(self, inputs: SparseInputs, targets, cost, codes, params, grads):
        rows = np.arange(len(inputs), dtype=np.int64)
        kernels.batch_gradient(rows, inputs.indptr, inputs.indices, inputs.values, targets, cost,
                               params, self.layout.sizes, self.layout.starts, codes, self.acts,
                               self.derivs, self.deltas, self.row_starts, grads)
