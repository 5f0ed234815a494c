"""What every implementation in the benchmark provides (:class:`Impl`), and the one-hot
targets the matrix peers train on."""
import time
from typing import Dict, Optional

import numpy as np


class NotInstalled(Exception):
    """A peer whose library cannot be imported: a "not installed" row, never a crash."""


class Impl:
    """One implementation of the training epoch.

    ``reset`` sets the initial parameters (the book's shapes: weights (n_out, n_in),
    biases (n_out, 1)); ``warm_up`` compiles and warms up (never timed); ``epoch`` trains
    the examples of an :class:`~fastnet.bench.start.Order` and returns the seconds to
    report for one full epoch; ``train_exact`` trains every example of the order (for the
    numerical check); ``parameters`` gives (weights, biases) as float64 numpy arrays of
    the book's shapes.
    """
    name = ""
    label = ""
    examples_timed: Optional[int] = None  # None: the whole epoch
    #: measured in a process of its own (``remote``): pinned to ``--threads`` CPUs or not,
    #: with XLA's one-thread flags (on one thread) or not
    own_process, pinned, xla_one_thread = False, False, False

    def __init__(self, sizes, X: np.ndarray, y: np.ndarray, batch: int, eta: float):
        self.X, self.y, self.batch, self.eta = X, y, batch, eta

    @classmethod
    def from_config(cls, sizes, X: np.ndarray, y: np.ndarray, config) -> "Impl":
        """The implementation for the network ``sizes`` and the run's ``Config``."""
        return cls(sizes, X, y, config.batch, config.eta)

    def reset(self, weights, biases) -> None:
        raise NotImplementedError

    def warm_up(self, order) -> None:
        self.epoch(order)

    def epoch(self, order) -> float:
        raise NotImplementedError

    def train_exact(self, order) -> None:
        self.epoch(order)

    def for_check(self, X: np.ndarray, y: np.ndarray) -> "Impl":
        """The implementation to train in the numerical check, on the first ``len(X)``
        examples: this one, unless it depends on the size of its data."""
        return self

    def parameters(self):
        raise NotImplementedError

    def versions(self) -> Dict[str, str]:
        return {}

    def extra_results(self) -> dict:
        """Entries of its own for the results row (``--json``)."""
        return {}

    def close(self) -> None:
        """Release what the implementation holds (a process of its own)."""


def one_hot(y: np.ndarray, outputs: int, dtype) -> np.ndarray:
    """(n,) int labels -> (n, outputs) targets of ``dtype``, 1 at the label."""
    targets = np.zeros((len(y), outputs), dtype)
    targets[np.arange(len(y)), y] = 1
    return targets


def time_steps(step, indices, batch: int) -> float:
    """Seconds ``step`` takes on each mini-batch of ``batch`` consecutive ``indices`` in turn."""
    start = time.perf_counter()
    for k in range(0, len(indices), batch):
        step(indices[k:k + batch])
    return time.perf_counter() - start
