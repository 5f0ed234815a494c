"""Inputs as compressed sparse rows: for each example, its non-zero values and their
input indices. Built once per training call (81% of MNIST pixels are 0, so the first
layer does a fifth of the dense work), or per chunk for inference."""
import numpy as np
from numba import njit

from .._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def count_nonzero_rows(X, counts):
    """counts[i] = number of non-zero entries of X[i] (n, width)."""
    for i in range(X.shape[0]):
        c = 0
        x = X[i]
        for k in range(x.size):
            c += x[k] != 0
        counts[i] = c


@njit(**JIT_OPTIONS)
def fill_sparse_rows(X, indptr, indices, values):
    """Example i's non-zeros go to values[indptr[i]:indptr[i+1]], their column numbers
    to indices[...] (int32), in column order. indptr (n + 1,) from the counts."""
    for i in range(X.shape[0]):
        c = indptr[i]
        x = X[i]
        for k in range(x.size):
            v = x[k]
            indices[c] = k  # written always, kept only when v != 0: no branch
            values[c] = v
            c += v != 0


@njit(**JIT_OPTIONS)
def to_sparse_rows(X):
    """``(indptr, indices, values)`` of X (n, width): the CSR form the first layer reads."""
    n = X.shape[0]
    counts = np.empty(n, np.int64)
    count_nonzero_rows(X, counts)
    indptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        indptr[i + 1] = indptr[i] + counts[i]
    # one spare slot: the branch-free fill writes one entry past the last kept one
    indices = np.empty(indptr[n] + 1, np.int32)
    values = np.empty(indptr[n] + 1, X.dtype)
    fill_sparse_rows(X, indptr, indices, values)
    return indptr, indices, values
