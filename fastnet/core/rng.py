"""The original's randomness: shuffles that consume Python's ``random`` module exactly
as ``random.shuffle`` does, made by a compiled kernel."""
import random

import numpy as np

from ..kernels.shuffle import shuffle_in_place

_MAX_FAST = 2**32  # beyond, CPython's getrandbits draws several words per call


def shuffle(order: np.ndarray) -> None:
    """Permute the int64 array ``order`` in place exactly as ``random.shuffle`` would
    permute a list of the same length, and advance ``random``'s state the same way."""
    if order.size > _MAX_FAST:
        as_list = order.tolist()
        random.shuffle(as_list)
        order[:] = as_list
        return
    version, internal, gauss_next = random.getstate()
    mt = np.array(internal[:-1], dtype=np.int64)
    pos = shuffle_in_place(order, mt, internal[-1])
    random.setstate((version, tuple(mt.tolist()) + (int(pos),), gauss_next))
