"""What a training run is told and tells back: its options (checked), the rules that
stop it or lower eta, and the record of each epoch."""
from dataclasses import dataclass
from typing import FrozenSet, Iterable, NamedTuple, Optional

import numpy as np

from .validate import check_int, check_real

#: per-epoch measurements ``monitor`` can ask for (test and validation accuracy are
#: always measured when that data is given)
MONITORS = frozenset({"training_cost", "training_accuracy", "validation_cost", "test_cost"})
#: the book's schedule stops when eta has been halved down to eta0 / MIN_ETA_DIVISOR
MIN_ETA_DIVISOR = 128


class TrainingDiverged(FloatingPointError, ValueError):
    """Training made the parameters NaN or infinite (eta too large for the data): a
    FloatingPointError, and a ValueError for callers that report bad arguments as one."""


def check_eta(value, dtype, name: str = "eta") -> float:
    """``value`` as a learning rate for parameters of ``dtype``: a finite number > 0 that
    stays finite and non-zero in dtype (1e300 in float32 is infinity: every step would
    make the parameters NaN)."""
    eta = check_real(value, name, 0, low_open=True)
    with np.errstate(over="ignore", under="ignore"):
        carried = np.dtype(dtype).type(eta)
    if not np.isfinite(carried) or carried == 0:
        info = np.finfo(dtype)
        raise ValueError(f"{name} must be finite in {np.dtype(dtype).name}, from "
                         f"{float(info.tiny):g} to {float(info.max):g}, got {value!r}")
    return eta


def _patience(value, name: str) -> Optional[int]:
    """None (off), or a whole number of epochs >= 1."""
    return None if value is None else check_int(value, name, 1)


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
        return cls(check_real(lmbda, "lmbda", 0.0), check_real(l1, "l1", 0.0),
                   check_real(momentum, "momentum", 0.0, 1.0, high_open=True),
                   check_real(dropout, "dropout", 0.0, 1.0, high_open=True),
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


class EpochResult(NamedTuple):
    """What one epoch of training did."""
    epoch: int  #: index of the epoch within its SGD / train_epochs call
    correct: Optional[int]  #: test examples right after the epoch (None without test data)
    n_test: Optional[int]  #: size of the test set (None without test data)
    seconds: float  #: training time of the epoch (shuffle included; evaluation and compiling not)
    examples: int  #: training examples seen
    record: Optional[dict] = None  #: the epoch's entry in ``Network.history`` (costs, accuracies, eta)
    stop: Optional[str] = None  #: why training stops after this epoch (early stopping, schedule)
