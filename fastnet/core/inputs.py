"""Training inputs in the form the first layer reads: compressed sparse rows of the
non-zero inputs (``kernels.sparse``), and the caches that keep that form between calls
and between networks."""
import weakref
from typing import Optional

import numpy as np

from .. import kernels
from ..kernels.records import SparseRows
from .params import ParameterLayout
from .validate import check_finite


def index_dtype(n_in: int) -> np.dtype:
    """The narrowest type for the input numbers 0..n_in-1 of sparse inputs: uint16 up to
    65,536 inputs (MNIST's 784), else int32: two bytes less per non-zero input to fetch
    from memory, where training waits for its shuffled examples."""
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

    @property
    def rows(self) -> SparseRows:
        """The three arrays as the kernels' record."""
        return SparseRows(indptr=self.indptr, indices=self.indices, values=self.values)

    def work_per_batch(self, layout: ParameterLayout, batch_size: int) -> float:
        """Multiply-adds of one training step (forward pass and update; the first layer
        counted over the non-zero inputs), to choose a thread count."""
        nonzero = (self.indptr[-1] / max(1, len(self))) if len(self) else 0.0
        sizes = [int(s) for s in layout.sizes]
        later = sum(n_in * n_out for n_in, n_out in zip(sizes[1:-1], sizes[2:]))
        return batch_size * (2 * nonzero * layout.first_width + 3 * later)


#: the sparse forms callers keep (``keep_sparse``), by ``_content_key``: each lives as long
#: as its caller holds it
_KEPT: "weakref.WeakValueDictionary[tuple, SparseInputs]" = weakref.WeakValueDictionary()


def _content_key(X: np.ndarray) -> tuple:
    """Equal for inputs of equal shape, dtype and bytes (``kernels.fingerprint``)."""
    return (X.shape, X.dtype.str, *(int(part) for part in kernels.fingerprint(X)))


def keep_sparse(X: np.ndarray, what: str = "training_data") -> SparseInputs:
    """The sparse form of X (n, n_in) (a C array of a network's dtype), checked finite (a
    ValueError naming ``what``), which every network training on inputs equal to X uses
    instead of building its own, for as long as the caller keeps the returned object
    (a process running many trainings on one data set builds the form once)."""
    key = _content_key(X)
    inputs = _KEPT[key] = _kept_or_built(X, key, what)
    return inputs


def _kept_or_built(X: np.ndarray, key: tuple, what: str,
                   rows: Optional[np.ndarray] = None) -> SparseInputs:
    """The form kept for inputs of ``key``, else X's, built after checking X finite
    (``validate.check_finite``, with ``rows``)."""
    inputs = _KEPT.get(key)
    if inputs is None:
        check_finite(X, what, rows)
        inputs = SparseInputs(X)
    return inputs


class SparseCache:
    """The sparse form of the last training inputs, reused by the next training call
    while their contents are unchanged (same shape, dtype and ``kernels.fingerprint``):
    a script calling ``SGD`` or ``train_epochs`` once per epoch builds it once, and
    none is built for inputs whose form a caller keeps (``keep_sparse``). In-place
    changes to the inputs are seen, since the digest covers every byte."""

    def __init__(self):
        self._key = None
        self._inputs: Optional[SparseInputs] = None

    def get(self, X: np.ndarray, what: str, rows: Optional[np.ndarray] = None) -> SparseInputs:
        """The sparse form of X (n, n_in), checked finite (a ValueError naming ``what``
        and the example, which is row rows[i] of X when ``rows`` is given) when it is
        built: the same contents as last time were checked then."""
        key = _content_key(X)
        if key != self._key:
            self._key, self._inputs = None, None  # the old form's memory goes first
            self._inputs, self._key = _kept_or_built(X, key, what, rows), key
        return self._inputs
