"""Scans the engine runs on user data (``core.validate``) before any training kernel sees it."""
import numpy as np
from numba import njit

from ..config import CACHE

CHUNK = 4096


@njit(cache=CACHE, nogil=True, fastmath={"reassoc"})
def first_non_finite(values):
    """Index of the first NaN or infinity in the flattened C-contiguous array, or -1.

    x - x is 0 for a finite x and NaN otherwise, so a chunk's sum of x - x is 0 exactly
    when the chunk is finite. Only ``reassoc`` is allowed (to vectorise the sum): without
    ``nnan``/``ninf`` the compiler may not fold x - x to 0. One pass, no temporary
    (``np.isfinite(X).all()`` makes a boolean copy of X, then reads it)."""
    flat = values.reshape(values.size)
    for start in range(0, flat.size, CHUNK):
        chunk = flat[start:start + CHUNK]  # a loop over a slice from 0 vectorises; over
        total = chunk[0] - chunk[0]        # range(start, stop) of flat it does not
        for i in range(chunk.size):
            total += chunk[i] - chunk[i]
        if total != 0:
            for i in range(chunk.size):
                if not np.isfinite(chunk[i]):
                    return start + i
    return -1
