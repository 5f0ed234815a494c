"""Inputs as compressed sparse rows: for each example, its non-zero values and their
input indices (81% of MNIST pixels are 0, so the first layer does a fifth of the dense
work). Built by ``count_nonzero_rows`` then ``fill_sparse_rows`` into arrays the caller
allocates (``_training.SparseInputs``), or row by row for inference (``sparse_row``)."""
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
def sparse_row(x, indices, values):
    """x's non-zero values into values[:count], their input numbers into indices[:count]
    (int32), in input order; returns count. One slot more than count is written (the
    fill is branch-free), so indices and values need count + 1 slots."""
    count = 0
    for k in range(x.size):
        v = x[k]
        indices[count] = k  # written always, kept only when v != 0: no branch
        values[count] = v
        count += v != 0
    return count


@njit(**JIT_OPTIONS)
def fill_sparse_rows(X, indptr, indices, values):
    """Example i's non-zeros go to values[indptr[i]:indptr[i+1]], their input numbers
    to indices[...]. indptr (n + 1,): the running sums of ``count_nonzero_rows``;
    indices (int32) and values need indptr[n] + 1 slots (``sparse_row`` writes one
    past the last kept entry)."""
    for i in range(X.shape[0]):
        sparse_row(X[i], indices[indptr[i]:], values[indptr[i]:])


# Odd 64-bit constants (from splitmix64): multiplying by one is a bijection mod 2^64.
MIX_A, MIX_B = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)


@njit(**JIT_OPTIONS)
def fingerprint(X):
    """A 64-bit digest of the bytes of X (C-contiguous), to tell whether inputs changed
    since their sparse form was built. Over its 32-bit words w_i, mod 2^64:
    sum_i w_i (2 i A + B) (linear: a change of one word, or a swap of two, always shows)
    xor sum_i mix(w_i + i A) (non-linear: mixes what a linear sum could cancel).
    One vectorised pass at memory speed (~20 ms for MNIST's 157 MB)."""
    words = X.reshape(X.size).view(np.uint32)
    two, shift = np.uint64(2), np.uint64(29)
    linear = mixed = np.uint64(0)
    for i in range(words.size):
        w, k = np.uint64(words[i]), np.uint64(i)
        linear += w * (two * k * MIX_A + MIX_B)
        x = w + k * MIX_A
        mixed += (x ^ (x >> shift)) * MIX_B
    return linear ^ mixed
