"""The original's randomness: shuffles that consume Python's ``random`` module exactly
as ``random.shuffle`` does, made by a compiled kernel.

Within ``own_random()`` a thread's shuffles draw from a ``random.Random`` of its own
instead of the module's shared state, which other threads of the process may draw from
between two epochs (a Dask worker's event loop does): the same seed then gives the same
run in any process. ``seed`` seeds whichever source the thread uses, and ``np.random``.
"""
import random
import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from ..kernels.shuffle import shuffle_in_place

_MAX_FAST = 2**32  # beyond, CPython's getrandbits draws several words per call
_thread = threading.local()  # .source: this thread's own random.Random, when it has one


def _source():
    """The thread's own ``random.Random`` inside ``own_random()``, else the module."""
    return getattr(_thread, "source", None) or random


@contextmanager
def own_random() -> Iterator[random.Random]:
    """Within the body, this thread's shuffles and ``seed`` use a ``random.Random`` of
    their own (the thread's previous source is restored after)."""
    previous = getattr(_thread, "source", None)
    _thread.source = random.Random()
    try:
        yield _thread.source
    finally:
        _thread.source = previous


def seed(value: int) -> None:
    """Seed ``np.random`` and the shuffles' source (as ``random.seed`` and
    ``np.random.seed`` do for the book's scripts)."""
    np.random.seed(value)
    _source().seed(value)


def shuffle(order: np.ndarray) -> None:
    """Permute the int64 array ``order`` in place exactly as ``random.shuffle`` would
    permute a list of the same length, and advance ``random``'s state the same way."""
    source = _source()
    if order.size > _MAX_FAST:
        as_list = order.tolist()
        source.shuffle(as_list)
        order[:] = as_list
        return
    version, internal, gauss_next = source.getstate()
    mt = np.array(internal[:-1], dtype=np.int64)
    pos = shuffle_in_place(order, mt, internal[-1])
    source.setstate((version, tuple(mt.tolist()) + (int(pos),), gauss_next))
