"""How many threads the kernels use: set for a scope and restored; from
``Network(threads=N)``, ``$FASTNET_NUM_THREADS`` or an automatic choice.

Training shares each step between threads only when a step has enough work to pay
for the synchronisation (``AUTO_MIN_WORK``), so the automatic choice is never slower
than one thread; results are bit-identical for every count (``kernels.epoch``)."""
import os
from contextlib import contextmanager
from typing import Iterator, Optional

import numba
import numpy as np
from numba import njit, prange

from ..config import CACHE
from .validate import check_int

THREADS_ENV = "FASTNET_NUM_THREADS"
#: multiply-adds per mini-batch, and examples per mini-batch, from which training uses
#: every thread: below them a step is too small to pay for the threads' synchronisation
#: (with one example per step the other thread has none of the later layers' work).
#: The figures behind them: docs/design.md.
AUTO_MIN_WORK = 50_000
AUTO_MIN_BATCH = 3


def check_threads(count, what: str = "threads") -> Optional[int]:
    """None, or a whole number from 1 to Numba's thread limit (ValueError otherwise)."""
    if count is None:
        return None
    return check_int(count, what, 1, numba.config.NUMBA_NUM_THREADS,
                     "this machine's NUMBA_NUM_THREADS")


def default_threads() -> Optional[int]:
    """The thread count from $FASTNET_NUM_THREADS, or None (automatic)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if not text:
        return None
    try:
        count = int(text)
    except ValueError:
        raise ValueError(f"${THREADS_ENV} must be a whole number of threads, got {text!r}") from None
    return check_threads(count, f"${THREADS_ENV}")


@contextmanager
def using_threads(count: Optional[int]) -> Iterator[int]:
    """Run the body with ``count`` Numba threads (None: leave as is), restoring the
    previous count afterwards, also on error. Yields the count in force."""
    count = check_threads(count)
    if count is None:
        yield numba.get_num_threads()
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        yield count
    finally:
        numba.set_num_threads(previous)


@njit(parallel=True, cache=CACHE)
def _start_thread_pool(out):
    for i in prange(out.size):
        out[i] = i


def barriers_are_safe() -> bool:
    """Whether every iteration of a prange over the thread count runs on its own thread
    at the same time (OpenMP and workqueue do; TBB need not), as the threaded training
    kernel's barriers require."""
    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        _start_thread_pool(np.zeros(1))
        layer = numba.threading_layer()
    return layer in ("omp", "workqueue")


def training_threads(requested: Optional[int], work_per_batch: float, batch_size: int) -> int:
    """Threads for training: ``requested`` if given, else all of Numba's threads when a
    mini-batch has at least AUTO_MIN_WORK multiply-adds and AUTO_MIN_BATCH examples,
    else 1."""
    count = numba.get_num_threads() if requested is None else requested
    if requested is None and (work_per_batch < AUTO_MIN_WORK or batch_size < AUTO_MIN_BATCH):
        count = 1
    if count > 1 and not barriers_are_safe():
        count = 1
    return count
