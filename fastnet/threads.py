"""The number of threads the parallel kernels use, set for a scope and restored."""
from contextlib import contextmanager
from typing import Iterator, Optional

import numba


@contextmanager
def using_threads(count: Optional[int]) -> Iterator[int]:
    """Run the body with ``count`` Numba threads (None: leave as is), restoring the
    previous count afterwards, also on error. Yields the count in force."""
    if count is None:
        yield numba.get_num_threads()
        return
    limit = numba.config.NUMBA_NUM_THREADS
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= limit:
        raise ValueError(f"threads must be an integer from 1 to {limit} (this machine's "
                         f"NUMBA_NUM_THREADS), got {count!r}")
    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        yield count
    finally:
        numba.set_num_threads(previous)
