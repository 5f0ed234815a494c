"""The original's randomness: initial weights from ``np.random`` and shuffles that
consume Python's ``random`` module exactly as ``random.shuffle`` does (a compiled kernel).

Within ``own_random()`` a thread draws from generators of its own (a ``random.Random``
for the shuffles, a ``np.random.RandomState`` for the weights and dropout's seed)
instead of the modules' shared ones, which other threads of the process may draw from
meanwhile (a Dask worker's event loop does, and so do fits in joblib's threads): the
same seed then gives the same run in any process and any thread. Seeded alike, both
give exactly the numbers of the shared generators. ``seed`` seeds whichever the thread
uses.
"""
import random
import threading
from contextlib import contextmanager
from typing import Iterator, NamedTuple

import numpy as np

from ..kernels.shuffle import shuffle_in_place

_MAX_FAST = 2**32  # beyond, CPython's getrandbits draws several words per call


class Generators(NamedTuple):
    """A thread's own generators: ``shuffles`` (as ``random``), ``numbers`` (as ``np.random``)."""
    shuffles: random.Random
    numbers: np.random.RandomState


_thread = threading.local()  # .own: this thread's Generators inside own_random()


def _own():
    return getattr(_thread, "own", None)


@contextmanager
def own_random() -> Iterator[Generators]:
    """Within the body, this thread's draws (``shuffle``, ``randn``, ``randint``,
    ``seed``) use generators of its own; the thread's previous ones are restored after."""
    previous = _own()
    _thread.own = Generators(random.Random(), np.random.RandomState())
    try:
        yield _thread.own
    finally:
        _thread.own = previous


def seed(value: int) -> None:
    """Seed the thread's generators (or ``np.random`` and ``random``, as the book's
    scripts do, outside ``own_random``)."""
    own = _own()
    (own.numbers if own else np.random).seed(value)
    (own.shuffles if own else random).seed(value)


def randn(*shape: int) -> np.ndarray:
    """Standard normal float64 draws, as ``np.random.randn(*shape)``."""
    own = _own()
    return (own.numbers if own else np.random).randn(*shape)


def randint(high: int) -> int:
    """One integer in [0, high), as ``int(np.random.randint(high))``."""
    own = _own()
    return int((own.numbers if own else np.random).randint(high))


def shuffle(order: np.ndarray) -> None:
    """Permute the int64 array ``order`` in place exactly as ``random.shuffle`` would
    permute a list of the same length, and advance ``random``'s state the same way."""
    own = _own()
    source = own.shuffles if own else random
    if order.size > _MAX_FAST:
        as_list = order.tolist()
        source.shuffle(as_list)
        order[:] = as_list
        return
    version, internal, gauss_next = source.getstate()
    mt = np.array(internal[:-1], dtype=np.int64)
    pos = shuffle_in_place(order, mt, internal[-1])
    source.setstate((version, tuple(mt.tolist()) + (int(pos),), gauss_next))
