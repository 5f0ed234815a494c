"""Inputs as compressed sparse rows: for each example, its non-zero values and their
input indices (81% of MNIST pixels are 0, so the first layer does a fifth of the dense
work). Built by ``count_nonzero_halves`` then ``fill_sparse_rows`` into arrays the
caller allocates (``_training.SparseInputs``), or row by row for inference
(``sparse_row``).

Each example is two sparse rows: its non-zero inputs in the lower half of the inputs,
then those in the upper half (``input_halves``). Example r's non-zeros are
``indptr[2r]:indptr[2r+2]``, its upper half's start from ``indptr[2r+1]``. The first
layer sums the two halves separately, so that two threads can each own one half of
W^0 (``forward.first_layer``)."""
import numpy as np
from numba import njit

from .._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def half_start(n_in, half):
    """The first input number of half 0 or 1 of n_in inputs (half 2: n_in, the end)."""
    return n_in if half >= 2 else half * (n_in // 2)


@njit(**JIT_OPTIONS)
def input_halves(part, n_parts):
    """The halves [h_lo, h_hi) of the inputs whose first-layer weights thread ``part``
    of ``n_parts`` owns: both on one thread; the lower half for thread 0 and the upper
    half for thread 1 of several; none for threads beyond two."""
    part = np.int64(part)  # a prange index may be unsigned
    if n_parts == 1:
        return np.int64(0), np.int64(2)
    return (part, part + 1) if part < 2 else (np.int64(2), np.int64(2))


@njit(**JIT_OPTIONS)
def count_nonzero_halves(X, counts):
    """counts[2i] and counts[2i+1] = the non-zero entries of X[i] (n, width) in the lower
    and in the upper half of its inputs; counts (2n,)."""
    half = half_start(X.shape[1], 1)
    for i in range(X.shape[0]):
        lower = upper = 0
        x = X[i]
        for k in range(half):
            lower += x[k] != 0
        for k in range(half, x.size):
            upper += x[k] != 0
        counts[2 * i], counts[2 * i + 1] = lower, upper


@njit(**JIT_OPTIONS)
def sparse_row(x, indices, values):
    """x's non-zero values into values[:count], their input numbers into indices[:count]
    (an integer type that holds x.size - 1), in input order; returns count. One slot
    more than count is written (the fill is branch-free), so indices and values need
    count + 1 slots."""
    count = 0
    for k in range(x.size):
        v = x[k]
        indices[count] = k  # written always, kept only when v != 0: no branch
        values[count] = v
        count += v != 0
    return count


@njit(**JIT_OPTIONS)
def fill_sparse_rows(X, indptr, indices, values):
    """Example i's non-zeros go to values[indptr[2i]:indptr[2i+2]], their input numbers
    to indices[...]. indptr (2n + 1,): 0 then the running sums of
    ``count_nonzero_halves``; indices (integers that hold X.shape[1] - 1) and values
    need indptr[2n] + 1 slots (``sparse_row`` writes one past the last kept entry)."""
    for i in range(X.shape[0]):
        sparse_row(X[i], indices[indptr[2 * i]:], values[indptr[2 * i]:])


# Odd 64-bit constants (from splitmix64): multiplying by one is a bijection mod 2^64;
# and the 32-bit golden-ratio constant.
MIX_A, MIX_B = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)
MIX_G = np.uint32(0x9E3779B9)


@njit(**JIT_OPTIONS)
def fingerprint(X):
    """A 128-bit digest of the bytes of X (C-contiguous), to tell whether inputs changed
    since their sparse form was built: two 64-bit sums over its 32-bit words w_i, mod 2^64.
    linear = sum_i w_i c_i with c_i = 2 i A + B: the c_i are odd, so a change of one word
    always changes it, and a swap of two words less than 2^32 apart does too (the
    difference is (w_i - w_j) 2 (j - i) A, not 0 mod 2^64). mixed = sum_i (w_i + i G
    mod 2^32)^2: non-linear, for what a linear sum could cancel. Only 32 x 32-bit
    multiplies, which SIMD units have: w c = w lo(c) + 2^32 (w hi(c) mod 2^32). One
    vectorised pass at near memory speed (~22 ms for MNIST's 157 MB; the floor ~12 ms)."""
    words = X.reshape(X.size).view(np.uint32)
    low32, step = np.uint64(0xFFFFFFFF), np.uint64(2) * MIX_A
    c, g = MIX_B, np.uint32(0)
    low = high = mixed = np.uint64(0)
    for i in range(words.size):
        w = words[i]
        low += np.uint64(w) * (c & low32)
        high += np.uint64(np.uint32(w * np.uint32(c >> np.uint64(32))))
        x = np.uint64(np.uint32(w + g))
        mixed += x * x
        c += step
        g = np.uint32(g + MIX_G)
    return low + (high << np.uint64(32)), mixed
