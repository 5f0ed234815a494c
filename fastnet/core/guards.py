"""What keeps a network's state one the kernels can trust: its parameters finite, one
training run at a time (and parallel launches one at a time where Numba needs it), a
buffer that fits in memory, and a lazy ``train_epochs`` that says so when it is never
run."""
import os
import threading
import warnings
from contextlib import contextmanager
from typing import Iterator, List, Sequence

import numba
import numpy as np

from .training import TrainingDiverged


def non_finite_parameters(params: np.ndarray, weights: List[np.ndarray],
                          biases: List[np.ndarray]) -> str:
    """"" when the flat buffer ``params`` is finite, else which layer holds the first
    NaN or infinity (``weights[l]`` / ``biases[l]``, views of params). One pass over
    params (numpy's isfinite: 64 us for 795,010 float32 parameters, where
    ``kernels.checks.first_non_finite`` took 550 us on a 1-D buffer)."""
    if np.isfinite(params).all():
        return ""
    for l, (w, b) in enumerate(zip(weights, biases)):
        for name, layer in (("weights", w), ("biases", b)):
            if not np.isfinite(layer).all():
                return f"{name}[{l}]"
    return "the parameter buffer"  # only the first layer's padding: never written by the user


def check_parameters(params: np.ndarray, weights, biases, what: str) -> None:
    """ValueError naming the layer when the network's parameters hold a NaN or an
    infinity (written in place into a view, or left by a run that diverged)."""
    layer = non_finite_parameters(params, weights, biases)
    if layer:
        raise ValueError(f"{what}: the network's {layer} contains NaN or infinity; assign "
                         f"finite values (net.{layer} = array), re-initialise it "
                         f"(net.initialise()) or load a saved network")


def check_diverged(params: np.ndarray, weights, biases, when: str, eta: float) -> None:
    """After training steps: TrainingDiverged if they made a parameter non-finite
    (checked once per epoch, as Keras' TerminateOnNaN does per batch)."""
    layer = non_finite_parameters(params, weights, biases)
    if layer:
        raise TrainingDiverged(
            f"training diverged: the parameters became non-finite (NaN or infinity, first in "
            f"{layer}) {when} with eta={eta:g}; lower eta (or scale the inputs), then "
            f"re-initialise the network (net.initialise()) or load a saved one")


def check_overflow(values: np.ndarray, dtype, what: str) -> None:
    """ValueError naming the first row of a forward pass's results (n, n_out) that is NaN
    or infinite although its inputs and the parameters are finite: an overflow inside."""
    if not np.isfinite(values).all():
        row = int(np.argmin(np.isfinite(values).all(axis=1)))
        raise ValueError(f"{what} input {row}: the network's output is NaN or infinite, an "
                         f"overflow of {np.dtype(dtype).name} inside it (inputs or weights too "
                         f"large); scale the inputs")


class TrainingLock:
    """One training run (or parameter write) at a time on a network. ``held(what)``
    raises RuntimeError at once if another holds it, instead of waiting: two runs
    interleaving their updates would give a different network each time.
    ``check_idle(what)`` is inference's check that no other thread is mid-update."""

    def __init__(self):
        self._lock = threading.Lock()
        self._owner = None

    def _busy(self, what: str) -> RuntimeError:
        if self._owner == threading.get_ident():
            return RuntimeError(f"{what}: this network is already training in this thread "
                                f"(a call from inside a training run, e.g. its progress "
                                f"callback, cannot train or change the same network)")
        return RuntimeError(f"{what}: this network is already training in another thread, "
                            f"its parameters mid-update; use a network from one thread "
                            f"while it trains (or give each thread its own copy, "
                            f"copy.deepcopy(net))")

    @contextmanager
    def held(self, what: str) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            raise self._busy(what)
        self._owner = threading.get_ident()
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()

    def check_idle(self, what: str) -> None:
        owner = self._owner
        if owner is not None and owner != threading.get_ident():
            raise self._busy(what)


#: held around every launch of a parallel kernel when Numba's threading layer is
#: workqueue, which aborts the process when two threads launch at once (OpenMP and TBB
#: take concurrent launches)
_WORKQUEUE_LAUNCH = threading.Lock()


@contextmanager
def parallel_launch() -> Iterator[None]:
    """The body launches a parallel kernel: serialised with other threads' launches
    under the workqueue threading layer (and before the first launch, when the layer
    is not yet known), free otherwise."""
    try:
        serialise = numba.threading_layer() == "workqueue"
    except ValueError:  # no parallel region has run yet
        serialise = True
    if not serialise:
        yield
        return
    with _WORKQUEUE_LAUNCH:
        yield


def available_memory() -> int:
    """Bytes of memory this process can still have: psutil's available memory when
    psutil is installed, else the machine's physical memory."""
    try:
        import psutil
        return int(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - psutil is optional
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_fits(n_parameters: int, dtype, sizes: Sequence[int]) -> None:
    """MemoryError, before anything is allocated, when ``n_parameters`` of dtype need
    more bytes than the memory available."""
    needed = n_parameters * np.dtype(dtype).itemsize
    available = available_memory()
    if needed > available:
        raise MemoryError(f"Network({list(sizes)}) needs {needed:,} bytes "
                          f"({needed / 2**30:.1f} GiB) for its {n_parameters:,} "
                          f"{np.dtype(dtype).name} parameters, more than the "
                          f"{available / 2**30:.1f} GiB of memory available")


class LazyEpochs:
    """The iterator ``train_epochs`` returns: each step trains one epoch. It trains
    nothing until iterated, and warns (RuntimeWarning) if it is dropped without ever
    being started, which is what calling ``net.train_epochs(...)`` for its effect does."""

    def __init__(self, epochs: Iterator, count: int):
        self._epochs = epochs
        self._started = count == 0  # no epochs: nothing to forget

    def __iter__(self):
        return self

    def __next__(self):
        self._started = True
        return next(self._epochs)

    def close(self) -> None:
        self._started = True
        self._epochs.close()

    def __del__(self):
        if not self._started and warnings is not None:  # (None at interpreter shutdown)
            warnings.warn("train_epochs(...) was never iterated, so it trained nothing: it "
                          "trains one epoch per step of iteration (for result in "
                          "net.train_epochs(...): ...); to train in one call use net.SGD(...)",
                          RuntimeWarning, stacklevel=2)
